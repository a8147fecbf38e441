import { Emitter, toDisposable } from '../../lifecycle';
import type { MessagePassingProtocol } from '../protocol';

/** The WebSocket surface shared by browsers and the `ws` package. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'close', listener: (event: { code: number; reason: string }) => void): void;
  removeEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

const OPEN = 1;

/** A client's end of the WebSocket transport: frames are JSON text. */
export function fromWebSocket(socket: WebSocketLike): MessagePassingProtocol {
  const closed = new Emitter<string>();
  socket.addEventListener('close', (event) => closed.fire(event.reason || `code ${event.code}`));
  return {
    send(message) {
      if (socket.readyState !== OPEN) throw new Error('socket is not open');
      socket.send(JSON.stringify(message));
    },
    onMessage(listener) {
      const wrapped = (event: { data: unknown }): void => {
        if (typeof event.data !== 'string') return;
        let parsed: unknown;
        try {
          parsed = JSON.parse(event.data);
        } catch {
          return;
        }
        listener(parsed);
      };
      socket.addEventListener('message', wrapped);
      return toDisposable(() => socket.removeEventListener('message', wrapped));
    },
    onClose: closed.event,
    close() {
      socket.close(1000, 'client closed');
    },
  };
}
