/**
 * At most `limit` holders at once (max_torrents); the rest wait in order. The limit is read at
 * each hand-over, so a changed setting applies to those waiting.
 */
export class Slots {
  private held = 0;
  private readonly waiting: { resolve: () => void; reject: (error: Error) => void }[] = [];

  constructor(private readonly limit: () => number) {}

  get active(): number {
    return this.held;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** Resolves when a slot is free; rejects if `signal` aborts first. */
  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(new Error('aborted while waiting for a slot'));
    if (this.held < this.limit() && this.waiting.length === 0) {
      this.held++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const entry = {
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject,
      };
      const onAbort = (): void => {
        const index = this.waiting.indexOf(entry);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(new Error('aborted while waiting for a slot'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(entry);
    });
  }

  release(): void {
    this.held = Math.max(0, this.held - 1);
    while (this.held < this.limit() && this.waiting.length > 0) {
      this.held++;
      this.waiting.shift()!.resolve();
    }
  }
}
