export interface RecordWindow {
  days: readonly ('mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun')[];
  /** HH:MM, local time. */
  start: string;
  end: string;
}

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

function at(day: Date, hhmm: string): Date {
  const [h, m] = hhmm.split(':').map(Number);
  const d = new Date(day);
  d.setHours(h ?? 0, m ?? 0, 0, 0);
  return d;
}

/**
 * The record window `now` falls in (local time), with its start and end, or undefined. A window
 * whose end is before its start runs past midnight; its day is the day it starts.
 */
export function activeWindow(windows: readonly RecordWindow[], now: Date): { start: Date; end: Date } | undefined {
  for (const window of windows) {
    // Today's occurrence, and yesterday's (for one that runs past midnight).
    for (const back of [0, 1]) {
      const day = new Date(now);
      day.setDate(day.getDate() - back);
      if (!window.days.includes(DAYS[day.getDay()]!)) continue;
      const start = at(day, window.start);
      let end = at(day, window.end);
      if (end <= start) end = new Date(end.getTime() + 24 * 3600_000);
      if (now >= start && now < end) return { start, end };
    }
  }
  return undefined;
}
