import path from 'node:path';
import { havenContract, type AppInfo } from '@shared/ipc/contract';
import { DisposableStore, toDisposable } from '@shared/lifecycle';
import { havenPaths, prepareHavenHome, type HavenPaths } from './home';
import { createHandlers } from './ipc/handlers';
import { IpcRouter } from './ipc/router';
import { createLogger, fileSink, type Logger, type LogLevel } from './log';
import { EventBus } from './events/bus';
import { PluginCatalog } from './plugins/catalog';
import type { PluginRoot } from './plugins/discovery';
import { nodeLauncher, type ProcessLauncher } from './plugins/launcher';
import { PluginLogBook } from './plugins/pluginLogs';
import { PluginStore } from './plugins/pluginStore';
import { PluginRuntime, type PluginRuntimeOptions } from './plugins/runtime';
import type { RetryPolicy } from './jobs/backoff';
import { JobStore } from './jobs/jobStore';
import { JobQueue } from './jobs/queue';
import { ArchiveIndex } from './library/archiveIndex';
import { DerivedFiles } from './library/derivedFiles';
import { PackageManager, recoverInterruptedInstall } from './plugins/packages/manager';
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
  /** The built plugin host entry (out/main/plugin-host.js). */
  pluginHostEntry: string;
  /** How plugin hosts start: child_process under Node (default), utilityProcess in Electron. */
  launcher?: ProcessLauncher;
  /** Start enabled plugins at once (desktop, serve); the CLI starts them when needed. */
  autoStartPlugins?: boolean;
  /** Tests shorten these. */
  pluginTimeouts?: PluginRuntimeOptions['timeouts'];
  pluginRestart?: PluginRuntimeOptions['restart'];
  /** Plugin hosts under Node's permission model; default on unless HAVEN_PLUGIN_SANDBOX=off. */
  pluginSandbox?: boolean;
  /** Run queued jobs (desktop, serve). The CLI starts the queue itself for the jobs it runs. */
  runJobs?: boolean;
  /** Tests shorten retry delays. */
  retryPolicy?: RetryPolicy;
  /** The catalog index of packaged example plugins that ships with Haven. */
  builtinCatalog?: string;
  /** `haven serve`: the read-only token of its podcast feeds, told to clients in `app.info`. */
  feedToken?: string;
}

export interface Core {
  readonly info: AppInfo;
  readonly paths: HavenPaths;
  readonly router: IpcRouter<typeof havenContract>;
  readonly catalog: PluginCatalog;
  readonly plugins: PluginRuntime;
  readonly bus: EventBus;
  readonly pluginLogs: PluginLogBook;
  readonly jobs: JobQueue;
  readonly library: ArchiveIndex;
  readonly derived: DerivedFiles;
  readonly packages: PackageManager;
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
    const info: AppInfo = {
      name: HAVEN_NAME,
      version: HAVEN_VERSION,
      host: options.host,
      home: paths.home,
      startedAt: new Date().toISOString(),
      platform: `${process.platform}-${process.arch}`,
      runtime: process.versions.electron ? `electron ${process.versions.electron}` : `node ${process.versions.node}`,
      ...(options.feedToken ? { feedToken: options.feedToken } : {}),
    };

    const lock = store.add(acquireLock(paths.lock, { host: options.host, startedAt: info.startedAt }));
    // Only the Core that holds HAVEN_HOME opens (and may rotate) its log.
    const sink = fileSink(path.join(paths.logs, 'core.log'));
    store.add(toDisposable(() => sink.close()));
    const logger = createLogger({ sinks: [sink], stderrLevel: options.stderrLogLevel ?? 'warn' });
    const db = openDatabase(paths.database, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
    store.add(toDisposable(() => db.close()));

    const settings = store.add(new SettingsService(options.settingsBackend ?? createConfBackend(paths.home), logger.child('settings')));
    const roots = (): PluginRoot[] => [
      { dir: paths.plugins, origin: 'user', reportStrays: true },
      ...settings.get().pluginDirs.map((dir): PluginRoot => ({ dir, origin: 'extra', reportStrays: true })),
      ...options.builtinPluginRoots.map((dir): PluginRoot => ({ dir, origin: 'builtin', reportStrays: false })),
    ];
    recoverInterruptedInstall(paths.plugins, logger.child('packages'));
    const catalog = store.add(
      new PluginCatalog({
        roots,
        havenVersion: HAVEN_VERSION,
        logger: logger.child('plugins'),
        watchBuiltins: process.env.HAVEN_DEV === '1',
      }),
    );
    if (options.watchPlugins ?? true) catalog.startWatching();
    store.add(settings.onDidChange(() => catalog.rescan()));

    const bus = new EventBus((error, event) => logger.warn('event subscriber failed', { event: event.name, error: String(error) }));
    const pluginLogs = new PluginLogBook(path.join(paths.logs, 'plugins'));
    store.add(toDisposable(() => pluginLogs.dispose()));
    const pluginStore = new PluginStore(db);
    const plugins = new PluginRuntime({
      catalog,
      store: pluginStore,
      bus,
      logs: pluginLogs,
      logger: logger.child('plugins'),
      launcher: options.launcher ?? nodeLauncher,
      hostEntry: options.pluginHostEntry,
      paths,
      havenVersion: HAVEN_VERSION,
      autoStart: options.autoStartPlugins ?? true,
      defaultHeapMb: () => settings.get().pluginMemoryMb,
      ...(options.pluginTimeouts ? { timeouts: options.pluginTimeouts } : {}),
      ...(options.pluginRestart ? { restart: options.pluginRestart } : {}),
      sandbox: options.pluginSandbox ?? process.env.HAVEN_PLUGIN_SANDBOX !== 'off',
      // Imported archives stay where they are; processors read their originals there.
      importedFolders: () => db.prepare("SELECT DISTINCT substr(source_id, 8) FROM jobs WHERE kind = 'import' AND source_id LIKE 'import:%'").pluck().all() as string[],
    });
    store.add(plugins);

    const library = new ArchiveIndex(db);
    const derived = new DerivedFiles(db, paths.derived);
    const jobs = store.add(
      new JobQueue({
        store: new JobStore(db),
        runtime: plugins,
        index: library,
        derived,
        pluginStore,
        settings: () => settings.get(),
        bus,
        logs: pluginLogs,
        logger: logger.child('jobs'),
        ...(options.retryPolicy ? { retry: options.retryPolicy } : {}),
      }),
    );
    // A deleted item's derived files go with it (their rows by the foreign key), and so do the
    // pipeline steps still waiting to run on it.
    store.add(
      library.onDidChange(({ itemId, change }) => {
        if (change !== 'deleted') return;
        jobs.cancelProcessingOf(itemId);
        void derived.forgetItem(itemId).catch(() => undefined);
      }),
    );
    if (options.runJobs ?? (options.host === 'desktop' || options.host === 'serve')) jobs.start();
    plugins.setDiscoveryRequester((plugin, reason) => jobs.discoverAndWait(plugin, reason));

    const packages = new PackageManager({ paths, catalog, runtime: plugins, havenVersion: HAVEN_VERSION, logger: logger.child('packages') });
    const router = store.add(
      new IpcRouter(
        havenContract,
        createHandlers({
          info,
          catalog,
          plugins,
          settings,
          jobs,
          library,
          derived,
          packages,
          pluginLogs,
          droppedDir: paths.dropped,
          ...(options.builtinCatalog ? { builtinCatalog: options.builtinCatalog } : {}),
        }),
        { logger: logger.child('ipc') },
      ),
    );
    logger.info('core started', { host: options.host, home: paths.home, version: HAVEN_VERSION });

    return {
      info,
      paths,
      router,
      catalog,
      plugins,
      bus,
      pluginLogs,
      jobs,
      library,
      derived,
      packages,
      settings,
      db,
      logger,
      lock,
      async dispose() {
        logger.info('core stopping');
        router.dispose();
        jobs.stop();
        await plugins.shutdown();
        store.dispose();
      },
    };
  } catch (error) {
    store.dispose();
    throw error;
  }
}

export { havenPaths };
