import type { Disposable } from '../lifecycle';

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface CoalescerOptions<T> {
  /** At most one value per key in this many milliseconds; 0 only drops unchanged values. */
  minIntervalMs: number;
  key: (value: T) => string;
  send: (value: T) => void;
  clock?: Clock;
  /**
   * Keys remembered at most (default 5000): a subscription that lives as long as the app sees
   * every job ever made. The least recently sent key without a pending value is forgotten first;
   * its next value is simply sent.
   */
  maxKeys?: number;
}

interface KeyState<T> {
  sentAt: number;
  fingerprint: string;
  pending?: { value: T; fingerprint: string };
  timer?: unknown;
}

/**
 * Diff-and-throttle for event streams (WebTorrent Desktop's progress loop): never sends a value
 * equal to the last one sent for its key, and sends at most one value per key per interval.
 * Within an interval the latest value wins and is flushed when the interval ends, so the final
 * state of a key is always delivered.
 */
export class StreamCoalescer<T> implements Disposable {
  private readonly keys = new Map<string, KeyState<T>>();
  private readonly clock: Clock;
  private disposed = false;

  constructor(private readonly options: CoalescerOptions<T>) {
    this.clock = options.clock ?? systemClock;
  }

  push(value: T): void {
    if (this.disposed) return;
    const key = this.options.key(value);
    const fingerprint = JSON.stringify(value);
    const state = this.keys.get(key);
    if (!state) {
      this.sendNow(key, value, fingerprint);
      return;
    }
    if (state.pending) {
      if (fingerprint === state.fingerprint) {
        // Went back to what the client already has: nothing to flush.
        state.pending = undefined;
        this.clearTimer(state);
      } else {
        state.pending = { value, fingerprint };
      }
      return;
    }
    if (fingerprint === state.fingerprint) return;
    const elapsed = this.clock.now() - state.sentAt;
    if (elapsed >= this.options.minIntervalMs) {
      this.sendNow(key, value, fingerprint);
      return;
    }
    state.pending = { value, fingerprint };
    state.timer = this.clock.setTimeout(() => this.flush(key), this.options.minIntervalMs - elapsed);
  }

  /** Stop tracking a key (for example a finished job), flushing what is pending first. */
  forget(key: string): void {
    this.flush(key);
    this.keys.delete(key);
  }

  get trackedKeys(): number {
    return this.keys.size;
  }

  dispose(): void {
    this.disposed = true;
    for (const state of this.keys.values()) this.clearTimer(state);
    this.keys.clear();
  }

  private flush(key: string): void {
    const state = this.keys.get(key);
    if (!state?.pending) return;
    this.clearTimer(state);
    const { value, fingerprint } = state.pending;
    state.pending = undefined;
    this.sendNow(key, value, fingerprint);
  }

  private sendNow(key: string, value: T, fingerprint: string): void {
    const state = this.keys.get(key);
    if (state) {
      state.sentAt = this.clock.now();
      state.fingerprint = fingerprint;
      // Most recently sent last, so eviction takes the stalest key.
      this.keys.delete(key);
      this.keys.set(key, state);
    } else {
      this.keys.set(key, { sentAt: this.clock.now(), fingerprint });
      this.evictBeyondLimit();
    }
    this.options.send(value);
  }

  private evictBeyondLimit(): void {
    const max = this.options.maxKeys ?? 5000;
    if (this.keys.size <= max) return;
    for (const [key, state] of this.keys) {
      if (state.pending) continue;
      this.keys.delete(key);
      if (this.keys.size <= max) return;
    }
  }

  private clearTimer(state: KeyState<T>): void {
    if (state.timer !== undefined) {
      this.clock.clearTimeout(state.timer);
      state.timer = undefined;
    }
  }
}
