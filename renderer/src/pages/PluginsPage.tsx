import { useMemo, useState } from 'react';
import { rescanPlugins } from '../bridge';
import { EmptyState } from '../components/EmptyState';
import { PluginCard } from '../components/PluginCard';
import { useConnectionStore } from '../stores/connectionStore';
import { usePluginsStore } from '../stores/pluginsStore';

export function PluginsPage() {
  const plugins = usePluginsStore((state) => state.plugins);
  const rescanning = usePluginsStore((state) => state.rescanning);
  const actionError = usePluginsStore((state) => state.actionError);
  const dismissError = usePluginsStore((state) => state.actionErrorDismissed);
  const home = useConnectionStore((state) => state.info?.home);
  const connected = useConnectionStore((state) => state.status === 'connected');
  const [filter, setFilter] = useState('');

  const visible = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    if (!plugins) return [];
    if (!needle) return plugins;
    return plugins.filter((plugin) =>
      [plugin.name, plugin.description, plugin.category, ...plugin.capabilities].join(' ').toLowerCase().includes(needle),
    );
  }, [plugins, filter]);
  const broken = plugins?.filter((plugin) => ['invalid', 'blocked', 'failed'].includes(plugin.state)).length ?? 0;

  return (
    <section aria-labelledby="plugins-title">
      <header className="page-header">
        <div>
          <h1 id="plugins-title">Plugins</h1>
          {plugins && (
            <p className="muted" data-testid="plugin-count">
              {plugins.length} found{broken > 0 ? `, ${broken} cannot load` : ''}
            </p>
          )}
        </div>
        <div className="toolbar">
          <input
            type="search"
            placeholder="Filter plugins"
            aria-label="Filter plugins"
            value={filter}
            onChange={(event) => setFilter(event.target.value)}
          />
          <button type="button" onClick={() => void rescanPlugins()} disabled={!connected || rescanning}>
            {rescanning ? 'Scanning…' : 'Rescan'}
          </button>
        </div>
      </header>
      {actionError && (
        <div className="banner banner-error" role="alert" data-testid="plugins-action-error">
          <span>{actionError}</span>
          <button type="button" onClick={dismissError}>
            Dismiss
          </button>
        </div>
      )}
      {plugins === undefined ? (
        <p className="muted" aria-busy="true">
          Loading plugins…
        </p>
      ) : plugins.length === 0 ? (
        <EmptyState title="No plugins yet" testId="plugins-empty">
          <p>
            Plugins bring media into Haven: YouTube channels, torrents, live streams and more. Put a plugin folder in
            {home ? (
              <>
                {' '}
                <code>{home}/plugins</code>
              </>
            ) : (
              ' the plugins folder of HAVEN_HOME'
            )}{' '}
            and it shows up here by itself.
          </p>
        </EmptyState>
      ) : visible.length === 0 ? (
        <EmptyState title="No plugin matches this filter">
          <button type="button" onClick={() => setFilter('')}>
            Clear filter
          </button>
        </EmptyState>
      ) : (
        <ul className="card-grid" data-testid="plugin-list">
          {visible.map((plugin) => (
            <PluginCard key={`${plugin.origin}:${plugin.path}`} plugin={plugin} />
          ))}
        </ul>
      )}
    </section>
  );
}
