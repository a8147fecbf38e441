import path from 'node:path';
import { havenContract, type AppInfo } from '@shared/ipc/contract';
import { DisposableStore, toDisposable } from '@shared/lifecycle';
import { havenPaths, prepareHavenHome, type HavenPaths } from './home';
import { createHandlers } from './ipc/handlers';
import { IpcRouter } from './ipc/router';
import { createLogger, fileSink, type Logger, type LogLevel } from './log';
import type { PluginRoot } from './plugins/discovery';
import { PluginManager } from './plugins/manager';
import { openDatabase, type HavenDatabase } from './storage/database';
import { acquireLock, type HeldLock } from './storage/lockfile';
import { SettingsService, createConfBackend, type SettingsBackend } from './storage/settings';
import { HAVEN_NAME, HAVEN_VERSION } from './version';

export interface CoreOptions {
  home: string;
  host: AppInfo['host'];
  /** Folders holding the plugins that ship with Haven. */
  builtinPluginRoots: string[];
  /** better-sqlite3 binding for this runtime (the desktop app passes one built for Electron). */
  nativeBinding?: string;
  /** electron-store in the desktop app; conf under plain Node. */
  settingsBackend?: SettingsBackend;
  stderrLogLevel?: LogLevel | 'off';
  watchPlugins?: boolean;
}

export interface Core {
  readonly info: AppInfo;
  readonly paths: HavenPaths;
  readonly router: IpcRouter<typeof havenContract>;
  readonly plugins: PluginManager;
  readonly settings: SettingsService;
  readonly db: HavenDatabase;
  readonly logger: Logger;
  readonly lock: HeldLock;
  dispose(): Promise<void>;
}

/**
 * Starts Core in any host: the desktop app, `haven serve`, a CLI command or a test. Nothing
 * here imports `electron`; the host passes in what differs.
 */
export async function startCore(options: CoreOptions): Promise<Core> {
  const paths = prepareHavenHome(path.resolve(options.home));
  const store = new DisposableStore();
  try {
    const sink = fileSink(path.join(paths.logs, 'core.log'));
    store.add(toDisposable(() => sink.close()));
    const logger = createLogger({ sinks: [sink], stderrLevel: options.stderrLogLevel ?? 'warn' });

    const info: AppInfo = {
      name: HAVEN_NAME,
      version: HAVEN_VERSION,
      host: options.host,
      home: paths.home,
      startedAt: new Date().toISOString(),
      platform: `${process.platform}-${process.arch}`,
      runtime: process.versions.electron ? `electron ${process.versions.electron}` : `node ${process.versions.node}`,
    };

    const lock = store.add(acquireLock(paths.lock, { host: options.host, startedAt: info.startedAt }));
    const db = openDatabase(paths.database, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
    store.add(toDisposable(() => db.close()));

    const settings = store.add(new SettingsService(options.settingsBackend ?? createConfBackend(paths.home), logger.child('settings')));
    const roots = (): PluginRoot[] => [
      { dir: paths.plugins, origin: 'user', reportStrays: true },
      ...settings.get().pluginDirs.map((dir): PluginRoot => ({ dir, origin: 'extra', reportStrays: true })),
      ...options.builtinPluginRoots.map((dir): PluginRoot => ({ dir, origin: 'builtin', reportStrays: false })),
    ];
    const plugins = store.add(
      new PluginManager({ roots, havenVersion: HAVEN_VERSION, db, logger: logger.child('plugins') }),
    );
    if (options.watchPlugins ?? true) plugins.startWatching();
    store.add(settings.onDidChange(() => plugins.rescan()));

    const router = store.add(
      new IpcRouter(havenContract, createHandlers({ info, plugins, settings }), { logger: logger.child('ipc') }),
    );
    logger.info('core started', { host: options.host, home: paths.home, version: HAVEN_VERSION });

    return {
      info,
      paths,
      router,
      plugins,
      settings,
      db,
      logger,
      lock,
      async dispose() {
        logger.info('core stopping');
        store.dispose();
      },
    };
  } catch (error) {
    store.dispose();
    throw error;
  }
}

export { havenPaths };
