import type { MessagePassingProtocol } from '@shared/ipc/protocol';
import { fromDomMessagePort } from '@shared/ipc/transports/messagePort';
import { fromWebSocket } from '@shared/ipc/transports/websocket';

/** Opens one connection to Core; the bridge calls it again after a disconnect. */
export interface Connector {
  readonly transport: 'electron' | 'websocket';
  connect(): Promise<MessagePassingProtocol>;
  /** Why the last attempt failed, in words the user can act on. */
  diagnose(): Promise<string>;
}

interface HavenDesktopBridge {
  requestPort(): void;
  /** The path of a dropped file or folder (desktop only). */
  pathForFile?(file: File): string;
  /** A native open dialog (desktop only). */
  pickPath?(kind: 'file' | 'folder'): Promise<string | undefined>;
  /** Packages opened from the file manager or a second launch (desktop only). */
  onOpenPackage?(listener: (path: string) => void): void;
}

declare global {
  interface Window {
    havenDesktop?: HavenDesktopBridge;
  }
}

const TOKEN_KEY = 'haven.token';

/** The token arrives in the address (`?token=`); keep it for reloads and take it out of the address bar. */
function takeToken(): string | undefined {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    window.history.replaceState(null, '', url.toString());
    return fromUrl;
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}

export function webSocketConnector(): Connector {
  const token = takeToken();
  return {
    transport: 'websocket',
    connect() {
      return new Promise((resolve, reject) => {
        const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
        const query = token ? `?token=${encodeURIComponent(token)}` : '';
        const socket = new WebSocket(`${scheme}://${window.location.host}/ws${query}`);
        const onOpen = (): void => {
          cleanup();
          resolve(fromWebSocket(socket));
        };
        const onFail = (): void => {
          cleanup();
          reject(new Error('could not open the WebSocket'));
        };
        const cleanup = (): void => {
          socket.removeEventListener('open', onOpen);
          socket.removeEventListener('error', onFail);
          socket.removeEventListener('close', onFail);
        };
        socket.addEventListener('open', onOpen);
        socket.addEventListener('error', onFail);
        socket.addEventListener('close', onFail);
      });
    },
    async diagnose() {
      try {
        const query = token ? `?token=${encodeURIComponent(token)}` : '';
        const response = await fetch(`./index.html${query}`, { method: 'HEAD', cache: 'no-store' });
        if (response.status === 401) {
          return 'The access token is missing or wrong. Open the address that `haven serve` printed.';
        }
        if (response.status === 403) return 'Core refused this address. Open the address that `haven serve` printed.';
        return 'Core answered, but the live connection failed.';
      } catch {
        return 'Haven Core is not reachable. Is `haven serve` still running? Start it with `npm run serve`.';
      }
    },
  };
}

export function electronConnector(desktop: HavenDesktopBridge): Connector {
  return {
    transport: 'electron',
    connect() {
      return new Promise((resolve, reject) => {
        const timer = window.setTimeout(() => {
          window.removeEventListener('message', onMessage);
          reject(new Error('Core did not hand over a port'));
        }, 10_000);
        const onMessage = (event: MessageEvent): void => {
          if (event.source !== window || event.data !== 'haven:port' || !event.ports[0]) return;
          window.clearTimeout(timer);
          window.removeEventListener('message', onMessage);
          const port = event.ports[0];
          const protocol = fromDomMessagePort(port);
          resolve(protocol);
        };
        window.addEventListener('message', onMessage);
        desktop.requestPort();
      });
    },
    diagnose() {
      return Promise.resolve('The desktop app lost its connection to Core. Restart Haven if this persists.');
    },
  };
}

export function pickConnector(): Connector {
  return window.havenDesktop ? electronConnector(window.havenDesktop) : webSocketConnector();
}
