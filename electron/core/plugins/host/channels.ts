import type { MessagePassingProtocol } from '@shared/ipc/protocol';
import { toDisposable } from '@shared/lifecycle';

/**
 * Core and a plugin host each serve a contract to the other over one process channel. Frames
 * are tagged: 'host' frames belong to the contract the host serves, 'core' frames to the one
 * Core serves. `channel(protocol, tag)` is one of the two sub-protocols.
 */
export type ChannelTag = 'host' | 'core';

export function channel(protocol: MessagePassingProtocol, tag: ChannelTag): MessagePassingProtocol {
  return {
    send(message) {
      protocol.send({ ch: tag, f: message });
    },
    onMessage(listener) {
      const sub = protocol.onMessage((raw) => {
        if (typeof raw === 'object' && raw !== null && (raw as { ch?: unknown }).ch === tag) {
          listener((raw as { f?: unknown }).f);
        }
      });
      return toDisposable(() => sub.dispose());
    },
    onClose: (listener) => protocol.onClose(listener),
    close: () => protocol.close(),
  };
}
