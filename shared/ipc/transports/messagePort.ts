import { Emitter, toDisposable } from '../../lifecycle';
import type { MessagePassingProtocol } from '../protocol';

/** The DOM MessagePort surface (also implemented by Node's worker_threads MessagePort). */
export interface DomMessagePortLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  removeEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  start(): void;
  close(): void;
}

/**
 * The renderer's end of the Electron transport: a MessagePort handed over by the preload.
 * Frames travel by structured clone, so nothing is serialised twice.
 */
export function fromDomMessagePort(port: DomMessagePortLike): MessagePassingProtocol & { markClosed(reason: string): void } {
  const closed = new Emitter<string>();
  let isClosed = false;
  const markClosed = (reason: string): void => {
    if (isClosed) return;
    isClosed = true;
    closed.fire(reason);
  };
  port.start();
  return {
    send(message) {
      if (isClosed) throw new Error('port closed');
      port.postMessage(message);
    },
    onMessage(listener) {
      const wrapped = (event: { data: unknown }): void => listener(event.data);
      port.addEventListener('message', wrapped);
      return toDisposable(() => port.removeEventListener('message', wrapped));
    },
    onClose: closed.event,
    close() {
      port.close();
      markClosed('closed by client');
    },
    markClosed,
  };
}
