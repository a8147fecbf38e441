import { EventEmitter } from 'node:events';
import type { MessagePort } from 'node:worker_threads';
import type { DomMessagePortLike } from '@shared/ipc/transports/messagePort';
import type { MessagePortMainLike } from '../main/transport';

/**
 * Electron's MessagePortMain emits `message` with `{data, ports}`; Node's MessagePort emits the
 * value itself. This gives a Node port MessagePortMain's surface, so the main-process end of
 * the Electron transport is tested without an Electron binary.
 */
export function asMessagePortMain(port: MessagePort): MessagePortMainLike {
  const emitter = new EventEmitter();
  port.on('message', (data: unknown) => emitter.emit('message', { data, ports: [] }));
  port.on('close', () => emitter.emit('close'));
  return {
    postMessage: (message) => port.postMessage(message),
    on: (event: string, listener: (...args: unknown[]) => void) => emitter.on(event, listener),
    off: (event: string, listener: (...args: unknown[]) => void) => emitter.off(event, listener),
    start: () => port.start(),
    close: () => port.close(),
  } as MessagePortMainLike;
}

/** Node's MessagePort implements the DOM port's addEventListener; only its typings differ. */
export function asDomMessagePort(port: MessagePort): DomMessagePortLike {
  return port as unknown as DomMessagePortLike;
}
