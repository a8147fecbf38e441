import type { JobCounts, JobKind } from '@shared/domain/jobs';
import { formatBytes, formatDuration } from '@shared/format/units';

/** What the tray shows, computed from Core's state alone so every case is unit-tested. */

export type TrayIcon = 'idle' | 'active' | 'recording' | 'error';

export type TrayCommand =
  | { kind: 'open'; page?: 'jobs' | 'library' | 'plugins' | 'settings'; param?: string }
  | { kind: 'pause-all' }
  | { kind: 'resume-all' }
  | { kind: 'record-monitored' }
  | { kind: 'check-now' }
  | { kind: 'quit' };

export type TrayMenuItem =
  | { type: 'item'; id: string; label: string; enabled: boolean; command: TrayCommand }
  | { type: 'separator' };

export interface TrayModel {
  icon: TrayIcon;
  tooltip: string;
  menu: TrayMenuItem[];
}

export interface ActiveJob {
  id: string;
  title: string;
  kind: JobKind;
  percent?: number;
  speedBps?: number;
  /** Seconds recorded so far, for a live recording. */
  recordedSeconds?: number;
}

export interface TrayInput {
  counts: JobCounts;
  /** Running jobs, in the order they started. */
  active: readonly ActiveJob[];
  /** Jobs that failed since the window was last opened. */
  unseenFailures: number;
  /** Plugins that crashed or failed, by display name. */
  brokenPlugins: readonly string[];
  /** Running plugins that can discover new items (Check for new items now). */
  discoverers: number;
  /** Running plugins that discover and record streams (Start recording monitored streams now). */
  streamMonitors: number;
  /** False until Core has answered, and after it went away. */
  connected: boolean;
}

export const TRAY_TOP_JOBS = 3;
/** Windows cuts tray tooltips at 127 characters. */
export const TRAY_TOOLTIP_MAX = 127;

export function isRecording(job: ActiveJob): boolean {
  return job.kind === 'record' || job.recordedSeconds !== undefined;
}

export function trayIcon(input: TrayInput): TrayIcon {
  if (!input.connected || input.unseenFailures > 0 || input.brokenPlugins.length > 0) return 'error';
  if (input.active.some(isRecording)) return 'recording';
  if (input.counts.running + input.counts.queued > 0) return 'active';
  return 'idle';
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

export function trayTooltip(input: TrayInput): string {
  if (!input.connected) return 'Haven: starting…';
  const recording = input.active.filter(isRecording).length;
  const working = input.counts.running - recording;
  const speed = input.active.reduce((sum, job) => sum + (isRecording(job) ? 0 : (job.speedBps ?? 0)), 0);
  const parts: string[] = [];
  if (recording > 0) parts.push(`${recording} recording`);
  if (working > 0) parts.push(`${plural(working, 'job', 'jobs')} running${speed > 0 ? ` at ${formatBytes(speed)}/s` : ''}`);
  if (input.counts.queued > 0) parts.push(`${input.counts.queued} queued`);
  if (input.counts.paused > 0) parts.push(`${input.counts.paused} paused`);
  if (input.unseenFailures > 0) parts.push(`${plural(input.unseenFailures, 'job', 'jobs')} failed`);
  if (input.brokenPlugins.length > 0) parts.push(`${input.brokenPlugins.join(', ')} stopped working`);
  const text = `Haven: ${parts.length > 0 ? parts.join(', ') : 'idle'}`;
  return text.length > TRAY_TOOLTIP_MAX ? `${text.slice(0, TRAY_TOOLTIP_MAX - 1)}…` : text;
}

function jobLine(job: ActiveJob): string {
  const title = job.title.length > 48 ? `${job.title.slice(0, 47)}…` : job.title;
  if (isRecording(job)) return `● ${title}: recording${job.recordedSeconds !== undefined ? ` ${formatDuration(job.recordedSeconds)}` : ''}`;
  const figures = [
    job.percent !== undefined ? `${Math.floor(job.percent)}%` : undefined,
    job.speedBps ? `${formatBytes(job.speedBps)}/s` : undefined,
  ].filter(Boolean);
  return `↓ ${title}${figures.length > 0 ? `: ${figures.join(', ')}` : ''}`;
}

export function trayMenu(input: TrayInput): TrayMenuItem[] {
  const open = (page?: 'jobs' | 'library' | 'plugins' | 'settings', param?: string): TrayCommand => ({ kind: 'open', ...(page ? { page } : {}), ...(param ? { param } : {}) });
  const menu: TrayMenuItem[] = [{ type: 'item', id: 'open', label: 'Open Haven', enabled: true, command: open() }, { type: 'separator' }];

  // Recordings first: they are what a user must not lose by quitting.
  const ordered = [...input.active.filter(isRecording), ...input.active.filter((job) => !isRecording(job))];
  if (ordered.length === 0) {
    menu.push({ type: 'item', id: 'no-jobs', label: input.counts.queued > 0 ? `${input.counts.queued} queued, none running` : 'No active jobs', enabled: false, command: open('jobs') });
  }
  for (const job of ordered.slice(0, TRAY_TOP_JOBS)) {
    menu.push({ type: 'item', id: `job:${job.id}`, label: jobLine(job), enabled: true, command: open('jobs', job.id) });
  }
  if (ordered.length > TRAY_TOP_JOBS) {
    menu.push({ type: 'item', id: 'more-jobs', label: `${ordered.length - TRAY_TOP_JOBS} more running…`, enabled: true, command: open('jobs') });
  }
  if (input.unseenFailures > 0) {
    menu.push({ type: 'item', id: 'failures', label: `${plural(input.unseenFailures, 'job', 'jobs')} failed: show`, enabled: true, command: open('jobs') });
  }
  for (const name of input.brokenPlugins.slice(0, TRAY_TOP_JOBS)) {
    menu.push({ type: 'item', id: `plugin:${name}`, label: `${name} stopped working: show`, enabled: true, command: open('plugins') });
  }

  menu.push(
    { type: 'separator' },
    { type: 'item', id: 'pause-all', label: 'Pause all', enabled: input.connected && input.counts.running + input.counts.queued > 0, command: { kind: 'pause-all' } },
    { type: 'item', id: 'resume-all', label: 'Resume all', enabled: input.connected && input.counts.paused > 0, command: { kind: 'resume-all' } },
    { type: 'item', id: 'record-monitored', label: 'Start recording monitored streams now', enabled: input.connected && input.streamMonitors > 0, command: { kind: 'record-monitored' } },
    { type: 'item', id: 'check-now', label: 'Check for new items now', enabled: input.connected && input.discoverers > 0, command: { kind: 'check-now' } },
    { type: 'separator' },
    { type: 'item', id: 'settings', label: 'Settings…', enabled: true, command: open('settings') },
    { type: 'item', id: 'quit', label: 'Quit Haven', enabled: true, command: { kind: 'quit' } },
  );
  return menu;
}

export function trayModel(input: TrayInput): TrayModel {
  return { icon: trayIcon(input), tooltip: trayTooltip(input), menu: trayMenu(input) };
}
