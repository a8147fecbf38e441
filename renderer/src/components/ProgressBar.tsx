import type { ProgressUpdate } from '@shared/sdk/types';
import { formatBytes, formatDuration } from '../format';

export function percentOf(progress: ProgressUpdate | undefined): number | undefined {
  if (!progress) return undefined;
  if (progress.percent !== undefined) return progress.percent;
  if (progress.bytesDone !== undefined && progress.bytesTotal) return Math.min(100, (progress.bytesDone / progress.bytesTotal) * 100);
  return undefined;
}

const RECORDING_STATE = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…', finishing: 'Finishing…', ended: 'Ended' } as const;

/** A recording: live or not, the time recorded, segments, reconnects, bitrate and size; a bar when it has a set length. */
function RecordingStatus({ progress, label }: { progress: ProgressUpdate & { recording: NonNullable<ProgressUpdate['recording']> }; label: string }) {
  const { recording } = progress;
  const percent = percentOf(progress);
  const details = [
    formatDuration(recording.seconds),
    `${recording.segments} segment${recording.segments === 1 ? '' : 's'}`,
    recording.reconnects ? `${recording.reconnects} reconnect${recording.reconnects === 1 ? '' : 's'}` : '',
    progress.speedBps ? `${Math.round((progress.speedBps * 8) / 1000)} kbit/s` : '',
    progress.bytesDone ? formatBytes(progress.bytesDone) : '',
    percent !== undefined && progress.etaSeconds !== undefined ? `${formatDuration(progress.etaSeconds)} left` : '',
  ].filter(Boolean);
  return (
    <div className="progress" data-testid="recording-status">
      {percent !== undefined && (
        <div className="progress-track" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(percent)}>
          <div className="progress-fill" style={{ width: `${percent}%` }} />
        </div>
      )}
      <div className="progress-text muted">
        <span className={`live-badge live-${recording.state}`}>{RECORDING_STATE[recording.state]}</span>
        {details.map((detail) => (
          <span key={detail}>{detail}</span>
        ))}
      </div>
    </div>
  );
}

/** A bar with percent, bytes, speed and ETA; indeterminate while the total is unknown. A recording shows its own figures. */
export function ProgressBar({ progress, label }: { progress: ProgressUpdate | undefined; label: string }) {
  if (progress?.recording) return <RecordingStatus progress={{ ...progress, recording: progress.recording }} label={label} />;
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
