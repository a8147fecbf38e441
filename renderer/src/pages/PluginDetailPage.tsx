import { useEffect, useMemo, useState } from 'react';
import Markdown from 'react-markdown';
import type { PluginDetail } from '@shared/domain/plugins';
import { closePlugin, openPlugin, refreshPluginInfo, reloadPlugin, runPluginAction, runPluginTest, savePluginConfig, setPluginEnabled, stageFromCatalog, uninstallPlugin } from '../bridge';
import { navigate } from '../app/routes';
import { STATE_LABELS } from '../components/PluginCard';
import { formatTime } from '../format';
import { SchemaForm } from '../forms/SchemaForm';
import { useCatalogStore } from '../stores/catalogStore';
import { useConnectionStore } from '../stores/connectionStore';
import { usePluginDetailStore } from '../stores/pluginDetailStore';
import { usePluginsStore } from '../stores/pluginsStore';
import { Modal } from '../app/Modal';
import { PipelinePanel } from './PipelinePanel';
import { PluginViewPanel } from './PluginViewPanel';

const TABS = ['overview', 'settings', 'pipeline', 'permissions', 'health', 'jobs', 'log', 'test'] as const;
/** The fixed tabs, and one per view the plugin shows (`view:seeding`). */
type Tab = (typeof TABS)[number] | `view:${string}`;
const TAB_LABELS: Record<Tab, string> = { overview: 'Overview', settings: 'Settings', pipeline: 'Pipeline', permissions: 'Permissions', health: 'Health', jobs: 'Jobs', log: 'Log', test: 'Test' };

function isTab(value: string | undefined): value is Tab {
  return value !== undefined && ((TABS as readonly string[]).includes(value) || /^view:[a-z0-9-]+$/.test(value));
}

export function PluginDetailPage({ pluginId, initialTab, focusField }: { pluginId: string; initialTab?: string; focusField?: string }) {
  const info = usePluginDetailStore((s) => s.info);
  const error = usePluginDetailStore((s) => s.error);
  const icon = usePluginDetailStore((s) => s.icon);
  const connected = useConnectionStore((s) => s.status === 'connected');
  // The list is live; the detail follows it when the plugin changes state.
  const summary = usePluginsStore((s) => s.plugins?.find((p) => p.id === pluginId || p.name === pluginId));
  const update = useCatalogStore((s) => s.available?.find((a) => a.name === summary?.name && a.updateAvailable));
  const [tab, setTab] = useState<Tab>(() => (isTab(initialTab) ? initialTab : 'overview'));
  // A link to another tab of the page already open (a job's "set a cookies file") switches to it.
  const [linkedTab, setLinkedTab] = useState(initialTab);
  if (linkedTab !== initialTab) {
    setLinkedTab(initialTab);
    if (isTab(initialTab)) setTab(initialTab);
  }

  useEffect(() => {
    if (connected) void openPlugin(pluginId);
    return () => closePlugin();
  }, [pluginId, connected]);
  useEffect(() => {
    if (summary && info && summary.state !== info.state) void refreshPluginInfo(pluginId);
  }, [summary, info, pluginId]);

  if (error && !info) {
    return (
      <section>
        <button type="button" className="link" onClick={() => navigate('plugins')}>
          ← Plugins
        </button>
        <div className="banner banner-error" role="alert">
          {error}
        </div>
      </section>
    );
  }
  if (!info) return <p className="muted">Loading…</p>;
  const state = STATE_LABELS[info.state];
  // Plugins that archive or record have a pipeline of processors to run after them.
  const isSource = info.capabilities.includes('ARCHIVE') || info.capabilities.includes('STREAM');
  return (
    <section aria-labelledby="plugin-title" className="plugin-detail" data-testid="plugin-detail">
      <button type="button" className="link back" onClick={() => navigate('plugins')}>
        ← Plugins
      </button>
      <header className="detail-hero">
        {icon ? <img src={icon} alt="" width={48} height={48} className="plugin-icon" /> : <div className="plugin-avatar large" aria-hidden="true">{info.name.slice(0, 1)}</div>}
        <div className="grow">
          <h1 id="plugin-title">{info.name}</h1>
          <p className="muted">
            v{info.version}
            {info.author ? ` · ${info.author}` : ''}
            {info.license ? ` · ${info.license}` : ''} · {info.origin === 'builtin' ? 'comes with Haven' : info.path}
          </p>
        </div>
        <span className={`pill pill-${state.tone}`} data-testid="plugin-state">
          {state.label}
        </span>
        <PluginActions info={info} updateVersion={update?.version} />
      </header>
      {info.stateReason && ['invalid', 'blocked', 'failed', 'crashed', 'needs-config'].includes(info.state) && (
        <div className={`banner ${info.state === 'needs-config' ? 'banner-warn' : 'banner-error'}`} role="alert">
          {info.stateReason}
          {info.state === 'needs-config' && (
            <button type="button" onClick={() => setTab('settings')}>
              Open settings
            </button>
          )}
        </div>
      )}
      <div className="tabs" role="tablist" aria-label="Plugin sections">
        {[...TABS.filter((id) => id !== 'pipeline' || isSource).map((id): [Tab, string] => [id, TAB_LABELS[id]]), ...info.views.map((v): [Tab, string] => [`view:${v.id}`, v.title])].map(([id, label]) => (
          <button key={id} type="button" role="tab" aria-selected={tab === id} className={tab === id ? 'tab active' : 'tab'} onClick={() => setTab(id)}>
            {label}
          </button>
        ))}
      </div>
      <div className="tab-body" role="tabpanel">
        {tab === 'overview' && <Overview info={info} />}
        {tab === 'settings' && <Settings name={info.name} {...(focusField ? { focusField } : {})} />}
        {tab === 'pipeline' && isSource && <PipelinePanel source={info.name} />}
        {tab === 'permissions' && <Permissions info={info} />}
        {tab === 'health' && <Health info={info} />}
        {tab === 'jobs' && <RecentJobs />}
        {tab === 'log' && <Log />}
        {tab === 'test' && <Tests info={info} />}
        {info.views.filter((v) => tab === `view:${v.id}`).map((v) => (
          <PluginViewPanel key={v.id} plugin={info.name} view={v} />
        ))}
      </div>
    </section>
  );
}

function PluginActions({ info, updateVersion }: { info: PluginDetail; updateVersion: string | undefined }) {
  const [confirming, setConfirming] = useState(false);
  const [deleteData, setDeleteData] = useState(false);
  const [problem, setProblem] = useState<string>();
  return (
    <div className="toolbar detail-actions">
      {info.state !== 'invalid' && (
        <label className="switch" title={info.enabled ? 'Disable' : 'Enable'}>
          <input type="checkbox" role="switch" aria-label={`Enable ${info.name}`} checked={info.enabled} onChange={(e) => void setPluginEnabled(info.name, e.target.checked)} />
          <span aria-hidden="true" />
        </label>
      )}
      {updateVersion && (
        <button type="button" onClick={() => void stageFromCatalog(info.name, updateVersion)}>
          Update to {updateVersion}
        </button>
      )}
      <button type="button" className="secondary" onClick={() => void reloadPlugin(info.name).then(setProblem)}>
        Reload
      </button>
      {info.origin === 'user' && (
        <button type="button" className="secondary" onClick={() => setConfirming(true)}>
          Uninstall…
        </button>
      )}
      {confirming && (
        <Modal label={`Uninstall ${info.name}?`} onEscape={() => setConfirming(false)}>
            <h2>Uninstall {info.name}?</h2>
            <p>Its folder is removed. Archived files stay where they are.</p>
            <label className="checkbox">
              <input type="checkbox" checked={deleteData} onChange={(e) => setDeleteData(e.target.checked)} /> Also delete its settings, storage and data folder
            </label>
            {problem && <p className="error-text">{problem}</p>}
            <div className="toolbar">
              <button
                type="button"
                className="danger"
                onClick={() =>
                  void uninstallPlugin(info.name, deleteData).then((failure) => {
                    if (failure) setProblem(failure);
                    else navigate('plugins');
                  })
                }
              >
                Uninstall
              </button>
              <button type="button" className="secondary" onClick={() => setConfirming(false)} autoFocus>
                Keep it
              </button>
            </div>
        </Modal>
      )}
      {problem && !confirming && <span className="error-text">{problem}</span>}
    </div>
  );
}

function Overview({ info }: { info: PluginDetail }) {
  const readme = usePluginDetailStore((s) => s.readme);
  return (
    <div className="overview">
      <div className="overview-main">
        {info.description && <p className="lead">{info.description}</p>}
        {readme ? (
          <article className="readme">
            <Markdown skipHtml>{readme}</Markdown>
          </article>
        ) : (
          <p className="muted">This plugin has no README.</p>
        )}
      </div>
      <dl className="facts overview-facts">
        <dt>Capabilities</dt>
        <dd>{info.capabilities.join(', ') || 'none'}</dd>
        <dt>Category</dt>
        <dd>{info.category}</dd>
        <dt>Needs</dt>
        <dd>{info.dependencies.map((d) => `${d.name} ${d.range}`).join(', ') || 'nothing'}</dd>
        <dt>Needed by</dt>
        <dd>{info.dependents.join(', ') || 'nothing'}</dd>
        <dt>Can run</dt>
        <dd>{info.hooks.join(', ') || '—'}</dd>
        {info.api.length > 0 && (
          <>
            <dt>API</dt>
            <dd>{info.api.join(', ')}</dd>
          </>
        )}
        {info.urlPatterns.length > 0 && (
          <>
            <dt>Archives URLs</dt>
            <dd className="mono break">{info.urlPatterns.join('  ')}</dd>
          </>
        )}
        {info.homepage && (
          <>
            <dt>Homepage</dt>
            <dd>
              <a href={info.homepage} target="_blank" rel="noreferrer">
                {info.homepage}
              </a>
            </dd>
          </>
        )}
      </dl>
    </div>
  );
}

function Settings({ name, focusField }: { name: string; focusField?: string }) {
  const config = usePluginDetailStore((s) => s.config);
  if (!config) return <p className="muted">Loading settings…</p>;
  // A new form (fresh state) whenever Core sends a new configuration.
  return <SchemaForm key={name} config={config} onSave={(values) => savePluginConfig(name, values)} {...(focusField ? { focusField } : {})} />;
}

function Permissions({ info }: { info: PluginDetail }) {
  const p = info.permissions;
  return (
    <div className="permissions">
      <PermissionList title="Network" items={p.network} empty="It may not reach any host through Haven." describe={(host) => (host === '*' ? 'any host' : host)} />
      <PermissionList title="Folders" items={p.filesystem} empty="Only its own data folder and its download folder." />
      <PermissionList title="Programs" items={p.binaries} empty="It may not start any program." />
    </div>
  );
}

function PermissionList({ title, items, empty, describe }: { title: string; items: string[]; empty: string; describe?: (item: string) => string }) {
  return (
    <section>
      <h3>{title}</h3>
      {items.length === 0 ? (
        <p className="muted">{empty}</p>
      ) : (
        <ul className="plain-list">
          {items.map((item) => (
            <li key={item}>
              <code>{describe ? describe(item) : item}</code>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Health({ info }: { info: PluginDetail }) {
  const testing = usePluginDetailStore((s) => s.testing);
  return (
    <div>
      <div className="toolbar">
        <button type="button" disabled={testing !== undefined} onClick={() => void runPluginTest(info.name, 'health').then(() => openPlugin(info.name))}>
          {testing === 'health' ? 'Checking…' : 'Check now'}
        </button>
      </div>
      {info.healthHistory.length === 0 ? (
        <p className="muted">No health checks yet.</p>
      ) : (
        <ol className="health-history" data-testid="health-history">
          {info.healthHistory.map((h, i) => (
            <li key={i}>
              <span className={`dot dot-health-${h.status}`} aria-hidden="true" /> <strong>{h.status}</strong> <time className="muted">{formatTime(h.checkedAt)}</time> {h.output ?? ''}{' '}
              <span className="muted">({h.durationMs} ms)</span>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

function RecentJobs() {
  const jobs = usePluginDetailStore((s) => s.jobs);
  if (jobs.length === 0) return <p className="muted">No jobs for this plugin yet.</p>;
  return (
    <ul className="plain-list recent-jobs">
      {jobs.map((job) => (
        <li key={job.id}>
          <span className="pill pill-off">{job.state}</span> <a href={`#/jobs`}>{job.title}</a> <span className="muted">{formatTime(job.updatedAt)}</span>
          {job.error && <span className="error-text"> {job.error}</span>}
        </li>
      ))}
    </ul>
  );
}

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

function Log() {
  const logs = usePluginDetailStore((s) => s.logs);
  const [level, setLevel] = useState<(typeof LEVELS)[number]>('info');
  const shown = useMemo(() => logs.filter((r) => LEVELS.indexOf(r.level) >= LEVELS.indexOf(level)).slice(-500), [logs, level]);
  return (
    <div>
      <div className="toolbar">
        <label>
          Show{' '}
          <select aria-label="Log level" value={level} onChange={(e) => setLevel(e.target.value as (typeof LEVELS)[number])}>
            {LEVELS.map((l) => (
              <option key={l} value={l}>
                {l} and above
              </option>
            ))}
          </select>
        </label>
        <span className="muted">{shown.length} lines, live</span>
      </div>
      {shown.length === 0 ? (
        <p className="muted">Nothing logged yet.</p>
      ) : (
        <pre className="log tall" data-testid="plugin-log">
          {shown.map((r) => `${r.time.slice(11, 19)} ${r.level.padEnd(5)} ${r.message}`).join('\n')}
        </pre>
      )}
    </div>
  );
}

function ActionRow({ plugin, action }: { plugin: string; action: PluginDetail['actions'][number] }) {
  const running = usePluginDetailStore((s) => s.runningAction);
  const result = usePluginDetailStore((s) => s.actionResults[action.id]);
  const [input, setInput] = useState('');
  const missing = Boolean(action.input?.required && !input.trim());
  return (
    <form
      className="action-row"
      data-action={action.id}
      onSubmit={(event) => {
        event.preventDefault();
        if (!missing) void runPluginAction(plugin, action.id, input.trim() || undefined);
      }}
    >
      <div>
        <strong>{action.label}</strong>
        {action.description && <p className="muted small">{action.description}</p>}
      </div>
      <div className="inline-form">
        {action.input && (
          <input aria-label={action.input.label} placeholder={action.input.placeholder ?? action.input.label} value={input} onChange={(e) => setInput(e.target.value)} />
        )}
        <button type="submit" disabled={running !== undefined || missing}>
          {running === action.id ? 'Working…' : action.label}
        </button>
      </div>
      {result && (
        <p className={result.ok ? 'pre-line' : 'error-text pre-line'} role="status" data-testid="action-result">
          {result.message}
        </p>
      )}
    </form>
  );
}

function Tests({ info }: { info: PluginDetail }) {
  const testing = usePluginDetailStore((s) => s.testing);
  const results = usePluginDetailStore((s) => s.results);
  const [url, setUrl] = useState('');
  const busy = testing !== undefined;
  return (
    <div className="tests">
      {info.actions.length > 0 && (
        <section data-testid="plugin-actions">
          <h3>Actions</h3>
          {info.actions.map((action) => (
            <ActionRow key={action.id} plugin={info.name} action={action} />
          ))}
        </section>
      )}
      <section>
        <h3>Health check</h3>
        <button type="button" disabled={busy} onClick={() => void runPluginTest(info.name, 'health')}>
          {testing === 'health' ? 'Checking…' : 'Run health check'}
        </button>
        {results.health && (
          <p className={results.health.ok ? '' : 'error-text'} data-testid="test-health">
            {results.health.health ? `${results.health.health.result.status}: ${results.health.health.result.output ?? ''}` : results.health.message}
          </p>
        )}
      </section>
      {info.capabilities.includes('DISCOVER') && (
        <section>
          <h3>Discover (dry run)</h3>
          <p className="muted">Lists what the plugin would archive now, and what it would skip, without archiving anything.</p>
          <button type="button" disabled={busy} onClick={() => void runPluginTest(info.name, 'discover')}>
            {testing === 'discover' ? 'Looking…' : 'Discover'}
          </button>
          {results.discover && (
            <div data-testid="test-discover">
              {results.discover.report?.discovery ? (
                <>
                  <p>
                    {results.discover.report.discovery.sources.length} to archive, {results.discover.report.discovery.skipped.length} skipped
                  </p>
                  <ul className="plain-list">
                    {results.discover.report.discovery.sources.slice(0, 50).map((s) => (
                      <li key={s.sourceId}>
                        + {s.title ?? s.sourceId}
                        {s.addPaused ? <span className="muted"> (added paused)</span> : null}
                      </li>
                    ))}
                    {results.discover.report.discovery.skipped.slice(0, 50).map((s) => (
                      <li key={s.source.sourceId} className="muted">
                        − {s.source.title ?? s.source.sourceId}: {s.reason}
                      </li>
                    ))}
                  </ul>
                </>
              ) : (
                <p className="error-text">{results.discover.message ?? results.discover.report?.health.result.output}</p>
              )}
            </div>
          )}
        </section>
      )}
      {info.capabilities.includes('ARCHIVE') && (
        <section>
          <h3>Archive a URL</h3>
          <form
            className="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              if (url.trim()) void runPluginTest(info.name, 'archive', url.trim());
            }}
          >
            <input aria-label="URL to test" placeholder="https://…" value={url} onChange={(e) => setUrl(e.target.value)} />
            <button type="submit" disabled={busy || !url.trim()}>
              {testing === 'archive' ? 'Archiving…' : 'Archive'}
            </button>
          </form>
          {results.archive && (
            <p className={results.archive.ok && results.archive.report?.archive ? '' : 'error-text'} data-testid="test-archive">
              {results.archive.report?.archive ? `Saved ${results.archive.report.archive.outputPath}` : (results.archive.message ?? 'no result')}
            </p>
          )}
        </section>
      )}
    </div>
  );
}
