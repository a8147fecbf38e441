import { contextBridge, ipcRenderer, webUtils } from 'electron';

// The preload exposes a way to ask Core for a MessagePort (handed to the page with
// window.postMessage; every call and event then travels over it, typed by the shared contract),
// plus desktop-only helpers: the path of a dropped file, the "Browse…" picker, and packages
// opened from the file manager. Nothing generic (no ipcRenderer, no send/invoke) reaches the page.

/** Routes main may send the window to (a notification or the tray was clicked). */
const ROUTE = /^#\/(plugins|jobs|library|settings)(\/[A-Za-z0-9%._~:@-]{1,200})?$/;

ipcRenderer.on('haven:port', (event) => {
  window.postMessage('haven:port', window.location.origin, event.ports);
});

ipcRenderer.on('haven:navigate', (_event, hash: unknown) => {
  if (typeof hash === 'string' && ROUTE.test(hash)) window.location.hash = hash;
});

let openPackage: ((path: string) => void) | undefined;
const waitingPackages: string[] = [];
ipcRenderer.on('haven:open-package', (_event, path: unknown) => {
  if (typeof path !== 'string' || path.length > 4096) return;
  if (openPackage) openPackage(path);
  else if (waitingPackages.length < 20) waitingPackages.push(path);
});

contextBridge.exposeInMainWorld('havenDesktop', {
  requestPort: (): void => ipcRenderer.send('haven:connect'),
  pathForFile: (file: File): string => webUtils.getPathForFile(file),
  pickPath: (kind: 'file' | 'folder'): Promise<string | undefined> => ipcRenderer.invoke('haven:pick-path', kind),
  /** A `.havenplugin` opened from the file manager or a second launch: the page shows the install dialog. */
  onOpenPackage: (listener: (path: string) => void): void => {
    openPackage = listener;
    for (const path of waitingPackages.splice(0)) listener(path);
  },
});
