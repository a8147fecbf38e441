import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ElectronStore from 'electron-store';
import { BrowserWindow, MessageChannelMain, Notification, app, dialog, ipcMain, nativeTheme, net, powerMonitor, protocol, session, shell } from 'electron';
import { createClient, type IpcClient } from '@shared/ipc/client';
import type { HavenContract } from '@shared/ipc/contract';
import { memoryProtocolPair } from '@shared/ipc/transports/memory';
import type { AppSettings } from '@shared/domain/settings';
import { startCore, type Core } from '../core/core';
import { resolveHavenHome } from '../core/home';
import { contentSecurityPolicy, contentTypeFor, itemFileSecurityPolicy, resolveAsset } from '../core/serve/staticAssets';
import { DERIVED_FILE_PATH, ITEM_FILE_PATH, resolveItemRequest } from '../core/serve/itemFiles';
import { pickedPath, pickPathDialogOptions } from './dialogs';
import { autostartPlan } from './launch/autostart';
import { planLaunch, userArguments, type LaunchRequest } from './launch/launchArgs';
import { carryOut } from './launch/launchRequests';
import { NotificationBatcher, noticeFor, type NoticeTarget } from './notify/notices';
import { APP_ORIGIN, APP_SCHEME, guardSession, guardWebContents, isAllowedNavigation, mainWindowOptions } from './security';
import { CLOSE_TO_TRAY_NOTICE, decideOnClose, quitQuestion } from './tray/closeToTray';
import { bindTray } from './tray/trayBinding';
import { runTrayCommand } from './tray/trayCommands';
import { TrayState } from './tray/trayState';
import { fromMessagePortMain } from './transport';
import { startUpdates } from './updateBinding';
import { utilityProcessLauncher } from './utilityLauncher';

// The Electron shell: window, tray, notifications, renderer protocol, and the MessagePort
// transport to Core. Every decision is a pure function in the modules beside this file.

const here = path.dirname(fileURLToPath(import.meta.url));
const appRoot = app.isPackaged ? process.resourcesPath : path.resolve(here, '..', '..');
const rendererDir = path.resolve(here, '..', 'renderer');
const preloadPath = path.resolve(here, '..', 'preload', 'index.cjs');
const trayIconDir = app.isPackaged ? path.join(process.resourcesPath, 'tray') : path.join(appRoot, 'resources', 'tray');

/** An archived or derived file, streamed with byte ranges and sandboxed like `haven serve` does. */
async function serveArchivedFile(file: string, request: Request): Promise<Response> {
  const response = await net.fetch(pathToFileURL(file).toString(), { headers: request.headers });
  const headers = new Headers(response.headers);
  headers.set('Content-Security-Policy', itemFileSecurityPolicy());
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

/** As long as `haven serve` gives Core to stop on SIGTERM. */
const QUIT_DEADLINE_MS = 10_000;

protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);
app.enableSandbox();
// Windows matches notifications and the taskbar to the installer's shortcut by this id.
if (process.platform === 'win32') app.setAppUserModelId('app.haven.desktop');

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let core: Core | undefined;
  let client: IpcClient<HavenContract> | undefined;
  let settings: AppSettings | undefined;
  let window: BrowserWindow | undefined;
  let trayState: TrayState | undefined;
  let trayAvailable = false;
  let quitting = false;
  /** Until Core is up there is no window; a launch that asks to show one is remembered. */
  let started = false;
  let showRequested = false;
  const firstLaunch = planLaunch(userArguments(process.argv, app.isPackaged), process.cwd());
  // Requests that arrive before Core is up (macOS open-file at launch, a fast second launch).
  const waiting: LaunchRequest[] = [...firstLaunch.requests];
  // Messages for a page still loading; sent when it has loaded.
  const pendingSends: [string, unknown][] = [];
  // Electron holds notifications weakly: without a reference their clicks stop arriving.
  const shownNotifications = new Set<Notification>();

  const send = (channel: string, value: unknown): void => {
    if (!window) return;
    if (window.webContents.isLoading()) {
      if (pendingSends.length < 50) pendingSends.push([channel, value]);
    } else window.webContents.send(channel, value);
  };

  const showWindow = (target?: NoticeTarget | { page: string; param?: string }): void => {
    if (!started) {
      showRequested = true;
      return;
    }
    if (!window) createWindow(true);
    if (!window) return;
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
    trayState?.failuresSeen();
    if (target) send('haven:navigate', `#/${target.page}${target.param ? `/${encodeURIComponent(target.param)}` : ''}`);
  };

  const notify = (title: string, body: string, target?: NoticeTarget, onClick?: () => void): void => {
    if (!Notification.isSupported()) return;
    const notification = new Notification({ title, body, silent: false });
    shownNotifications.add(notification);
    const forget = (): void => void shownNotifications.delete(notification);
    notification.on('click', () => {
      forget();
      if (onClick) onClick();
      else showWindow(target);
    });
    notification.on('close', forget);
    notification.on('failed', forget);
    notification.show();
  };

  /** Notifications the user did not ask for directly respect "notifications" and do-not-disturb. */
  const notifyQuietly = (title: string, body: string, target?: NoticeTarget, onClick?: () => void): void => {
    if (settings && (!settings.notifications || settings.doNotDisturb)) return;
    notify(title, body, target, onClick);
  };

  const handleLaunch = (requests: readonly LaunchRequest[]): void => {
    if (!client) {
      waiting.push(...requests.slice(0, Math.max(0, 20 - waiting.length)));
      return;
    }
    const target = { client, openPackage: (file: string) => (showWindow(), send('haven:open-package', file)) };
    for (const request of requests) {
      void carryOut(request, target).then((outcome) => notifyQuietly(outcome.ok ? 'Haven' : 'Haven could not open it', outcome.message, { page: 'jobs' }));
    }
  };

  let asking = false;
  /** Asks first while recordings run (in front of a visible window); true when Haven may quit. */
  const confirmQuit = async (): Promise<boolean> => {
    const question = quitQuestion(trayState?.recordingCount() ?? 0);
    if (!question) return true;
    if (asking) return false;
    asking = true;
    try {
      if (started) showWindow();
      const answer = window?.isVisible() ? await dialog.showMessageBox(window, { type: 'question', ...question }) : await dialog.showMessageBox({ type: 'question', ...question });
      return answer.response !== question.cancelId;
    } finally {
      asking = false;
    }
  };

  const requestQuit = async (): Promise<void> => {
    if (!(await confirmQuit())) return;
    quitting = true;
    app.quit();
  };

  app.on('second-instance', (_event, argv, workingDirectory) => {
    const plan = planLaunch(userArguments(argv, app.isPackaged), workingDirectory);
    showWindow();
    handleLaunch(plan.requests);
  });
  // macOS hands files and links to the running app as events, also at launch.
  app.on('open-file', (event, file) => {
    event.preventDefault();
    handleLaunch(planLaunch([file], process.cwd()).requests);
  });
  app.on('open-url', (event, url) => {
    event.preventDefault();
    handleLaunch(planLaunch([url], process.cwd()).requests);
  });

  app.on('web-contents-created', (_event, contents) => guardWebContents(contents, (url) => void shell.openExternal(url)));

  function createWindow(show: boolean): void {
    if (window) return;
    const created = new BrowserWindow(mainWindowOptions(preloadPath, nativeTheme.shouldUseDarkColors));
    window = created;
    if (show) created.once('ready-to-show', () => created.show());
    created.webContents.on('did-finish-load', () => {
      for (const [channel, value] of pendingSends.splice(0)) created.webContents.send(channel, value);
    });
    // Windows logs off or shuts down: no question, the system is closing Haven.
    created.on('session-end', () => {
      quitting = true;
    });
    created.on('close', (event) => {
      const decision = decideOnClose({
        quitting,
        closeToTray: settings?.closeToTray ?? true,
        noticeShown: settings?.closeToTrayNoticeShown ?? false,
        trayAvailable,
        platform: process.platform,
      });
      if (decision.action === 'close') return;
      event.preventDefault();
      if (decision.action === 'quit') return void requestQuit();
      created.hide();
      if (decision.notice) {
        notify(CLOSE_TO_TRAY_NOTICE.title, CLOSE_TO_TRAY_NOTICE.body);
        void client?.call('settings.update', { closeToTrayNoticeShown: true }).catch(() => undefined);
      }
    });
    created.on('focus', () => trayState?.failuresSeen());
    created.on('closed', () => {
      if (window === created) window = undefined;
      pendingSends.length = 0;
    });
    void created.loadURL(`${APP_ORIGIN}/index.html`);
  }

  const applyAutostart = (enabled: boolean): void => {
    // A development run would register the bare Electron binary.
    if (!app.isPackaged) return;
    const plan = autostartPlan(enabled, process.platform, process.execPath, process.env, os.homedir());
    if (plan.kind === 'login-item') {
      app.setLoginItemSettings(plan.settings);
    } else {
      try {
        if (plan.contents === undefined) fs.rmSync(plan.file, { force: true });
        else {
          fs.mkdirSync(path.dirname(plan.file), { recursive: true });
          fs.writeFileSync(`${plan.file}.part`, plan.contents);
          fs.renameSync(`${plan.file}.part`, plan.file);
        }
      } catch (error) {
        core?.logger.warn('desktop: could not change the autostart entry', { file: plan.file, error: error instanceof Error ? error.message : String(error) });
      }
    }
  };

  void app.whenReady().then(async () => {
    guardSession(session.defaultSession);
    // The nsis installer registers file types but not links: take `magnet:` on Windows only
    // when no other program has it.
    if (app.isPackaged && process.platform === 'win32' && !app.getApplicationNameForProtocol('magnet:')) app.setAsDefaultProtocolClient('magnet');
    protocol.handle(APP_SCHEME, async (request) => {
      const { pathname } = new URL(request.url);
      const item = ITEM_FILE_PATH.exec(pathname);
      if (item && core) {
        let root: string | undefined;
        try {
          root = core.library.get(Number(item[1])).outputPath;
        } catch {
          root = undefined;
        }
        const found = await resolveItemRequest(root, item[2], new URL(request.url).searchParams.get('as') === 'mp4', path.join(core.paths.home, 'cache', 'playable'));
        if (!('file' in found)) return new Response(found.message, { status: found.status });
        return serveArchivedFile(found.file, request);
      }
      const derivedMatch = DERIVED_FILE_PATH.exec(pathname);
      if (derivedMatch && core) {
        const file = await core.derived.servable(Number(derivedMatch[1]));
        if (!file) return new Response('not found', { status: 404 });
        return serveArchivedFile(file, request);
      }
      const file = resolveAsset(rendererDir, pathname);
      if (!file || !fs.existsSync(file)) return new Response('not found', { status: 404 });
      return new Response(await fs.promises.readFile(file), {
        headers: { 'Content-Type': contentTypeFor(file), 'Content-Security-Policy': contentSecurityPolicy() },
      });
    });

    const home = resolveHavenHome({ ...process.env, HAVEN_HOME: process.env.HAVEN_HOME ?? app.getPath('userData') });
    const binding = process.env.HAVEN_ELECTRON_SQLITE_BINDING;
    core = await startCore({
      home,
      host: 'desktop',
      builtinPluginRoots: [path.join(appRoot, 'plugins'), path.join(appRoot, 'plugins', 'examples')],
      pluginHostEntry: path.join(here, 'plugin-host.js'),
      builtinCatalog: path.resolve(here, '..', 'catalog', 'index.json'),
      launcher: utilityProcessLauncher,
      ...(binding ? { nativeBinding: binding } : {}),
      settingsBackend: new ElectronStore<Record<string, unknown>>({ cwd: home, name: 'settings' }),
    });

    // Main is a client of Core like the window: the same contract over an in-process connection.
    const [mainEnd, coreEnd] = memoryProtocolPair();
    core.router.connect(coreEnd, 'desktop-main');
    const mainClient = createClient<HavenContract>(mainEnd);
    client = mainClient;
    settings = await mainClient.call('settings.get', {});
    const updates = startUpdates({
      notify: (title, body, onClick) => notifyQuietly(title, body, undefined, onClick),
      confirmQuit,
      beforeInstall: () => (quitting = true),
      warn: (message) => core?.logger.warn(message),
    });
    let autostartApplied: boolean | undefined;
    mainClient.subscribe('settings.changed', {}, {
      onData: (next) => {
        settings = next;
        // At start only an enabled setting is applied: a login item the user made by hand stays.
        if (next.launchAtLogin !== (autostartApplied ?? false)) applyAutostart(next.launchAtLogin);
        autostartApplied = next.launchAtLogin;
        updates.apply(next, app.isPackaged);
      },
    });

    const state = new TrayState(mainClient);
    trayState = state;
    const batcher = new NotificationBatcher(
      (content) => notify(content.title, content.body, content.target),
      () => ({ notifications: settings?.notifications ?? true, doNotDisturb: settings?.doNotDisturb ?? false, windowFocused: window?.isFocused() ?? false }),
    );
    state.onJobTransition(({ before, job }) => {
      const notice = noticeFor(before, job, Date.now());
      if (notice) batcher.push(notice);
    });
    await state.start();
    const commandTarget = { client: mainClient, state, showWindow, requestQuit: () => void requestQuit() };
    trayAvailable = bindTray(state, trayIconDir, (command) => void runTrayCommand(command, commandTarget)) !== undefined;

    ipcMain.on('haven:connect', (event) => {
      if (!core || !event.senderFrame || !isAllowedNavigation(event.senderFrame.url)) return;
      const { port1, port2 } = new MessageChannelMain();
      core.router.connect(fromMessagePortMain(port1), 'electron');
      event.sender.postMessage('haven:port', null, [port2]);
    });

    ipcMain.handle('haven:pick-path', async (event, kind: unknown) => {
      if (!event.senderFrame || !isAllowedNavigation(event.senderFrame.url)) return undefined;
      const options = pickPathDialogOptions(kind);
      const owner = BrowserWindow.fromWebContents(event.sender);
      return pickedPath(owner ? await dialog.showOpenDialog(owner, options) : await dialog.showOpenDialog(options));
    });

    // Hidden at login (`--hidden`; macOS passes no arguments to login items) or by choice, but
    // only where a tray can bring it back, and not when a launch meanwhile asked for the window.
    const atLogin = firstLaunch.hidden || (process.platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin);
    const startHidden = trayAvailable && !showRequested && (atLogin || settings.startMinimized);
    started = true;
    createWindow(!startHidden);
    handleLaunch(waiting.splice(0));
    app.on('activate', () => showWindow());
    // Linux and macOS shut down: delay it until Core has closed its files, without asking.
    // Electron passes an event here although its typings declare none.
    powerMonitor.on('shutdown', (event?: { preventDefault(): void }) => {
      event?.preventDefault();
      quitting = true;
      app.quit();
    });
  }).catch((error: unknown) => {
    // Core could not start (HAVEN_HOME locked by `haven serve`, a damaged database): say so and
    // leave, instead of an invisible process holding the single-instance lock.
    dialog.showErrorBox('Haven could not start', error instanceof Error ? error.message : String(error));
    app.exit(1);
  });

  app.on('window-all-closed', () => {
    // With the tray, Haven runs on without windows; without it, closing the window quits.
    if (!trayAvailable && process.platform !== 'darwin') app.quit();
  });

  let disposed = false;
  app.on('before-quit', (event) => {
    if (!quitting) {
      // Cmd+Q, the Dock, or the system: ask first if recordings run, like the tray's Quit.
      event.preventDefault();
      void requestQuit();
      return;
    }
    if (disposed || !core) return;
    disposed = true;
    event.preventDefault();
    // A plugin host that does not stop must not keep Haven from quitting.
    const deadline = setTimeout(() => app.exit(0), QUIT_DEADLINE_MS);
    void core.dispose().finally(() => {
      clearTimeout(deadline);
      app.quit();
    });
  });
}
