import { describe, expect, it } from 'vitest';
import type { JobSummary } from '@shared/domain/jobs';
import { NotificationBatcher, noticeFor, summarizeNotices, type BatcherClock, type Notice } from './notices';

const now = Date.parse('2026-11-29T10:00:00Z');
function job(overrides: Partial<JobSummary>): JobSummary {
  return { id: 'j1', plugin: 'youtube', kind: 'archive', state: 'running', priority: 0, title: 'A video', attempts: 0, maxRetries: 3, createdAt: '2026-11-29T09:00:00Z', updatedAt: '2026-11-29T09:59:59Z', ...overrides };
}

describe('which job changes notify', () => {
  it('an archive that completes or fails', () => {
    expect(noticeFor('running', job({ state: 'completed', itemId: 7 }), now)).toEqual({ kind: 'completed', jobId: 'j1', title: 'A video', itemId: 7 });
    expect(noticeFor('running', job({ state: 'failed', error: 'HTTP 404' }), now)).toEqual({ kind: 'failed', jobId: 'j1', title: 'A video', error: 'HTTP 404' });
  });
  it('a recording that starts (the stream went live) and stops', () => {
    expect(noticeFor('queued', job({ kind: 'record', state: 'running' }), now)).toEqual({ kind: 'live', jobId: 'j1', title: 'A video' });
    expect(noticeFor(undefined, job({ kind: 'record', state: 'running' }), now)?.kind).toBe('live');
    expect(noticeFor('running', job({ kind: 'record', state: 'completed', itemId: 3 }), now)).toEqual({ kind: 'recording-stopped', jobId: 'j1', title: 'A video', itemId: 3 });
  });
  it('not an unchanged state, a pause, a queued retry, or a scheduled discovery that completes', () => {
    expect(noticeFor('completed', job({ state: 'completed' }), now)).toBeUndefined();
    expect(noticeFor('running', job({ state: 'paused' }), now)).toBeUndefined();
    expect(noticeFor('running', job({ state: 'queued', nextRunAt: '2026-11-29T10:01:00Z' }), now)).toBeUndefined();
    expect(noticeFor('running', job({ kind: 'discover', state: 'completed' }), now)).toBeUndefined();
    expect(noticeFor('running', job({ kind: 'discover', state: 'failed', error: 'offline' }), now)?.kind).toBe('failed');
  });
  it('a job first seen finished counts only if it just finished', () => {
    expect(noticeFor(undefined, job({ state: 'completed', finishedAt: '2026-11-29T09:59:50Z' }), now)?.kind).toBe('completed');
    expect(noticeFor(undefined, job({ state: 'completed', finishedAt: '2026-11-28T10:00:00Z' }), now)).toBeUndefined();
    expect(noticeFor(undefined, job({ state: 'completed' }), now)).toBeUndefined();
  });
});

describe('what a batch says', () => {
  const done = (id: string, title: string, itemId?: number): Notice => ({ kind: 'completed', jobId: id, title, ...(itemId ? { itemId } : {}) });
  it('one job names it and opens its item', () => {
    expect(summarizeNotices([done('a', 'Episode 1', 9)])).toEqual([{ title: 'Archived', body: 'Episode 1', target: { page: 'library', param: '9' } }]);
  });
  it('several are counted, one notification per kind, failures first', () => {
    const out = summarizeNotices([done('a', 'E1'), done('b', 'E2'), done('c', 'E3'), done('d', 'E4'), { kind: 'failed', jobId: 'f', title: 'E5', error: 'disk full' }]);
    expect(out).toEqual([
      { title: 'Job failed', body: 'E5: disk full', target: { page: 'jobs', param: 'f' } },
      { title: '4 items archived', body: 'E1, E2 and 2 more', target: { page: 'library' } },
    ]);
  });
});

class ManualClock implements BatcherClock {
  callbacks: (() => void)[] = [];
  setTimeout(callback: () => void): unknown {
    this.callbacks.push(callback);
    return this.callbacks.length;
  }
  clearTimeout(): void {}
  fire(): void {
    for (const callback of this.callbacks.splice(0)) callback();
  }
}

describe('notification batching', () => {
  const notice: Notice = { kind: 'completed', jobId: 'a', title: 'E1' };
  function setup(state = { notifications: true, doNotDisturb: false, windowFocused: false }) {
    const shown: string[] = [];
    const clock = new ManualClock();
    const batcher = new NotificationBatcher((content) => shown.push(content.title), () => state, clock);
    return { shown, clock, batcher, state };
  }
  it('fifty completions in one window make one notification', () => {
    const { shown, clock, batcher } = setup();
    for (let i = 0; i < 50; i++) batcher.push({ ...notice, jobId: `j${i}` });
    expect(shown).toEqual([]);
    expect(clock.callbacks).toHaveLength(1);
    clock.fire();
    expect(shown).toEqual(['50 items archived']);
  });
  it('do-not-disturb and notifications off keep quiet', () => {
    const dnd = setup({ notifications: true, doNotDisturb: true, windowFocused: false });
    dnd.batcher.push(notice);
    dnd.clock.fire();
    expect(dnd.shown).toEqual([]);
    const off = setup({ notifications: false, doNotDisturb: false, windowFocused: false });
    off.batcher.push(notice);
    off.clock.fire();
    expect(off.shown).toEqual([]);
  });
  it('nothing while the window is in front (its toasts say it); do-not-disturb turned on mid-batch wins', () => {
    const focused = setup({ notifications: true, doNotDisturb: false, windowFocused: true });
    focused.batcher.push(notice);
    focused.clock.fire();
    expect(focused.shown).toEqual([]);
    const later = setup();
    later.batcher.push(notice);
    later.state.doNotDisturb = true;
    later.clock.fire();
    expect(later.shown).toEqual([]);
  });
});
