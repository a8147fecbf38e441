import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ElectronStore from 'electron-store';
import { BrowserWindow, MessageChannelMain, app, dialog, ipcMain, nativeTheme, net, protocol, session, shell } from 'electron';
import { startCore, type Core } from '../core/core';
import { resolveHavenHome } from '../core/home';
import { contentSecurityPolicy, contentTypeFor, resolveAsset } from '../core/serve/staticAssets';
import { ITEM_FILE_PATH, resolveItemRequest } from '../core/serve/itemFiles';
import { pickedPath, pickPathDialogOptions } from './dialogs';
import { APP_ORIGIN, APP_SCHEME, externalUrlToOpen, isAllowedNavigation, mainWindowOptions } from './security';
import { fromMessagePortMain } from './transport';
import { utilityProcessLauncher } from './utilityLauncher';

// The Electron shell: window, renderer protocol, and the MessagePort transport to Core.
// Everything with logic lives in Core or in the pure modules beside this file.

const here = path.dirname(fileURLToPath(import.meta.url));
const appRoot = app.isPackaged ? process.resourcesPath : path.resolve(here, '..', '..');
const rendererDir = path.resolve(here, '..', 'renderer');
const preloadPath = path.resolve(here, '..', 'preload', 'index.cjs');

protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let core: Core | undefined;
  let window: BrowserWindow | undefined;

  app.on('second-instance', () => {
    if (!window) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });

  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(({ url }) => {
      const external = externalUrlToOpen(url);
      if (external) void shell.openExternal(external);
      return { action: 'deny' };
    });
    contents.on('will-navigate', (event, url) => {
      if (!isAllowedNavigation(url)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });

  const createWindow = (): void => {
    window = new BrowserWindow(mainWindowOptions(preloadPath, nativeTheme.shouldUseDarkColors));
    window.once('ready-to-show', () => window?.show());
    window.on('closed', () => (window = undefined));
    void window.loadURL(`${APP_ORIGIN}/index.html`);
  };

  void app.whenReady().then(async () => {
    session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
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
        return net.fetch(pathToFileURL(found.file).toString(), { headers: request.headers });
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

    // Each renderer (re)load asks for a port; Core serves the contract over it until it closes.
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

    createWindow();
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createWindow();
    });
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  let quitting = false;
  app.on('before-quit', (event) => {
    if (quitting || !core) return;
    quitting = true;
    event.preventDefault();
    void core.dispose().finally(() => app.quit());
  });
}
