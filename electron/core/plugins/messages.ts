import { HavenError } from '@shared/ipc/errors';
import { MESSAGE_QUEUE_LIMIT, MESSAGE_QUEUE_MAX_BYTES } from '@shared/sdk/messaging';

export interface MessageQueueOptions {
  /** Hands one message to the receiver; resolves when its handlers are done with it. */
  deliver(from: string, to: string, message: unknown): Promise<void>;
  /** A message that was queued but never handled (the handler threw, timed out, or the receiver went). */
  onUndelivered(from: string, to: string, error: unknown): void;
  /** How long a send may wait for room in a full queue before it fails with BUSY. */
  waitMs: number;
  /** Messages held per sender and receiver, the one being handled included. */
  limit?: number;
  /** Bytes of JSON held per sender and receiver (a single larger message still goes alone). */
  maxBytes?: number;
  /** Sends allowed to wait for room per sender and receiver; more fail with BUSY at once. */
  maxWaiting?: number;
}

interface Held {
  message: unknown;
  bytes: number;
}

interface Waiter extends Held {
  admit(): void;
  fail(error: HavenError): void;
}

interface Pair {
  from: string;
  to: string;
  queue: Held[];
  bytes: number;
  waiting: Waiter[];
  pumping: boolean;
  closed: boolean;
}

/**
 * Messages between plugins (`ctx.send`), held by Core in one bounded FIFO queue per sender and
 * receiver. Each queue hands the receiver one message at a time, so a pair's messages arrive in
 * order and a slow receiver holds up only the senders writing to it. A send resolves once its
 * message is in the queue; while the queue is full (count or bytes) it waits, in order, and fails
 * with BUSY after `waitMs`. Only a few sends may wait, so memory stays bounded however a plugin
 * calls it. When a plugin goes, every queue it is part of is dropped.
 */
export class MessageQueues {
  private readonly pairs = new Map<string, Pair>();
  private readonly limit: number;
  private readonly maxBytes: number;
  private readonly maxWaiting: number;

  constructor(private readonly options: MessageQueueOptions) {
    this.limit = options.limit ?? MESSAGE_QUEUE_LIMIT;
    this.maxBytes = options.maxBytes ?? MESSAGE_QUEUE_MAX_BYTES;
    this.maxWaiting = options.maxWaiting ?? 16;
  }

  send(from: string, to: string, message: unknown, bytes: number): Promise<void> {
    const pair = this.pair(from, to);
    if (pair.waiting.length === 0 && this.hasRoom(pair, bytes)) {
      this.enqueue(pair, { message, bytes });
      return Promise.resolve();
    }
    if (pair.waiting.length >= this.maxWaiting) {
      return Promise.reject(this.busy(pair, `${pair.queue.length} messages are queued and ${pair.waiting.length} more are waiting`));
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        message,
        bytes,
        admit: () => {
          clearTimeout(timer);
          resolve();
        },
        fail: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        const index = pair.waiting.indexOf(waiter);
        if (index >= 0) pair.waiting.splice(index, 1);
        reject(this.busy(pair, `its queue stayed full (${pair.queue.length} messages) for ${this.options.waitMs} ms`));
      }, this.options.waitMs);
      timer.unref?.();
      pair.waiting.push(waiter);
    });
  }

  /** Messages held for one pair (queued, being handled, and waiting for room). */
  pending(from: string, to: string): { queued: number; waiting: number } {
    const pair = this.pairs.get(key(from, to));
    return { queued: pair?.queue.length ?? 0, waiting: pair?.waiting.length ?? 0 };
  }

  /** The plugin went: drop every queue it sends or receives on; sends waiting for room fail. */
  dropPlugin(plugin: string, reason: string): void {
    for (const [id, pair] of this.pairs) {
      if (pair.from !== plugin && pair.to !== plugin) continue;
      this.pairs.delete(id);
      pair.closed = true;
      const dropped = pair.queue.length - (pair.pumping ? 1 : 0);
      for (const waiter of pair.waiting.splice(0)) waiter.fail(new HavenError('UNAVAILABLE', `${plugin} ${reason}; the message to ${pair.to} was not sent`));
      if (dropped > 0) this.options.onUndelivered(pair.from, pair.to, new HavenError('UNAVAILABLE', `${dropped} queued messages were dropped: ${plugin} ${reason}`));
      pair.queue = [];
      pair.bytes = 0;
    }
  }

  /** Haven stops: waiting sends fail, queued messages go unreported (the logs may be closed). */
  dispose(): void {
    for (const pair of this.pairs.values()) {
      pair.closed = true;
      for (const waiter of pair.waiting.splice(0)) waiter.fail(new HavenError('UNAVAILABLE', 'Haven is stopping'));
    }
    this.pairs.clear();
  }

  private pair(from: string, to: string): Pair {
    const id = key(from, to);
    let pair = this.pairs.get(id);
    if (!pair) {
      pair = { from, to, queue: [], bytes: 0, waiting: [], pumping: false, closed: false };
      this.pairs.set(id, pair);
    }
    return pair;
  }

  private hasRoom(pair: Pair, bytes: number): boolean {
    if (pair.queue.length === 0) return true;
    return pair.queue.length < this.limit && pair.bytes + bytes <= this.maxBytes;
  }

  private enqueue(pair: Pair, held: Held): void {
    pair.queue.push(held);
    pair.bytes += held.bytes;
    if (!pair.pumping) void this.pump(pair);
  }

  private async pump(pair: Pair): Promise<void> {
    pair.pumping = true;
    try {
      while (!pair.closed && pair.queue.length > 0) {
        const head = pair.queue[0]!;
        try {
          await this.options.deliver(pair.from, pair.to, head.message);
        } catch (error) {
          if (!pair.closed) this.options.onUndelivered(pair.from, pair.to, error);
        }
        if (pair.closed) return;
        pair.queue.shift();
        pair.bytes -= head.bytes;
        // Room again: the longest-waiting sends go in first, in order.
        while (pair.waiting.length > 0 && this.hasRoom(pair, pair.waiting[0]!.bytes)) {
          const waiter = pair.waiting.shift()!;
          pair.queue.push({ message: waiter.message, bytes: waiter.bytes });
          pair.bytes += waiter.bytes;
          waiter.admit();
        }
      }
    } finally {
      pair.pumping = false;
      if (!pair.closed && pair.queue.length === 0 && pair.waiting.length === 0) this.pairs.delete(key(pair.from, pair.to));
    }
  }

  private busy(pair: Pair, why: string): HavenError {
    return new HavenError('BUSY', `${pair.to} is not keeping up with messages from ${pair.from}: ${why}; try again later`);
  }
}

function key(from: string, to: string): string {
  return `${from}\u0000${to}`;
}
