import { contextBridge, ipcRenderer } from 'electron';

// The preload exposes exactly one thing: a way to ask Core for a MessagePort. The port is handed
// to the page with window.postMessage; every call and event then travels over it, typed by
// the shared contract. Nothing generic (no ipcRenderer, no send/invoke) reaches the page.

ipcRenderer.on('haven:port', (event) => {
  window.postMessage('haven:port', window.location.origin, event.ports);
});

contextBridge.exposeInMainWorld('havenDesktop', {
  requestPort: (): void => ipcRenderer.send('haven:connect'),
});
