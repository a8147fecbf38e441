import type { PluginState, PluginSummary } from '@shared/domain/plugins';
import { setPluginEnabled } from '../bridge';
import { usePluginsStore } from '../stores/pluginsStore';
import { CapabilityBadges } from './CapabilityBadges';

const ORIGIN_LABELS = { builtin: 'Built-in', user: 'Installed', extra: 'From folder' } as const;

export const STATE_LABELS: Record<PluginState, { label: string; tone: 'ok' | 'off' | 'warn' | 'fail' }> = {
  running: { label: 'Running', tone: 'ok' },
  stopped: { label: 'Enabled', tone: 'ok' },
  starting: { label: 'Starting…', tone: 'warn' },
  stopping: { label: 'Stopping…', tone: 'warn' },
  disabled: { label: 'Disabled', tone: 'off' },
  'needs-config': { label: 'Needs configuration', tone: 'warn' },
  crashed: { label: 'Restarting', tone: 'warn' },
  blocked: { label: 'Blocked', tone: 'fail' },
  failed: { label: 'Failed', tone: 'fail' },
  invalid: { label: 'Cannot load', tone: 'fail' },
};

const HINTS: Partial<Record<PluginState, string>> = {
  invalid: 'Fix the plugin in {path}; Haven picks up the change by itself.',
  blocked: 'Install or enable what it needs; Haven starts it when it can.',
  failed: 'Fix the plugin, then reload or enable it again.',
  'needs-config': 'Open its settings and fill in what is missing.',
};

export function PluginCard({ plugin, update }: { plugin: PluginSummary; update?: string }) {
  const state = STATE_LABELS[plugin.state];
  const problem = state.tone === 'fail' || plugin.state === 'needs-config' || plugin.state === 'crashed';
  const hint = HINTS[plugin.state]?.replace('{path}', plugin.path);
  const busy = usePluginsStore((store) => store.toggling.includes(plugin.name));
  const canToggle = plugin.state !== 'invalid';
  return (
    <li className={`card plugin-card${state.tone === 'fail' ? ' invalid' : ''}`} data-testid="plugin-card" data-plugin={plugin.name}>
      <div className="card-head">
        <div className="plugin-avatar" aria-hidden="true">
          {plugin.name.slice(0, 1).toUpperCase()}
        </div>
        <div className="card-title">
          <h3>
            {plugin.health && (
              <span
                className={`dot dot-health-${plugin.health.status}`}
                title={`Health: ${plugin.health.status}${plugin.health.output ? ` (${plugin.health.output})` : ''}`}
                role="img"
                aria-label={`health ${plugin.health.status}`}
              />
            )}
            {plugin.state === 'invalid' ? (
              <span className="ellipsis" title={plugin.name}>
                {plugin.name}
              </span>
            ) : (
              <a className="ellipsis card-link" href={`#/plugins/${encodeURIComponent(plugin.id)}`} title={`Open ${plugin.name}`}>
                {plugin.name}
              </a>
            )}
          </h3>
          <div className="muted">
            {plugin.version && <>v{plugin.version} · </>}
            {plugin.author ? `${plugin.author} · ` : ''}
            {ORIGIN_LABELS[plugin.origin]}
          </div>
        </div>
        {canToggle && (
          <label className="switch" title={plugin.enabled ? 'Disable this plugin' : 'Enable this plugin'}>
            <input
              type="checkbox"
              role="switch"
              aria-label={`Enable ${plugin.name}`}
              checked={plugin.enabled}
              disabled={busy}
              onChange={(event) => void setPluginEnabled(plugin.name, event.target.checked)}
            />
            <span aria-hidden="true" />
          </label>
        )}
      </div>
      {plugin.description && <p>{plugin.description}</p>}
      <div className="card-foot">
        <CapabilityBadges capabilities={plugin.capabilities} />
        <span className="pill-group">
          {update && <span className="pill pill-warn">update {update}</span>}
          <span className={`pill pill-${state.tone}`} data-testid="plugin-state">
            {state.label}
          </span>
        </span>
      </div>
      {problem && plugin.stateReason && (
        <p className="error-text" data-testid="plugin-error">
          {plugin.stateReason}
          {hint && (
            <>
              <br />
              <span className="muted">{hint}</span>
            </>
          )}
        </p>
      )}
    </li>
  );
}
