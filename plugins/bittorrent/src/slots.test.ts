import { describe, expect, it } from 'vitest';
import { Slots } from './slots';

describe('Slots (max_torrents)', () => {
  it('lets the limit through, queues the rest in order, and drops a waiter whose job was cancelled', async () => {
    let limit = 2;
    const slots = new Slots(() => limit);
    const order: string[] = [];
    await slots.acquire();
    await slots.acquire();
    const third = slots.acquire().then(() => order.push('third'));
    const cancel = new AbortController();
    const fourth = slots.acquire(cancel.signal).catch((error: Error) => order.push(`fourth: ${error.message}`));
    const fifth = slots.acquire().then(() => order.push('fifth'));
    expect([slots.active, slots.queued]).toEqual([2, 3]);
    cancel.abort();
    await fourth;
    slots.release();
    await third;
    expect(order).toEqual(['fourth: aborted while waiting for a slot', 'third']);
    limit = 3;
    slots.release();
    await fifth;
    expect(order.at(-1)).toBe('fifth');
    expect([slots.active, slots.queued]).toEqual([2, 0]);
  });
});
