import { HavenError, describeZodError, prefixError } from './errors';
import { Emitter, toDisposable, type Disposable } from '../lifecycle';
import type { CallInput, CallName, CallOutput, Contract, EventData, EventName, EventParams } from './define';
import type { MessagePassingProtocol } from './protocol';
import { isServerFrame } from './frameGuards';
import type { ClientFrame } from './wire';

export interface CallOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface SubscriptionHandlers<D> {
  onData(data: D): void;
  /** Called once when the stream ends: by the server, an error, or the connection closing. */
  onEnd?(error?: HavenError): void;
}

export interface IpcClient<C extends Contract> extends Disposable {
  call<N extends CallName<C>>(name: N, input: CallInput<C, N>, options?: CallOptions): Promise<CallOutput<C, N>>;
  subscribe<N extends EventName<C>>(
    name: N,
    params: EventParams<C, N>,
    handlers: SubscriptionHandlers<EventData<C, N>>,
  ): Disposable;
  readonly onDidClose: (listener: (reason: string) => void) => Disposable;
  readonly isClosed: boolean;
}

interface PendingCall {
  name: string;
  resolve(value: unknown): void;
  reject(error: HavenError): void;
  timer: ReturnType<typeof setTimeout>;
}

interface ActiveSubscription {
  name: string;
  handlers: SubscriptionHandlers<unknown>;
}

const DEFAULT_TIMEOUT_MS = 30_000;

export interface ClientOptions<C extends Contract> {
  /**
   * Validate every answer and event against this contract's schemas. Core passes it when the
   * other side is a plugin process it does not trust; the renderer trusts Core and skips it.
   */
  validateWith?: C;
}

/**
 * A typed client of a contract over any message-passing protocol. It needs only the contract's
 * type (so the renderer bundles no schemas); Core validates every input.
 */
export function createClient<C extends Contract>(protocol: MessagePassingProtocol, options: ClientOptions<C> = {}): IpcClient<C> {
  const contract = options.validateWith;
  let nextId = 1;
  let closed = false;
  const pending = new Map<number, PendingCall>();
  const subscriptions = new Map<number, ActiveSubscription>();
  const closeEmitter = new Emitter<string>();

  const send = (frame: ClientFrame): void => protocol.send(frame);

  const finishAll = (reason: string): void => {
    if (closed) return;
    closed = true;
    for (const [id, call] of pending) {
      clearTimeout(call.timer);
      call.reject(new HavenError('UNAVAILABLE', `${call.name}: connection to Core closed (${reason})`));
      pending.delete(id);
    }
    for (const [id, sub] of subscriptions) {
      subscriptions.delete(id);
      sub.handlers.onEnd?.(new HavenError('UNAVAILABLE', `${sub.name}: connection to Core closed (${reason})`));
    }
    closeEmitter.fire(reason);
  };

  const messageSub = protocol.onMessage((raw) => {
    if (!isServerFrame(raw)) return;
    const frame = raw;
    if (frame.kind === 'result') {
      if (frame.id === null) return;
      const call = pending.get(frame.id);
      if (!call) return;
      pending.delete(frame.id);
      clearTimeout(call.timer);
      if (!frame.ok) {
        call.reject(HavenError.fromPayload(prefixError(call.name, frame.error)));
        return;
      }
      const schema = contract?.calls[call.name]?.output;
      if (!schema) {
        call.resolve(frame.output);
        return;
      }
      const checked = schema.safeParse(frame.output);
      if (checked.success) call.resolve(checked.data);
      else call.reject(new HavenError('INVALID_OUTPUT', `${call.name}: ${describeZodError(checked.error, 'output')}`));
    } else if (frame.kind === 'event') {
      const sub = subscriptions.get(frame.id);
      if (!sub) return;
      const schema = contract?.events[sub.name]?.data;
      if (!schema) {
        sub.handlers.onData(frame.data);
        return;
      }
      const checked = schema.safeParse(frame.data);
      if (checked.success) {
        sub.handlers.onData(checked.data);
        return;
      }
      subscriptions.delete(frame.id);
      send({ kind: 'unsubscribe', id: frame.id });
      sub.handlers.onEnd?.(new HavenError('INVALID_OUTPUT', `${sub.name}: ${describeZodError(checked.error, 'data')}`));
    } else {
      const sub = subscriptions.get(frame.id);
      if (!sub) return;
      subscriptions.delete(frame.id);
      sub.handlers.onEnd?.(frame.error ? HavenError.fromPayload(prefixError(sub.name, frame.error)) : undefined);
    }
  });
  const closeSub = protocol.onClose((reason) => finishAll(reason));

  return {
    get isClosed() {
      return closed;
    },
    onDidClose: closeEmitter.event,
    call(name, input, options = {}) {
      return new Promise((resolve, reject) => {
        if (closed) {
          reject(new HavenError('UNAVAILABLE', `${name}: not connected to Core`));
          return;
        }
        if (options.signal?.aborted) {
          reject(new HavenError('CANCELLED', `${name}: cancelled`));
          return;
        }
        const id = nextId++;
        const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new HavenError('TIMEOUT', `${name}: no answer from Core within ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, { name, resolve: resolve as (value: unknown) => void, reject, timer });
        options.signal?.addEventListener(
          'abort',
          () => {
            if (!pending.delete(id)) return;
            clearTimeout(timer);
            reject(new HavenError('CANCELLED', `${name}: cancelled`));
          },
          { once: true },
        );
        try {
          send({ kind: 'call', id, name, input });
        } catch (error) {
          pending.delete(id);
          clearTimeout(timer);
          reject(new HavenError('UNAVAILABLE', `${name}: could not send (${String(error)})`));
        }
      });
    },
    subscribe(name, params, handlers) {
      if (closed) {
        queueMicrotask(() => handlers.onEnd?.(new HavenError('UNAVAILABLE', `${name}: not connected to Core`)));
        return toDisposable(() => undefined);
      }
      const id = nextId++;
      subscriptions.set(id, { name, handlers: handlers as SubscriptionHandlers<unknown> });
      send({ kind: 'subscribe', id, name, params });
      return toDisposable(() => {
        if (!subscriptions.delete(id) || closed) return;
        try {
          send({ kind: 'unsubscribe', id });
        } catch {
          // The connection is going away; the server drops the subscription with it.
        }
      });
    },
    dispose() {
      messageSub.dispose();
      closeSub.dispose();
      finishAll('client disposed');
      closeEmitter.dispose();
    },
  };
}
