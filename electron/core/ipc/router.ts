import type { z } from 'zod';
import { StreamCoalescer, type Clock } from '@shared/ipc/coalesce';
import type {
  CallName,
  CallOutput,
  CallParsedInput,
  Contract,
  EventData,
  EventName,
  EventParsedParams,
} from '@shared/ipc/define';
import { HavenError, describeZodError, prefixError, toErrorPayload, type ErrorPayload } from '@shared/ipc/errors';
import { DisposableStore, toDisposable, type Disposable } from '@shared/lifecycle';
import type { MessagePassingProtocol } from '@shared/ipc/protocol';
import { ClientFrame, type ServerFrame } from '@shared/ipc/wire';

export interface RequestContext {
  readonly connectionId: number;
  readonly transport: string;
  /** Aborted when the connection closes. */
  readonly signal: AbortSignal;
}

export interface EventSink<D> {
  next(data: D): void;
  /** Ends the stream for this subscriber; an error is sent as `{code, message}`. */
  end(error?: unknown): void;
}

export type CallHandlers<C extends Contract> = {
  [N in CallName<C>]: (
    input: CallParsedInput<C, N>,
    context: RequestContext,
  ) => CallOutput<C, N> | Promise<CallOutput<C, N>>;
};

export type EventHandlers<C extends Contract> = {
  [N in EventName<C>]: (
    params: EventParsedParams<C, N>,
    sink: EventSink<EventData<C, N>>,
    context: RequestContext,
  ) => Disposable;
};

export interface RouterLogger {
  warn(message: string, fields?: Record<string, unknown>): void;
}

export interface RouterOptions {
  logger?: RouterLogger;
  clock?: Clock;
  maxInFlightCalls?: number;
  maxSubscriptions?: number;
}

/**
 * Binds a contract to handlers and serves it over any MessagePassingProtocol. Every frame and
 * every input is validated before a handler runs; whatever goes wrong is answered with a typed
 * `{code, message}` naming the call, and never escapes to crash Core.
 */
export class IpcRouter<C extends Contract> implements Disposable {
  private nextConnectionId = 1;
  private readonly connections = new DisposableStore();
  private readonly logger: RouterLogger;

  constructor(
    private readonly contract: C,
    private readonly handlers: { calls: CallHandlers<C>; events: EventHandlers<C> },
    private readonly options: RouterOptions = {},
  ) {
    this.logger = options.logger ?? { warn: () => undefined };
  }

  get connectionCount(): number {
    return this.openConnections;
  }
  private openConnections = 0;

  connect(protocol: MessagePassingProtocol, transport: string): Disposable {
    const connection = new RouterConnection(this.nextConnectionId++, transport, protocol, this, this.options);
    this.openConnections++;
    const handle = toDisposable(() => {
      this.openConnections--;
      connection.dispose();
    });
    connection.onEnded = () => {
      this.connections.delete(handle);
      handle.dispose();
    };
    return this.connections.add(handle);
  }

  /** @internal */
  resolveCall(name: string): { spec: C['calls'][string]; handler: CallHandlers<C>[CallName<C>] } | undefined {
    if (!Object.hasOwn(this.contract.calls, name)) return undefined;
    const handler = (this.handlers.calls as Record<string, unknown>)[name];
    if (typeof handler !== 'function') return undefined;
    return { spec: this.contract.calls[name] as C['calls'][string], handler: handler as CallHandlers<C>[CallName<C>] };
  }

  /** @internal */
  resolveEvent(name: string): { spec: C['events'][string]; handler: EventHandlers<C>[EventName<C>] } | undefined {
    if (!Object.hasOwn(this.contract.events, name)) return undefined;
    const handler = (this.handlers.events as Record<string, unknown>)[name];
    if (typeof handler !== 'function') return undefined;
    return { spec: this.contract.events[name] as C['events'][string], handler: handler as EventHandlers<C>[EventName<C>] };
  }

  /** @internal */
  warn(message: string, fields?: Record<string, unknown>): void {
    this.logger.warn(message, fields);
  }

  dispose(): void {
    this.connections.dispose();
  }
}

class RouterConnection<C extends Contract> implements Disposable {
  onEnded: () => void = () => undefined;
  private readonly abort = new AbortController();
  private readonly subscriptions = new Map<number, Disposable>();
  private readonly store = new DisposableStore();
  private inFlight = 0;
  private closed = false;
  private readonly context: RequestContext;
  private readonly maxInFlight: number;
  private readonly maxSubscriptions: number;

  constructor(
    id: number,
    transport: string,
    private readonly protocol: MessagePassingProtocol,
    private readonly router: IpcRouter<C>,
    private readonly options: RouterOptions,
  ) {
    this.context = { connectionId: id, transport, signal: this.abort.signal };
    this.maxInFlight = options.maxInFlightCalls ?? 256;
    this.maxSubscriptions = options.maxSubscriptions ?? 256;
    this.store.add(protocol.onMessage((raw) => this.receive(raw)));
    this.store.add(protocol.onClose(() => this.onEnded()));
  }

  private send(frame: ServerFrame): void {
    if (this.closed) return;
    try {
      this.protocol.send(frame);
    } catch (error) {
      this.router.warn('ipc: could not send a frame', { error: String(error) });
    }
  }

  private fail(id: number | null, error: ErrorPayload): void {
    this.send({ kind: 'result', id, ok: false, error });
  }

  private receive(raw: unknown): void {
    if (this.closed) return;
    try {
      const parsed = ClientFrame.safeParse(raw);
      if (!parsed.success) {
        const id = extractId(raw);
        this.fail(id, { code: 'BAD_MESSAGE', message: `frame: ${describeZodError(parsed.error, 'frame').replace(/^frame\.?/, '') || 'malformed'}` });
        return;
      }
      const frame = parsed.data;
      if (frame.kind === 'call') void this.handleCall(frame.id, frame.name, frame.input);
      else if (frame.kind === 'subscribe') this.handleSubscribe(frame.id, frame.name, frame.params);
      else this.handleUnsubscribe(frame.id);
    } catch (error) {
      // Nothing a client sends may take the connection or Core down.
      this.router.warn('ipc: unexpected error while handling a frame', { error: String(error) });
      this.fail(extractId(raw), { code: 'INTERNAL', message: `frame: ${String(error)}` });
    }
  }

  private async handleCall(id: number, name: string, input: unknown): Promise<void> {
    const resolved = this.router.resolveCall(name);
    if (!resolved) {
      this.fail(id, { code: 'UNKNOWN_CALL', message: `${truncate(name)}: unknown call` });
      return;
    }
    if (this.inFlight >= this.maxInFlight) {
      this.fail(id, { code: 'UNAVAILABLE', message: `${name}: too many calls in flight (${this.maxInFlight})` });
      return;
    }
    const parsedInput = resolved.spec.input.safeParse(input);
    if (!parsedInput.success) {
      this.fail(id, { code: 'INVALID_INPUT', message: `${name}: ${describeZodError(parsedInput.error, 'input')}` });
      return;
    }
    this.inFlight++;
    try {
      const output: unknown = await resolved.handler(parsedInput.data as never, this.context);
      const checked = (resolved.spec.output as z.ZodType).safeParse(output);
      if (!checked.success) {
        this.router.warn('ipc: handler returned output that breaks the contract', {
          call: name,
          issues: describeZodError(checked.error, 'output'),
        });
        this.fail(id, {
          code: 'INVALID_OUTPUT',
          message: `${name}: Core produced an invalid answer (${describeZodError(checked.error, 'output')})`,
        });
        return;
      }
      this.send({ kind: 'result', id, ok: true, output: checked.data });
    } catch (error) {
      this.fail(id, prefixError(name, toErrorPayload(error)));
    } finally {
      this.inFlight--;
    }
  }

  private handleSubscribe(id: number, name: string, params: unknown): void {
    const resolved = this.router.resolveEvent(name);
    if (!resolved) {
      this.send({ kind: 'end', id, error: { code: 'UNKNOWN_EVENT', message: `${truncate(name)}: unknown event` } });
      return;
    }
    if (this.subscriptions.has(id)) {
      this.send({ kind: 'end', id, error: { code: 'BAD_MESSAGE', message: `${name}: subscription id ${id} is in use` } });
      return;
    }
    if (this.subscriptions.size >= this.maxSubscriptions) {
      this.send({
        kind: 'end',
        id,
        error: { code: 'UNAVAILABLE', message: `${name}: too many subscriptions (${this.maxSubscriptions})` },
      });
      return;
    }
    const parsedParams = resolved.spec.params.safeParse(params);
    if (!parsedParams.success) {
      this.send({
        kind: 'end',
        id,
        error: { code: 'INVALID_INPUT', message: `${name}: ${describeZodError(parsedParams.error, 'params')}` },
      });
      return;
    }

    const { spec } = resolved;
    let ended = false;
    const sendEvent = (data: unknown): void => this.send({ kind: 'event', id, data });
    const subscription = new DisposableStore();
    let deliver = sendEvent;
    if (spec.delivery !== 'all') {
      const coalescer = subscription.add(
        new StreamCoalescer<unknown>({
          minIntervalMs: spec.coalesce?.minIntervalMs ?? 0,
          key: spec.coalesce ? (data) => spec.coalesce!.key(data) : () => '',
          send: sendEvent,
          ...(this.options.clock ? { clock: this.options.clock } : {}),
        }),
      );
      deliver = (data) => coalescer.push(data);
    }
    this.subscriptions.set(id, subscription);

    const finish = (error?: unknown): void => {
      if (ended) return;
      ended = true;
      this.subscriptions.delete(id);
      safeDispose(subscription, this.router);
      this.send(
        error === undefined ? { kind: 'end', id } : { kind: 'end', id, error: prefixError(name, toErrorPayload(error)) },
      );
    };
    const sink: EventSink<unknown> = {
      next: (data) => {
        if (ended) return;
        const checked = (spec.data as z.ZodType).safeParse(data);
        if (!checked.success) {
          this.router.warn('ipc: event data breaks the contract', {
            event: name,
            issues: describeZodError(checked.error, 'data'),
          });
          finish(new HavenError('INVALID_OUTPUT', `Core produced invalid event data (${describeZodError(checked.error, 'data')})`));
          return;
        }
        deliver(checked.data);
      },
      end: finish,
    };
    try {
      const handle = resolved.handler(parsedParams.data as never, sink as never, this.context);
      if (ended) safeDispose(handle, this.router);
      else subscription.add(handle);
    } catch (error) {
      finish(error);
    }
  }

  private handleUnsubscribe(id: number): void {
    const subscription = this.subscriptions.get(id);
    if (!subscription) return;
    this.subscriptions.delete(id);
    safeDispose(subscription, this.router);
  }

  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort();
    for (const subscription of this.subscriptions.values()) safeDispose(subscription, this.router);
    this.subscriptions.clear();
    this.store.dispose();
  }
}

function extractId(raw: unknown): number | null {
  if (typeof raw === 'object' && raw !== null && 'id' in raw) {
    const id = (raw as { id: unknown }).id;
    if (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0) return id;
  }
  return null;
}

function truncate(text: string): string {
  return text.length > 64 ? `${text.slice(0, 64)}…` : text;
}

function safeDispose(item: Disposable, router: { warn: RouterLogger['warn'] }): void {
  try {
    item.dispose();
  } catch (error) {
    router.warn('ipc: a subscription failed to dispose', { error: String(error) });
  }
}
