import type { z } from 'zod';

/** A request/response call: the input is validated in Core before its handler runs. */
export interface CallSpec<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  readonly kind: 'call';
  readonly description: string;
  readonly input: I;
  readonly output: O;
}

/**
 * A stream of events a client subscribes to with params. Core sends only changed values, and
 * for keyed streams (one job's progress) at most one value per key every `minIntervalMs`.
 */
export interface EventSpec<P extends z.ZodType = z.ZodType, D extends z.ZodType = z.ZodType> {
  readonly kind: 'event';
  readonly description: string;
  readonly params: P;
  readonly data: D;
  readonly coalesce?: {
    readonly minIntervalMs: number;
    readonly key: (data: z.output<D>) => string;
  };
  /**
   * 'latest' (the default) is for state: unchanged values are dropped, keyed values throttled.
   * 'all' is for occurrences (bus events, log lines): every value is sent, in order.
   */
  readonly delivery?: 'latest' | 'all';
}

export interface Contract {
  readonly calls: Readonly<Record<string, CallSpec>>;
  readonly events: Readonly<Record<string, EventSpec>>;
}

export function call<I extends z.ZodType, O extends z.ZodType>(spec: Omit<CallSpec<I, O>, 'kind'>): CallSpec<I, O> {
  return { kind: 'call', ...spec };
}

export function event<P extends z.ZodType, D extends z.ZodType>(
  spec: Omit<EventSpec<P, D>, 'kind'>,
): EventSpec<P, D> {
  return { kind: 'event', ...spec };
}

export function defineContract<C extends Contract>(contract: C): C {
  return contract;
}

export type CallName<C extends Contract> = keyof C['calls'] & string;
export type EventName<C extends Contract> = keyof C['events'] & string;

/** What a client passes (defaults may be omitted). */
export type CallInput<C extends Contract, N extends CallName<C>> = z.input<C['calls'][N]['input']>;
/** What a handler receives after parsing. */
export type CallParsedInput<C extends Contract, N extends CallName<C>> = z.output<C['calls'][N]['input']>;
export type CallOutput<C extends Contract, N extends CallName<C>> = z.output<C['calls'][N]['output']>;

export type EventParams<C extends Contract, N extends EventName<C>> = z.input<C['events'][N]['params']>;
export type EventParsedParams<C extends Contract, N extends EventName<C>> = z.output<C['events'][N]['params']>;
export type EventData<C extends Contract, N extends EventName<C>> = z.output<C['events'][N]['data']>;
