import { useEffect, useMemo, useState } from 'react';
import type { AvailablePlugin } from '@shared/domain/packages';
import type { PluginSummary } from '@shared/domain/plugins';
import { loadCatalog, rescanPlugins, stageFromCatalog } from '../bridge';
import { EmptyState } from '../components/EmptyState';
import { PluginCard } from '../components/PluginCard';
import { useCatalogStore } from '../stores/catalogStore';
import { useConnectionStore } from '../stores/connectionStore';
import { usePluginsStore } from '../stores/pluginsStore';
import { DropZone } from '../app/DropZone';
import { CapabilityBadges } from '../components/CapabilityBadges';

type Tab = 'installed' | 'available' | 'problems';
const CAPABILITIES = ['DISCOVER', 'ARCHIVE', 'STREAM', 'METADATA', 'PROCESS'];
const PROBLEM_STATES = new Set(['invalid', 'blocked', 'failed']);

function matches(text: string, haystack: string[]): boolean {
  const needle = text.trim().toLowerCase();
  return !needle || haystack.join(' ').toLowerCase().includes(needle);
}

export function PluginsPage() {
  const plugins = usePluginsStore((state) => state.plugins);
  const rescanning = usePluginsStore((state) => state.rescanning);
  const actionError = usePluginsStore((state) => state.actionError);
  const dismissError = usePluginsStore((state) => state.actionErrorDismissed);
  const available = useCatalogStore((state) => state.available);
  const catalogProblems = useCatalogStore((state) => state.problems);
  const home = useConnectionStore((state) => state.info?.home);
  const connected = useConnectionStore((state) => state.status === 'connected');
  const [tab, setTab] = useState<Tab>('installed');
  const [filter, setFilter] = useState('');
  const [capability, setCapability] = useState('');
  const [sort, setSort] = useState<'name' | 'category'>('name');

  useEffect(() => {
    if (connected && !available) void loadCatalog();
  }, [connected, available]);

  const problems = plugins?.filter((p) => PROBLEM_STATES.has(p.state)) ?? [];
  const installed = useMemo(() => {
    // Installed lists every plugin, those in trouble too (their card says why); the other tab
    // narrows the list down to those.
    return (plugins ?? [])
      .filter((p) => (tab === 'problems' ? PROBLEM_STATES.has(p.state) : true))
      .filter((p) => matches(filter, [p.name, p.description, p.category, ...p.tags, ...p.capabilities]))
      .filter((p) => !capability || p.capabilities.includes(capability as PluginSummary['capabilities'][number]))
      .sort((a, b) => (sort === 'category' ? a.category.localeCompare(b.category) || a.name.localeCompare(b.name) : a.name.localeCompare(b.name)));
  }, [plugins, filter, capability, sort, tab]);
  const offered = useMemo(
    () =>
      (available ?? [])
        .filter((p) => matches(filter, [p.name, p.description, p.category, ...p.capabilities]))
        .filter((p) => !capability || p.capabilities.includes(capability))
        .sort((a, b) => (sort === 'category' ? a.category.localeCompare(b.category) || a.name.localeCompare(b.name) : a.name.localeCompare(b.name))),
    [available, filter, capability, sort],
  );
  const updates = new Map((available ?? []).filter((a) => a.updateAvailable).map((a) => [a.name, a.version]));

  return (
    <section aria-labelledby="plugins-title">
      <header className="page-header">
        <div>
          <h1 id="plugins-title">Plugins</h1>
          {plugins && (
            <p className="muted" data-testid="plugin-count">
              {plugins.length} found{problems.length > 0 ? `, ${problems.length} cannot load` : ''}
            </p>
          )}
        </div>
        <div className="toolbar">
          <input type="search" placeholder="Filter plugins" aria-label="Filter plugins" value={filter} onChange={(event) => setFilter(event.target.value)} />
          <select aria-label="Capability" value={capability} onChange={(event) => setCapability(event.target.value)}>
            <option value="">Any capability</option>
            {CAPABILITIES.map((c) => (
              <option key={c} value={c}>
                {c.toLowerCase()}
              </option>
            ))}
          </select>
          <select aria-label="Sort by" value={sort} onChange={(event) => setSort(event.target.value as 'name' | 'category')}>
            <option value="name">By name</option>
            <option value="category">By category</option>
          </select>
          <button type="button" onClick={() => void rescanPlugins().then(() => loadCatalog())} disabled={!connected || rescanning}>
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
      <div className="tabs" role="tablist" aria-label="Plugin lists">
        {(
          [
            ['installed', 'Installed', plugins?.length],
            ['available', 'Available', available?.length],
            ['problems', 'Cannot load', problems.length],
          ] as const
        ).map(([id, label, count]) => (
          <button key={id} type="button" role="tab" aria-selected={tab === id} className={tab === id ? 'tab active' : 'tab'} onClick={() => setTab(id)}>
            {label}
            {count !== undefined && <span className="tab-count">{count}</span>}
          </button>
        ))}
      </div>
      <DropZone />
      {plugins === undefined ? (
        <p className="muted" aria-busy="true">
          Loading plugins…
        </p>
      ) : tab === 'available' ? (
        <Available offered={offered} problems={catalogProblems} loaded={available !== undefined} />
      ) : plugins.length === 0 ? (
        <EmptyState title="No plugins yet" testId="plugins-empty">
          <p>
            Plugins bring media into Haven: YouTube channels, torrents, live streams and more. Drop a plugin package on this window, install one from
            Available, or put a plugin folder in {home ? <code>{home}/plugins</code> : 'the plugins folder of HAVEN_HOME'} and it shows up here by itself.
          </p>
        </EmptyState>
      ) : installed.length === 0 ? (
        <EmptyState title={tab === 'problems' ? 'Every plugin loads' : 'No plugin matches'}>
          {tab !== 'problems' && (
            <button type="button" onClick={() => setFilter('')}>
              Clear filter
            </button>
          )}
        </EmptyState>
      ) : (
        <ul className="card-grid" data-testid="plugin-list">
          {installed.map((plugin) => (
            <PluginCard key={`${plugin.origin}:${plugin.path}`} plugin={plugin} {...(updates.has(plugin.name) ? { update: updates.get(plugin.name)! } : {})} />
          ))}
        </ul>
      )}
    </section>
  );
}

function Available({ offered, problems, loaded }: { offered: AvailablePlugin[]; problems: { catalog: string; error: string }[]; loaded: boolean }) {
  return (
    <>
      {problems.map((problem) => (
        <div key={problem.catalog} className="banner banner-warn" role="alert">
          Catalog {problem.catalog}: {problem.error}
        </div>
      ))}
      {!loaded ? (
        <p className="muted">Loading catalogs…</p>
      ) : offered.length === 0 ? (
        <EmptyState title="Nothing offered">
          <p>Add catalog addresses in Settings to see more plugins.</p>
        </EmptyState>
      ) : (
        <ul className="card-grid" data-testid="catalog-list">
          {offered.map((plugin) => (
            <li key={`${plugin.catalog}:${plugin.name}:${plugin.version}`} className="card" data-testid="catalog-card" data-plugin={plugin.name}>
              <div className="card-head">
                <div className="plugin-avatar" aria-hidden="true">
                  {plugin.name.slice(0, 1)}
                </div>
                <div className="card-title">
                  <h3>{plugin.name}</h3>
                  <div className="muted">
                    v{plugin.version} · {plugin.catalog}
                  </div>
                </div>
              </div>
              {plugin.description && <p>{plugin.description}</p>}
              <p className="muted small">
                May reach: {plugin.permissions.network.map((host) => (host === '*' ? 'any host' : host)).join(', ') || 'nothing'} · may run: {plugin.permissions.binaries.join(', ') || 'nothing'}
              </p>
              <div className="card-foot">
                <CapabilityBadges capabilities={plugin.capabilities} />
                {!plugin.compatible ? (
                  <span className="error-text small" title={plugin.incompatibleReason}>
                    {plugin.incompatibleReason}
                  </span>
                ) : plugin.installedVersion && !plugin.updateAvailable ? (
                  <span className="pill pill-ok">installed {plugin.installedVersion}</span>
                ) : (
                  <button type="button" onClick={() => void stageFromCatalog(plugin.name, plugin.version)}>
                    {plugin.updateAvailable ? `Update to ${plugin.version}` : 'Install…'}
                  </button>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
