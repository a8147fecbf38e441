import { useState } from 'react';
import type { PipelineDryRun, PipelineStep } from '@shared/domain/settings';
import { dryRunPipeline, updateSettings } from '../bridge';
import { useConnectionStore } from '../stores/connectionStore';
import { usePluginsStore } from '../stores/pluginsStore';
import { useSettingsStore } from '../stores/settingsStore';

const NO_STEPS: PipelineStep[] = [];

/**
 * A source plugin's pipeline: the processors that run, in order, after each item it archives.
 * Edited as a draft and saved; a dry run shows what the saved pipeline would do with the newest item.
 */
export function PipelinePanel({ source }: { source: string }) {
  const pipelines = useSettingsStore((s) => s.settings?.pipelines);
  const plugins = usePluginsStore((s) => s.plugins);
  const saved = pipelines?.[source] ?? NO_STEPS;
  const saveError = useSettingsStore((s) => s.saveError);
  const [draft, setDraft] = useState<PipelineStep[]>(saved);
  // Compared by content: settings arrive as a new object on every change of any setting.
  const [lastSaved, setLastSaved] = useState(JSON.stringify(saved));
  const [adding, setAdding] = useState('');
  const [dryRun, setDryRun] = useState<PipelineDryRun | string>();
  if (JSON.stringify(saved) !== lastSaved) {
    setLastSaved(JSON.stringify(saved));
    setDraft(saved);
    setDryRun(undefined);
  }
  const processors = (plugins ?? []).filter((plugin) => plugin.capabilities.includes('PROCESS'));
  const addable = processors.filter((plugin) => !draft.some((step) => step.plugin === plugin.name));
  const changed = JSON.stringify(draft) !== JSON.stringify(saved);
  const move = (index: number, by: number): void => {
    const next = [...draft];
    const [step] = next.splice(index, 1);
    next.splice(index + by, 0, step!);
    setDraft(next);
  };

  return (
    <div className="pipeline" data-testid="pipeline">
      <p className="muted">After {source} archives an item, these processors run on it in order, each as a job of its own. Originals are never changed; what they make is listed with the item in the Library.</p>
      {processors.length === 0 && <p className="banner">No processor is installed. Processors are plugins with the PROCESS capability, such as ThumbnailsPlugin and LoudnessPlugin.</p>}
      {draft.length === 0 ? (
        <p className="muted" data-testid="pipeline-empty">
          No steps: items are kept as they are archived.
        </p>
      ) : (
        <ol className="pipeline-steps">
          {draft.map((step, index) => {
            const plugin = processors.find((p) => p.name === step.plugin);
            return (
              <li key={step.plugin} className="pipeline-step" data-testid="pipeline-step">
                <label className="checkbox">
                  <input type="checkbox" checked={step.enabled} aria-label={`Run ${step.plugin}`} onChange={(e) => setDraft(draft.map((s, i) => (i === index ? { ...s, enabled: e.target.checked } : s)))} />
                  <strong>{step.plugin}</strong>
                </label>
                <span className="muted">{plugin ? `makes ${plugin.processes?.produces.join(', ') ?? 'files'}` : 'not installed'}</span>
                <span className="toolbar">
                  <button type="button" className="link" aria-label={`Move ${step.plugin} up`} disabled={index === 0} onClick={() => move(index, -1)}>
                    ↑
                  </button>
                  <button type="button" className="link" aria-label={`Move ${step.plugin} down`} disabled={index === draft.length - 1} onClick={() => move(index, 1)}>
                    ↓
                  </button>
                  <button type="button" className="link" aria-label={`Remove ${step.plugin}`} onClick={() => setDraft(draft.filter((_, i) => i !== index))}>
                    Remove
                  </button>
                </span>
              </li>
            );
          })}
        </ol>
      )}
      {addable.length > 0 && (
        <form
          className="inline-form"
          onSubmit={(event) => {
            event.preventDefault();
            if (!adding) return;
            setDraft([...draft, { plugin: adding, enabled: true }]);
            setAdding('');
          }}
        >
          <select aria-label="Processor to add" value={adding} onChange={(e) => setAdding(e.target.value)}>
            <option value="">Choose a processor…</option>
            {addable.map((plugin) => (
              <option key={plugin.name} value={plugin.name}>
                {plugin.name}
              </option>
            ))}
          </select>
          <button type="submit" disabled={!adding}>
            Add step
          </button>
        </form>
      )}
      <div className="toolbar">
        <button type="button" disabled={!changed} onClick={() => void updateSettings({ pipelines: { ...pipelines, [source]: draft } })}>
          Save pipeline
        </button>
        {changed && (
          <button type="button" className="link" onClick={() => setDraft(saved)}>
            Discard changes
          </button>
        )}
        <button type="button" className="secondary" disabled={saved.length === 0} onClick={() => void dryRunPipeline(source).then(setDryRun)}>
          Dry run on the newest item
        </button>
      </div>
      {saveError && changed && (
        <p className="error-text" role="alert">
          {saveError}
        </p>
      )}
      {typeof dryRun === 'string' && (
        <p className="error-text" role="alert">
          {dryRun}
        </p>
      )}
      {dryRun && typeof dryRun !== 'string' && (
        <div className="dry-run" data-testid="pipeline-dry-run" role="status">
          <p>{dryRun.item ? `With “${dryRun.item.title}”${dryRun.item.mime ? ` (${dryRun.item.mime})` : ''}:` : `${source} has archived nothing yet; for any item:`}</p>
          <ul className="plain-list">
            {dryRun.steps.map((step) => (
              <li key={step.plugin}>
                <span className={step.runs ? 'pill pill-ok' : 'pill pill-warn'}>{step.runs ? 'runs' : 'skips'}</span> {step.plugin}: {step.reason}
              </li>
            ))}
          </ul>
        </div>
      )}
      <PodcastFeed source={source} />
    </div>
  );
}

/** `haven serve` lists the source's audio and video files as a podcast feed. */
function PodcastFeed({ source }: { source: string }) {
  // Only `haven serve` has feeds (the desktop app's pages are not on the network).
  const feedToken = useConnectionStore((s) => s.info?.feedToken);
  if (!feedToken) return null;
  const url = `${window.location.origin}/feeds/${encodeURIComponent(source)}.xml?feed=${encodeURIComponent(feedToken)}`;
  return (
    <label className="feed-url">
      <span className="muted">Podcast feed of what {source} archived, for a podcast app (its token opens only feeds and archived files, read-only; not the app):</span>
      <input readOnly value={url} onFocus={(event) => event.target.select()} data-testid="podcast-feed-url" />
    </label>
  );
}
