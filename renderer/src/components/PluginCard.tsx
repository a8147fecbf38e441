import type { PluginSummary } from '@shared/domain/plugins';

const ORIGIN_LABELS = { builtin: 'Built-in', user: 'Installed', extra: 'From folder' } as const;

export function PluginCard({ plugin }: { plugin: PluginSummary }) {
  const invalid = plugin.status === 'invalid';
  return (
    <li className={`card plugin-card${invalid ? ' invalid' : ''}`} data-testid="plugin-card" data-plugin={plugin.name}>
      <div className="card-head">
        <div className="plugin-avatar" aria-hidden="true">
          {plugin.name.slice(0, 1).toUpperCase()}
        </div>
        <div className="card-title">
          <h3>{plugin.name}</h3>
          <div className="muted">
            {plugin.version && <>v{plugin.version} · </>}
            {plugin.author ? `${plugin.author} · ` : ''}
            {ORIGIN_LABELS[plugin.origin]}
          </div>
        </div>
        <span className={`pill ${invalid ? 'pill-fail' : plugin.enabled ? 'pill-ok' : 'pill-off'}`}>
          {invalid ? 'Cannot load' : plugin.enabled ? 'Enabled' : 'Disabled'}
        </span>
      </div>
      {plugin.description && <p>{plugin.description}</p>}
      {plugin.capabilities.length > 0 && (
        <ul className="badges" aria-label="Capabilities">
          {plugin.capabilities.map((capability) => (
            <li key={capability} className="badge">
              {capability.toLowerCase()}
            </li>
          ))}
        </ul>
      )}
      {invalid && (
        <p className="error-text" data-testid="plugin-error">
          {plugin.error}
          <br />
          <span className="muted">Fix the plugin in {plugin.path}; Haven picks up the change by itself.</span>
        </p>
      )}
    </li>
  );
}
