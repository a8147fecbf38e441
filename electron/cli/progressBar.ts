import type { ProgressUpdate } from '@shared/sdk/types';
import { formatBytes, formatDuration } from './output';

/** One line: bar, percent, bytes, speed, ETA, phase. Parts that are unknown are left out. */
export function renderProgress(update: ProgressUpdate, width = 24): string {
  const percent =
    update.percent ?? (update.bytesDone !== undefined && update.bytesTotal ? (update.bytesDone / update.bytesTotal) * 100 : undefined);
  const parts: string[] = [];
  if (percent !== undefined) {
    const filled = Math.round((Math.min(100, Math.max(0, percent)) / 100) * width);
    parts.push(`[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`, `${percent.toFixed(0).padStart(3)}%`);
  }
  if (update.bytesDone !== undefined) {
    parts.push(update.bytesTotal ? `${formatBytes(update.bytesDone)} / ${formatBytes(update.bytesTotal)}` : formatBytes(update.bytesDone));
  }
  if (update.speedBps !== undefined) parts.push(`${formatBytes(update.speedBps)}/s`);
  if (update.etaSeconds !== undefined) parts.push(`ETA ${formatDuration(update.etaSeconds)}`);
  if (update.phase) parts.push(update.phase);
  if (update.message) parts.push(update.message);
  return parts.join('  ');
}
