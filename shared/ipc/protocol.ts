import type { Disposable } from '../lifecycle';

/**
 * The seam between the contract and a transport (VS Code's IMessagePassingProtocol).
 * A transport moves whole frames; it does not look inside them.
 */
export interface MessagePassingProtocol<Out = unknown> {
  send(message: Out): void;
  onMessage(listener: (message: unknown) => void): Disposable;
  onClose(listener: (reason: string) => void): Disposable;
  close(): void;
}
