import fs from 'node:fs';
import { DisposableObject, Emitter, toDisposable, type Disposable } from '@shared/lifecycle';
import type { Logger } from '../log';
import { discoverPlugins, type DiscoveredPlugin, type PluginRoot } from './discovery';

export interface PluginCatalogOptions {
  roots: () => PluginRoot[];
  havenVersion: string;
  logger: Logger;
  /** Also watch the files inside built-in plugins (development). */
  watchBuiltins?: boolean;
  debounceMs?: number;
}

/**
 * What is on disk: the plugins found in the built-in, user and extra folders. Watches the
 * folders (and the files inside each plugin) and announces each change once.
 */
export class PluginCatalog extends DisposableObject {
  private plugins: DiscoveredPlugin[] = [];
  private fingerprint = '';
  private readonly changed = this.register(new Emitter<DiscoveredPlugin[]>());
  readonly onDidChange = this.changed.event;
  private readonly watchers = new Map<string, Disposable>();
  private rescanTimer: ReturnType<typeof setTimeout> | undefined;
  private watching = false;

  constructor(private readonly options: PluginCatalogOptions) {
    super();
    this.register(toDisposable(() => this.stopWatching()));
    this.scan();
  }

  list(): readonly DiscoveredPlugin[] {
    return this.plugins;
  }

  rescan(): readonly DiscoveredPlugin[] {
    this.scan();
    if (this.watching) this.syncWatchers();
    return this.plugins;
  }

  startWatching(): void {
    this.watching = true;
    this.syncWatchers();
  }

  private scan(): void {
    const next = discoverPlugins(this.options.roots(), this.options.havenVersion);
    const fingerprint = JSON.stringify(next);
    this.plugins = next;
    if (fingerprint !== this.fingerprint) {
      this.fingerprint = fingerprint;
      this.changed.fire(next);
    }
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
    const wanted = new Map<string, boolean>(this.options.roots().map((root) => [root.dir, false]));
    for (const plugin of this.plugins) {
      if (plugin.origin !== 'builtin' || this.options.watchBuiltins) wanted.set(plugin.dir, true);
    }
    for (const [dir, watcher] of this.watchers) {
      if (!wanted.has(dir)) {
        watcher.dispose();
        this.watchers.delete(dir);
      }
    }
    for (const [dir, recursive] of wanted) {
      if (this.watchers.has(dir)) continue;
      try {
        const watcher = fs.watch(dir, { persistent: false, recursive }, (_event, file) => {
          if (typeof file === 'string' && /(^|[\\/])(node_modules|\.git)([\\/]|$)/.test(file)) return;
          this.scheduleRescan();
        });
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
