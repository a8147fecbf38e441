import type { ProgressUpdate } from '@shared/sdk/types';
import { formatBytes, formatDuration } from '../format';

export function percentOf(progress: ProgressUpdate | undefined): number | undefined {
  if (!progress) return undefined;
  if (progress.percent !== undefined) return progress.percent;
  if (progress.bytesDone !== undefined && progress.bytesTotal) return Math.min(100, (progress.bytesDone / progress.bytesTotal) * 100);
  return undefined;
}

/** A bar with percent, bytes, speed and ETA; indeterminate while the total is unknown. */
export function ProgressBar({ progress, label }: { progress: ProgressUpdate | undefined; label: string }) {
  const percent = percentOf(progress);
  const details = [
    progress?.bytesDone !== undefined ? (progress.bytesTotal ? `${formatBytes(progress.bytesDone)} of ${formatBytes(progress.bytesTotal)}` : formatBytes(progress.bytesDone)) : '',
    progress?.speedBps !== undefined ? `${formatBytes(progress.speedBps)}/s` : '',
    progress?.etaSeconds !== undefined ? `${formatDuration(progress.etaSeconds)} left` : '',
    progress?.phase && progress.phase !== 'downloading' ? progress.phase : '',
  ].filter(Boolean);
  return (
    <div className="progress">
      <div
        className={`progress-track${percent === undefined ? ' indeterminate' : ''}`}
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        {...(percent !== undefined ? { 'aria-valuenow': Math.round(percent) } : {})}
      >
        <div className="progress-fill" style={percent !== undefined ? { width: `${percent}%` } : undefined} />
      </div>
      <div className="progress-text muted">
        {percent !== undefined && <span>{percent.toFixed(0)}%</span>}
        {details.map((detail) => (
          <span key={detail}>{detail}</span>
        ))}
      </div>
    </div>
  );
}
