import type { JobSummary } from '@shared/domain/jobs';
import { useToastStore } from './stores/toastStore';

const BATCH_MS = 1500;
let pending: JobSummary[] = [];
let timer: number | undefined;

/**
 * Jobs that finish together are announced together: one toast in the window, and one system
 * notification when the window is not in front (and the user allowed notifications).
 */
export function notifyFinished(job: JobSummary): void {
  pending.push(job);
  window.clearTimeout(timer);
  timer = window.setTimeout(flush, BATCH_MS);
}

export function summarize(jobs: readonly JobSummary[]): { title: string; body: string; tone: 'ok' | 'fail' } {
  const failed = jobs.filter((job) => job.state === 'failed');
  const done = jobs.length - failed.length;
  if (jobs.length === 1) {
    const [job] = jobs as [JobSummary];
    return job.state === 'failed'
      ? { title: 'Archive failed', body: `${job.title}: ${job.error ?? job.errorClass ?? 'failed'}`, tone: 'fail' }
      : { title: 'Archived', body: job.title, tone: 'ok' };
  }
  const parts = [done ? `${done} archived` : '', failed.length ? `${failed.length} failed` : ''].filter(Boolean);
  return { title: `${jobs.length} jobs finished`, body: parts.join(', '), tone: failed.length ? 'fail' : 'ok' };
}

function flush(): void {
  const jobs = pending;
  pending = [];
  if (jobs.length === 0) return;
  const message = summarize(jobs);
  useToastStore.getState().toastAdded(message);
  if (document.visibilityState !== 'visible' && 'Notification' in window && Notification.permission === 'granted') {
    new Notification(message.title, { body: message.body, tag: 'haven-jobs' });
  }
}
