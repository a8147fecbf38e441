import { describe, expect, it } from 'vitest';
import { MessageQueues } from './messages';

/** A receiver whose handler finishes only when the test says so. */
function gatedReceiver() {
  const handled: unknown[] = [];
  const gates: (() => void)[] = [];
  const undelivered: string[] = [];
  const queues = new MessageQueues({
    waitMs: 200,
    limit: 3,
    maxWaiting: 2,
    deliver: (_from, _to, message) =>
      new Promise<void>((resolve) => {
        gates.push(() => {
          handled.push(message);
          resolve();
        });
      }),
    onUndelivered: (from, to, error) => undelivered.push(`${from}->${to}: ${(error as Error).message}`),
  });
  const release = async (): Promise<void> => {
    gates.shift()?.();
    await new Promise((resolve) => setTimeout(resolve, 0));
  };
  return { queues, handled, gates, undelivered, release };
}

describe('MessageQueues', () => {
  it('delivers one pair in order, one at a time, and makes senders wait while the queue is full', async () => {
    const { queues, handled, release } = gatedReceiver();
    const settled: number[] = [];
    const sends = [0, 1, 2, 3, 4].map((n) => queues.send('A', 'B', n, 1).then(() => settled.push(n)));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(settled).toEqual([0, 1, 2]);
    expect(queues.pending('A', 'B')).toEqual({ queued: 3, waiting: 2 });
    // A third sender beyond maxWaiting is refused at once.
    await expect(queues.send('A', 'B', 5, 1)).rejects.toMatchObject({ code: 'BUSY' });
    await release();
    expect(settled).toEqual([0, 1, 2, 3]);
    for (let i = 0; i < 4; i++) await release();
    await Promise.all(sends);
    expect(handled).toEqual([0, 1, 2, 3, 4]);
    expect(queues.pending('A', 'B')).toEqual({ queued: 0, waiting: 0 });
  });

  it('fails a send with BUSY when no room comes in time, and keeps pairs apart', async () => {
    const { queues, release } = gatedReceiver();
    for (let n = 0; n < 3; n++) await queues.send('A', 'B', n, 1);
    await expect(queues.send('A', 'B', 3, 1)).rejects.toMatchObject({ code: 'BUSY', message: expect.stringMatching(/B is not keeping up with messages from A/) });
    // Another sender to the same receiver has its own queue.
    await queues.send('C', 'B', 'c', 1);
    expect(queues.pending('C', 'B').queued).toBe(1);
    await release();
  });

  it('holds at most maxBytes, but always lets one message through', async () => {
    const delivered: unknown[] = [];
    const queues = new MessageQueues({ waitMs: 50, maxBytes: 10, deliver: async (_f, _t, m) => void delivered.push(m), onUndelivered: () => undefined });
    await queues.send('A', 'B', 'big', 50);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(delivered).toEqual(['big']);
  });

  it('drops the queues of a plugin that goes, failing the sends that wait', async () => {
    const { queues, undelivered, gates } = gatedReceiver();
    for (let n = 0; n < 3; n++) await queues.send('A', 'B', n, 1);
    const waiting = queues.send('A', 'B', 3, 1);
    queues.dropPlugin('B', 'crashed');
    await expect(waiting).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(undelivered).toEqual(['A->B: 2 queued messages were dropped: B crashed']);
    expect(queues.pending('A', 'B')).toEqual({ queued: 0, waiting: 0 });
    gates.shift()?.();
  });

  it('reports a message whose handler failed and goes on with the next', async () => {
    const undelivered: string[] = [];
    const delivered: unknown[] = [];
    const queues = new MessageQueues({
      waitMs: 50,
      deliver: async (_f, _t, m) => {
        if (m === 'bad') throw new Error('handler threw');
        delivered.push(m);
      },
      onUndelivered: (_f, _t, error) => undelivered.push((error as Error).message),
    });
    await queues.send('A', 'B', 'bad', 1);
    await queues.send('A', 'B', 'good', 1);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(delivered).toEqual(['good']);
    expect(undelivered).toEqual(['handler threw']);
  });
});
