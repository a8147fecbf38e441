import { contextBridge, ipcRenderer, webUtils } from 'electron';

// The preload exposes a way to ask Core for a MessagePort (handed to the page with
// window.postMessage; every call and event then travels over it, typed by the shared contract),
// plus two desktop-only helpers: the path of a dropped file, and the "Browse…" picker. Nothing
// generic (no ipcRenderer, no send/invoke) reaches the page.

ipcRenderer.on('haven:port', (event) => {
  window.postMessage('haven:port', window.location.origin, event.ports);
});

contextBridge.exposeInMainWorld('havenDesktop', {
  requestPort: (): void => ipcRenderer.send('haven:connect'),
  pathForFile: (file: File): string => webUtils.getPathForFile(file),
  pickPath: (kind: 'file' | 'folder'): Promise<string | undefined> => ipcRenderer.invoke('haven:pick-path', kind),
});
