import { Emitter } from '../../lifecycle';
import type { MessagePassingProtocol } from '../protocol';

/**
 * Two connected in-memory protocol ends: the CLI talks to an in-process Core this way, and tests
 * do. Messages are delivered asynchronously and cloned like a real transport, so nothing can
 * rely on shared object identity.
 */
export function memoryProtocolPair(): [MessagePassingProtocol, MessagePassingProtocol] {
  const make = () => ({ messages: new Emitter<unknown>(), closed: new Emitter<string>(), isClosed: false });
  const a = make();
  const b = make();
  const end = (self: typeof a, other: typeof a): MessagePassingProtocol => ({
    send(message) {
      if (self.isClosed) throw new Error('closed');
      const copy = structuredClone(message);
      queueMicrotask(() => {
        if (!other.isClosed) other.messages.fire(copy);
      });
    },
    onMessage: (listener) => self.messages.event(listener),
    onClose: (listener) => self.closed.event(listener),
    close() {
      for (const side of [self, other]) {
        if (side.isClosed) continue;
        side.isClosed = true;
        side.closed.fire('closed');
      }
    },
  });
  return [end(a, b), end(b, a)];
}

