import type { RawData, WebSocket } from 'ws';
import type { MessagePassingProtocol } from '@shared/ipc/protocol';
import { Emitter, toDisposable } from '@shared/lifecycle';
import { MAX_FRAME_BYTES, type ServerFrame } from '@shared/ipc/wire';

/** An unparseable frame is handed to the router as this, so it answers with a typed error. */
export const UNPARSEABLE = Object.freeze({ unparseable: true });

/**
 * Core's end of a WebSocket connection. Frames are JSON text; frames over MAX_FRAME_BYTES are
 * refused with TOO_LARGE (the socket's own maxPayload closes the connection far above that).
 */
export function serverWebSocketProtocol(socket: WebSocket, maxFrameBytes = MAX_FRAME_BYTES): MessagePassingProtocol {
  const closed = new Emitter<string>();
  socket.on('close', (code, reason) => closed.fire(reason.toString() || `code ${code}`));
  const sendFrame = (frame: ServerFrame): void => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(frame));
  };
  return {
    send(message) {
      sendFrame(message as ServerFrame);
    },
    onMessage(listener) {
      const handler = (data: RawData, isBinary: boolean): void => {
        const size = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : (data as Buffer | ArrayBuffer).byteLength;
        if (size > maxFrameBytes) {
          sendFrame({
            kind: 'result',
            id: leadingId(data),
            ok: false,
            error: { code: 'TOO_LARGE', message: `frame: ${size} bytes is over the ${maxFrameBytes}-byte limit` },
          });
          return;
        }
        if (isBinary) {
          listener(UNPARSEABLE);
          return;
        }
        const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as Buffer).toString('utf8');
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = UNPARSEABLE;
        }
        listener(parsed);
      };
      socket.on('message', handler);
      return toDisposable(() => socket.off('message', handler));
    },
    onClose: closed.event,
    close() {
      socket.close(1001, 'Core is stopping');
    },
  };
}

/** The id of an oversized frame, read from its first bytes (clients write `id` near the start). */
function leadingId(data: RawData): number | null {
  const head = (Array.isArray(data) ? data[0] : Buffer.from(data as Buffer))?.subarray(0, 128).toString('utf8') ?? '';
  const match = /"id"\s*:\s*(\d{1,15})[,}]/.exec(head);
  return match ? Number(match[1]) : null;
}
