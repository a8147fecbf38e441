import type { MessagePassingProtocol } from '@shared/ipc/protocol';
import { Emitter, toDisposable } from '@shared/lifecycle';

interface ParentPort {
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
  off(event: 'message', listener: (event: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

/**
 * The host's end of its channel to Core: Electron's `process.parentPort` in a utilityProcess,
 * Node's IPC channel (`process.send`) in a forked child. Losing the parent ends the host.
 */
export function parentProtocol(): MessagePassingProtocol {
  const closed = new Emitter<string>();
  const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
  if (parentPort) {
    return {
      send: (message) => parentPort.postMessage(message),
      onMessage(listener) {
        const wrapped = (event: { data: unknown }): void => listener(event.data);
        parentPort.on('message', wrapped);
        return toDisposable(() => parentPort.off('message', wrapped));
      },
      onClose: closed.event,
      close: () => process.exit(0),
    };
  }
  if (!process.send) throw new Error('the plugin host must be started by Haven Core (no IPC channel)');
  process.on('disconnect', () => closed.fire('Core went away'));
  return {
    send(message) {
      if (process.connected) process.send!(message);
    },
    onMessage(listener) {
      process.on('message', listener);
      return toDisposable(() => process.off('message', listener));
    },
    onClose: closed.event,
    close: () => process.disconnect?.(),
  };
}
