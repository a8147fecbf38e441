import type { JobState, JobSummary } from '@shared/domain/jobs';

/** What a system notification says about jobs, decided without Electron so it is unit-tested. */

export type Notice =
  | { kind: 'completed'; jobId: string; title: string; itemId?: number }
  | { kind: 'failed'; jobId: string; title: string; error: string }
  | { kind: 'live'; jobId: string; title: string }
  | { kind: 'recording-stopped'; jobId: string; title: string; itemId?: number };

/** Where clicking a notification takes the user. */
export interface NoticeTarget {
  page: 'jobs' | 'library';
  param?: string;
}

export interface NotificationContent {
  title: string;
  body: string;
  target: NoticeTarget;
}

/** A job that was not seen before counts as just finished only if it finished this recently. */
const RECENT_MS = 60_000;
const QUIET_KINDS = new Set(['discover', 'verify', 'import']);

/**
 * The notice a job's change deserves, if any. `before` is the state last seen (undefined when
 * this is the first time the job is seen). Discovery, fixity and import runs stay quiet unless
 * they fail, since they run on schedules.
 */
export function noticeFor(before: JobState | undefined, job: JobSummary, now: number): Notice | undefined {
  if (before === job.state) return undefined;
  const recent = before !== undefined || (job.finishedAt !== undefined && now - Date.parse(job.finishedAt) < RECENT_MS);
  const base = { jobId: job.id, title: job.title };
  const item = job.itemId !== undefined ? { itemId: job.itemId } : {};
  if (job.kind === 'record') {
    if (job.state === 'running') return { kind: 'live', ...base };
    if (job.state === 'completed' && recent) return { kind: 'recording-stopped', ...base, ...item };
  }
  if (job.state === 'failed' && recent) return { kind: 'failed', ...base, error: job.error ?? job.errorClass ?? 'failed' };
  if (job.state === 'completed' && recent && job.kind !== 'record' && !QUIET_KINDS.has(job.kind)) return { kind: 'completed', ...base, ...item };
  return undefined;
}

function names(notices: readonly Notice[]): string {
  const titles = notices.map((notice) => notice.title);
  if (titles.length <= 2) return titles.join(' and ');
  return `${titles.slice(0, 2).join(', ')} and ${titles.length - 2} more`;
}

const HEADINGS: Record<Notice['kind'], [one: string, many: (count: number) => string]> = {
  completed: ['Archived', (n) => `${n} items archived`],
  failed: ['Job failed', (n) => `${n} jobs failed`],
  live: ['Stream went live: recording', (n) => `${n} streams went live: recording`],
  'recording-stopped': ['Recording stopped', (n) => `${n} recordings stopped`],
};

/** One notification per kind in a batch: a single event names its job, several are counted. */
export function summarizeNotices(notices: readonly Notice[]): NotificationContent[] {
  const out: NotificationContent[] = [];
  for (const kind of ['failed', 'live', 'recording-stopped', 'completed'] as const) {
    const group = notices.filter((notice) => notice.kind === kind);
    if (group.length === 0) continue;
    const [one, many] = HEADINGS[kind];
    if (group.length === 1) {
      const [notice] = group as [Notice];
      const body = notice.kind === 'failed' ? `${notice.title}: ${notice.error}` : notice.title;
      const itemId = 'itemId' in notice ? notice.itemId : undefined;
      out.push({ title: one, body, target: itemId !== undefined ? { page: 'library', param: String(itemId) } : { page: 'jobs', param: notice.jobId } });
    } else {
      out.push({ title: many(group.length), body: names(group), target: { page: kind === 'completed' ? 'library' : 'jobs' } });
    }
  }
  return out.map((content) => ({ ...content, body: content.body.length > 250 ? `${content.body.slice(0, 249)}…` : content.body }));
}

export interface NotifySettings {
  notifications: boolean;
  doNotDisturb: boolean;
}

export interface BatcherClock {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * Collects notices for `windowMs` after the first one and shows them together, so fifty items
 * finishing at once make one notification, not fifty. Nothing is shown while notifications are
 * off or on do-not-disturb, or while the window is in front (the window's own toasts say it).
 */
export class NotificationBatcher {
  private pending: Notice[] = [];
  private timer: unknown;

  constructor(
    private readonly show: (content: NotificationContent) => void,
    private readonly state: () => NotifySettings & { windowFocused: boolean },
    private readonly clock: BatcherClock = { setTimeout: (f, ms) => setTimeout(f, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) },
    private readonly windowMs = 2000,
  ) {}

  push(notice: Notice): void {
    const { notifications, doNotDisturb } = this.state();
    if (!notifications || doNotDisturb) return;
    this.pending.push(notice);
    this.timer ??= this.clock.setTimeout(() => this.flush(), this.windowMs);
  }

  flush(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    const notices = this.pending;
    this.pending = [];
    const state = this.state();
    if (notices.length === 0 || !state.notifications || state.doNotDisturb || state.windowFocused) return;
    for (const content of summarizeNotices(notices)) this.show(content);
  }

  dispose(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = [];
  }
}
