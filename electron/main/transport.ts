import type { MessagePassingProtocol } from '@shared/ipc/protocol';
import { Emitter, toDisposable } from '@shared/lifecycle';
import { MAX_FRAME_BYTES, type ServerFrame } from '@shared/ipc/wire';

/** The surface of Electron's MessagePortMain that the transport uses. */
export interface MessagePortMainLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  off(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  start(): void;
  close(): void;
}

/**
 * Core's end of the Electron transport: one MessagePortMain per renderer connection. Frames
 * arrive by structured clone; their size is estimated and capped like the WebSocket's.
 */
export function fromMessagePortMain(port: MessagePortMainLike, maxFrameBytes = MAX_FRAME_BYTES): MessagePassingProtocol {
  const closed = new Emitter<string>();
  let isClosed = false;
  port.on('close', () => {
    if (isClosed) return;
    isClosed = true;
    closed.fire('renderer closed the port');
  });
  port.start();
  return {
    send(message) {
      if (!isClosed) port.postMessage(message);
    },
    onMessage(listener) {
      const wrapped = (event: { data: unknown }): void => {
        const size = estimateSize(event.data, maxFrameBytes);
        if (size > maxFrameBytes) {
          const refusal: ServerFrame = {
            kind: 'result',
            id: frameId(event.data),
            ok: false,
            error: { code: 'TOO_LARGE', message: `frame: over the ${maxFrameBytes}-byte limit` },
          };
          port.postMessage(refusal);
          return;
        }
        listener(event.data);
      };
      port.on('message', wrapped);
      return toDisposable(() => port.off('message', wrapped));
    },
    onClose: closed.event,
    close() {
      isClosed = true;
      port.close();
    },
  };
}

function frameId(data: unknown): number | null {
  const id = typeof data === 'object' && data !== null ? (data as { id?: unknown }).id : undefined;
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? id : null;
}

/** Size of a cloned frame as JSON text; values JSON cannot represent count as over the limit. */
function estimateSize(value: unknown, limit: number): number {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? 0 : text.length;
  } catch {
    return limit + 1;
  }
}
