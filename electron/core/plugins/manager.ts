import fs from 'node:fs';
import { pluginShortId } from '@shared/sdk/manifest';
import type { PluginSummary } from '@shared/domain/plugins';
import { DisposableObject, Emitter, toDisposable, type Disposable } from '@shared/lifecycle';
import type { HavenDatabase } from '../storage/database';
import type { Logger } from '../log';
import { discoverPlugins, type DiscoveredPlugin, type PluginRoot } from './discovery';

export interface PluginManagerOptions {
  roots: () => PluginRoot[];
  havenVersion: string;
  db: HavenDatabase;
  logger: Logger;
  /** Wait this long after a file change before scanning again. */
  debounceMs?: number;
}

/**
 * Finds plugins in the built-in, user and extra folders, keeps the list current while files
 * change, and announces each change once.
 */
export class PluginManager extends DisposableObject {
  private plugins: PluginSummary[] = [];
  private fingerprint = '';
  private readonly changed = this.register(new Emitter<PluginSummary[]>());
  readonly onDidChange = this.changed.event;
  private watchers = new Map<string, Disposable>();
  private rescanTimer: ReturnType<typeof setTimeout> | undefined;
  private watching = false;

  constructor(private readonly options: PluginManagerOptions) {
    super();
    this.register(toDisposable(() => this.stopWatching()));
    this.scan();
  }

  list(): PluginSummary[] {
    return this.plugins;
  }

  rescan(): PluginSummary[] {
    this.scan();
    if (this.watching) this.syncWatchers();
    return this.plugins;
  }

  /** Watches the plugin folders (each root and each plugin folder) for added, removed or edited plugins. */
  startWatching(): void {
    this.watching = true;
    this.syncWatchers();
  }

  private scan(): void {
    const found = discoverPlugins(this.options.roots(), this.options.havenVersion);
    const enabled = this.readEnabledState();
    const next = found.map((plugin) => summarize(plugin, enabled));
    const fingerprint = JSON.stringify(next);
    this.plugins = next;
    if (fingerprint !== this.fingerprint) {
      this.fingerprint = fingerprint;
      this.changed.fire(next);
    }
  }

  private readEnabledState(): Map<string, boolean> {
    const rows = this.options.db.prepare('SELECT plugin_name, enabled FROM plugin_state').all() as {
      plugin_name: string;
      enabled: number;
    }[];
    return new Map(rows.map((row) => [row.plugin_name, row.enabled === 1]));
  }

  private scheduleRescan(): void {
    if (this.rescanTimer) clearTimeout(this.rescanTimer);
    this.rescanTimer = setTimeout(() => {
      this.rescanTimer = undefined;
      try {
        this.rescan();
      } catch (error) {
        this.options.logger.warn('plugins: rescan failed', { error: String(error) });
      }
    }, this.options.debounceMs ?? 150);
  }

  private syncWatchers(): void {
    const wanted = new Set<string>([
      ...this.options.roots().map((root) => root.dir),
      ...this.plugins.filter((p) => p.origin !== 'builtin').map((p) => p.path),
    ]);
    for (const [dir, watcher] of this.watchers) {
      if (!wanted.has(dir)) {
        watcher.dispose();
        this.watchers.delete(dir);
      }
    }
    for (const dir of wanted) {
      if (this.watchers.has(dir)) continue;
      try {
        const watcher = fs.watch(dir, { persistent: false }, () => this.scheduleRescan());
        watcher.on('error', () => this.scheduleRescan());
        this.watchers.set(dir, toDisposable(() => watcher.close()));
      } catch {
        // The folder does not exist (yet); its parent's watcher notices when it appears.
      }
    }
  }

  private stopWatching(): void {
    this.watching = false;
    if (this.rescanTimer) clearTimeout(this.rescanTimer);
    for (const watcher of this.watchers.values()) watcher.dispose();
    this.watchers.clear();
  }
}

function summarize(plugin: DiscoveredPlugin, enabled: Map<string, boolean>): PluginSummary {
  const manifest = plugin.manifest;
  const name = manifest?.name ?? plugin.folderName;
  return {
    id: manifest ? pluginShortId(manifest.name) : plugin.folderName.toLowerCase(),
    name,
    version: manifest?.version ?? '',
    description: manifest?.description ?? '',
    ...(manifest?.author ? { author: manifest.author } : {}),
    category: manifest?.category ?? 'other',
    capabilities: manifest?.capabilities ?? [],
    origin: plugin.origin,
    path: plugin.dir,
    status: plugin.error ? 'invalid' : 'ready',
    enabled: plugin.error ? false : (enabled.get(name) ?? true),
    ...(plugin.error ? { error: plugin.error } : {}),
  };
}
