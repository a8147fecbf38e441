import { describe, expect, it } from 'vitest';
import { FakeClock } from '../testing/fakeClock';
import { StreamCoalescer } from './coalesce';

interface Progress {
  jobId: string;
  bytes: number;
}

function setup(minIntervalMs = 100) {
  const clock = new FakeClock();
  const sent: Progress[] = [];
  const coalescer = new StreamCoalescer<Progress>({
    minIntervalMs,
    key: (p) => p.jobId,
    send: (p) => sent.push(p),
    clock,
  });
  return { clock, sent, coalescer };
}

describe('StreamCoalescer', () => {
  it('sends the first value of a key at once', () => {
    const { sent, coalescer } = setup();
    coalescer.push({ jobId: 'a', bytes: 1 });
    expect(sent).toEqual([{ jobId: 'a', bytes: 1 }]);
  });

  it('never sends a value equal to the last one sent', () => {
    const { clock, sent, coalescer } = setup();
    coalescer.push({ jobId: 'a', bytes: 1 });
    clock.advance(500);
    coalescer.push({ jobId: 'a', bytes: 1 });
    coalescer.push({ jobId: 'a', bytes: 1 });
    expect(sent).toHaveLength(1);
  });

  it('sends at most one value per key per interval, the latest one, at the end of the interval', () => {
    const { clock, sent, coalescer } = setup(100);
    for (let i = 1; i <= 50; i++) {
      coalescer.push({ jobId: 'a', bytes: i });
      clock.advance(2);
    }
    // 100 ms of updates at 500 Hz: the first at once, then one flush per 100 ms.
    clock.advance(200);
    expect(sent.map((p) => p.bytes)).toEqual([1, 50]);
  });

  it('holds 10 updates a second per key under a 1 kHz flood over one second', () => {
    const { clock, sent, coalescer } = setup(100);
    for (let i = 1; i <= 1000; i++) {
      coalescer.push({ jobId: 'a', bytes: i });
      clock.advance(1);
    }
    clock.advance(100);
    expect(sent.length).toBeGreaterThanOrEqual(10);
    expect(sent.length).toBeLessThanOrEqual(11);
    expect(sent.at(-1)?.bytes).toBe(1000);
  });

  it('throttles keys independently', () => {
    const { clock, sent, coalescer } = setup(100);
    coalescer.push({ jobId: 'a', bytes: 1 });
    coalescer.push({ jobId: 'b', bytes: 1 });
    coalescer.push({ jobId: 'a', bytes: 2 });
    expect(sent).toEqual([
      { jobId: 'a', bytes: 1 },
      { jobId: 'b', bytes: 1 },
    ]);
    clock.advance(100);
    expect(sent.at(-1)).toEqual({ jobId: 'a', bytes: 2 });
  });

  it('drops a pending value that returns to what the client already has', () => {
    const { clock, sent, coalescer } = setup(100);
    coalescer.push({ jobId: 'a', bytes: 1 });
    coalescer.push({ jobId: 'a', bytes: 2 });
    coalescer.push({ jobId: 'a', bytes: 1 });
    clock.advance(300);
    expect(sent).toEqual([{ jobId: 'a', bytes: 1 }]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('with a zero interval only removes duplicates', () => {
    const { sent, coalescer } = setup(0);
    coalescer.push({ jobId: 'a', bytes: 1 });
    coalescer.push({ jobId: 'a', bytes: 2 });
    coalescer.push({ jobId: 'a', bytes: 2 });
    coalescer.push({ jobId: 'a', bytes: 3 });
    expect(sent.map((p) => p.bytes)).toEqual([1, 2, 3]);
  });

  it('forget flushes what is pending and stops tracking the key', () => {
    const { sent, coalescer } = setup(100);
    coalescer.push({ jobId: 'a', bytes: 1 });
    coalescer.push({ jobId: 'a', bytes: 9 });
    coalescer.forget('a');
    expect(sent.at(-1)).toEqual({ jobId: 'a', bytes: 9 });
    expect(coalescer.trackedKeys).toBe(0);
  });

  it('sends nothing after dispose and leaves no timers behind', () => {
    const { clock, sent, coalescer } = setup(100);
    coalescer.push({ jobId: 'a', bytes: 1 });
    coalescer.push({ jobId: 'a', bytes: 2 });
    coalescer.dispose();
    clock.advance(1000);
    coalescer.push({ jobId: 'a', bytes: 3 });
    expect(sent).toEqual([{ jobId: 'a', bytes: 1 }]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('remembers at most maxKeys keys, forgetting the stalest one without a pending value', () => {
    const sent: { id: string; n: number }[] = [];
    const bounded = new StreamCoalescer<{ id: string; n: number }>({ minIntervalMs: 0, key: (v) => v.id, send: (v) => sent.push(v), maxKeys: 3 });
    for (const id of ['a', 'b', 'c', 'd']) bounded.push({ id, n: 1 });
    expect(bounded.trackedKeys).toBe(3);
    // 'a' was forgotten: the same value is sent again; 'd' is remembered: its repeat is dropped.
    bounded.push({ id: 'a', n: 1 });
    bounded.push({ id: 'd', n: 1 });
    expect(sent.map((v) => v.id)).toEqual(['a', 'b', 'c', 'd', 'a']);
    expect(bounded.trackedKeys).toBe(3);
  });
});
