import type { ViewInfo } from '../sdk/types';

/** 1536 → "1.5 KiB". */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

/** 3725 → "1:02:05", 65 → "1:05". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

export type ViewColumnFormat = ViewInfo['columns'][number]['format'];

/** One cell of a plugin's view as text; numbers in the column's unit, empty cells as "–". */
export function formatViewCell(value: string | number | null | undefined, format: ViewColumnFormat): string {
  if (value === null || value === undefined || value === '') return '–';
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) return '–';
  switch (format) {
    case 'bytes':
      return formatBytes(value);
    case 'speed':
      return `${formatBytes(value)}/s`;
    case 'ratio':
      return value.toFixed(2);
    case 'duration':
      return formatDuration(value);
    case 'time':
      // Beyond what a Date holds (a plugin sending nanoseconds): shown as the number it is.
      return Math.abs(value) <= 8.64e15 ? new Date(value).toISOString().replace('T', ' ').slice(0, 16) : String(value);
    default:
      return String(value);
  }
}
