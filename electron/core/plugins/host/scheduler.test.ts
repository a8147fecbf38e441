import { describe, expect, it } from 'vitest';
import { FakeClock } from '@shared/testing/fakeClock';
import { TaskScheduler } from './scheduler';

const settle = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('TaskScheduler', () => {
  it('runs at once, then every interval', async () => {
    const clock = new FakeClock();
    const scheduler = new TaskScheduler(() => undefined, clock, () => 0);
    let runs = 0;
    scheduler.schedule({ name: 't', intervalMs: 1000, run: () => void runs++ });
    clock.advance(0);
    await settle();
    expect(runs).toBe(1);
    clock.advance(999);
    await settle();
    expect(runs).toBe(1);
    clock.advance(1);
    await settle();
    expect(runs).toBe(2);
    scheduler.dispose();
  });

  it('with skipInitialRun waits one interval first', async () => {
    const clock = new FakeClock();
    const scheduler = new TaskScheduler(() => undefined, clock, () => 0);
    let runs = 0;
    scheduler.schedule({ name: 't', intervalMs: 500, skipInitialRun: true, run: () => void runs++ });
    clock.advance(499);
    await settle();
    expect(runs).toBe(0);
    clock.advance(1);
    await settle();
    expect(runs).toBe(1);
  });

  it('backs off exponentially after false or a throw, capped, and recovers after a success', async () => {
    const clock = new FakeClock();
    const errors: unknown[] = [];
    const scheduler = new TaskScheduler((_t, e) => errors.push(e), clock, () => 0);
    const outcomes = [false, 'throw', false, false, true, true];
    const delays: (number | undefined)[] = [];
    scheduler.schedule({
      name: 't',
      intervalMs: 100,
      maxBackoffMs: 500,
      run: () => {
        delays.push(scheduler.stateOf('t')?.lastDelayMs);
        const outcome = outcomes.shift();
        if (outcome === 'throw') throw new Error('nope');
        return outcome as boolean;
      },
    });
    for (let i = 0; i < 2500; i++) {
      clock.advance(1);
      await settle();
    }
    // First run at once; then after failures 200, 400, 500 (cap), 500; a success resets to 100.
    expect(delays.slice(0, 6)).toEqual([0, 200, 400, 500, 500, 100]);
    expect(errors).toHaveLength(1);
  });

  it('adds jitter up to jitterMs', () => {
    const scheduler = new TaskScheduler(() => undefined, new FakeClock(), () => 0.5);
    expect(scheduler.delayFor({ name: 't', intervalMs: 1000, jitterMs: 200, run: () => undefined }, 0)).toBe(1100);
  });

  it('never plans a delay longer than a timer can hold', () => {
    const scheduler = new TaskScheduler(() => undefined, new FakeClock(), () => 0);
    const daily = { name: 't', intervalMs: 24 * 3600_000, run: () => undefined };
    expect(scheduler.delayFor(daily, 10)).toBe(2 ** 31 - 1);
    expect(() => scheduler.schedule({ ...daily, intervalMs: 0 })).toThrow(/positive/);
  });

  it('stops running once disposed', async () => {
    const clock = new FakeClock();
    const scheduler = new TaskScheduler(() => undefined, clock, () => 0);
    let runs = 0;
    const handle = scheduler.schedule({ name: 't', intervalMs: 100, run: () => void runs++ });
    clock.advance(0);
    await settle();
    handle.dispose();
    clock.advance(1000);
    await settle();
    expect(runs).toBe(1);
    expect(clock.pendingTimers).toBe(0);
  });
});
