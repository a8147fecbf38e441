import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, useState } from 'react';
import type { JobSummary } from '@shared/domain/jobs';
import { actOnJobs, archiveUrl, loadJobs, openJob, retryJobs, selectJobTab } from '../bridge';
import { EmptyState } from '../components/EmptyState';
import { ProgressBar } from '../components/ProgressBar';
import { formatTime } from '../format';
import { useRouteParam } from '../app/routes';
import { useConnectionStore } from '../stores/connectionStore';
import { useJobsStore, type JobTab } from '../stores/jobsStore';

const TABS: { tab: JobTab; label: string; count: (c: NonNullable<ReturnType<typeof useJobsStore.getState>['counts']>) => number }[] = [
  { tab: 'active', label: 'Active', count: (c) => c.running + c.queued + c.paused },
  { tab: 'failed', label: 'Failed', count: (c) => c.failed },
  { tab: 'completed', label: 'Completed', count: (c) => c.completed },
  { tab: 'skipped', label: 'Skipped', count: (c) => c.skipped },
  { tab: 'cancelled', label: 'Cancelled', count: (c) => c.cancelled },
  { tab: 'all', label: 'All', count: (c) => Object.values(c).reduce((a, b) => a + b, 0) },
];

const EMPTY: Record<JobTab, string> = {
  active: 'Nothing is running or waiting. Paste a URL above, drop a .torrent file on the window, or let a plugin discover new items.',
  failed: 'No failed jobs.',
  completed: 'Nothing archived yet.',
  skipped: 'Nothing was skipped.',
  cancelled: 'No cancelled jobs.',
  all: 'No jobs yet. Paste a URL above to archive it.',
};

const ROW_HEIGHT = 64;

export function JobsPage() {
  const tab = useJobsStore((s) => s.tab);
  const ids = useJobsStore((s) => s.ids);
  const total = useJobsStore((s) => s.total);
  const loaded = useJobsStore((s) => s.loaded);
  const counts = useJobsStore((s) => s.counts);
  const selectedId = useJobsStore((s) => s.selectedId);
  const actionError = useJobsStore((s) => s.actionError);
  const connected = useConnectionStore((s) => s.status === 'connected');
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: ids.length, getScrollElement: () => scrollRef.current, estimateSize: () => ROW_HEIGHT, overscan: 8 });

  useEffect(() => {
    if (connected && !loaded) void loadJobs();
  }, [connected, loaded]);

  // `#/jobs/<id>` (the tray or a notification was clicked) opens that job.
  const param = useRouteParam();
  useEffect(() => {
    if (connected && param) void openJob(param);
  }, [connected, param]);

  return (
    <section aria-labelledby="jobs-title" className="jobs-page">
      <header className="page-header">
        <h1 id="jobs-title">Jobs</h1>
        <div className="toolbar">
          <button type="button" onClick={() => void actOnJobs('jobs.pause', 'all')} disabled={!connected}>
            Pause all
          </button>
          <button type="button" onClick={() => void actOnJobs('jobs.resume', 'all')} disabled={!connected}>
            Resume all
          </button>
          <button type="button" onClick={() => void retryJobs('failed')} disabled={!connected || !counts?.failed}>
            Retry failed
          </button>
        </div>
      </header>
      <ArchiveForm disabled={!connected} />
      {actionError && (
        <div className="banner banner-error" role="alert">
          <span>{actionError}</span>
        </div>
      )}
      <div className="tabs" role="tablist" aria-label="Job states">
        {TABS.map(({ tab: id, label, count }) => (
          <button
            key={id}
            type="button"
            role="tab"
            aria-selected={tab === id}
            className={tab === id ? 'tab active' : 'tab'}
            onClick={() => selectJobTab(id)}
          >
            {label}
            {counts && <span className="tab-count">{count(counts)}</span>}
          </button>
        ))}
        {tab === 'skipped' && counts?.skipped ? (
          <button type="button" className="link" onClick={() => void actOnJobs('jobs.unskip', 'all')}>
            Archive all skipped
          </button>
        ) : null}
      </div>
      <div className="jobs-body">
        <div className="job-list" ref={scrollRef} data-testid="job-list">
          {loaded && ids.length === 0 ? (
            <EmptyState title="No jobs here" testId="jobs-empty">
              <p>{EMPTY[tab]}</p>
            </EmptyState>
          ) : (
            <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
              {virtualizer.getVirtualItems().map((row) => (
                <div key={ids[row.index]} className="job-row-slot" style={{ transform: `translateY(${row.start}px)`, height: row.size }}>
                  <JobRow id={ids[row.index]!} selected={ids[row.index] === selectedId} />
                </div>
              ))}
            </div>
          )}
          {loaded && total > ids.length && (
            <button type="button" className="link load-more" onClick={() => void loadJobs(true)}>
              Show more ({total - ids.length} not loaded)
            </button>
          )}
        </div>
        {selectedId && <JobDetailPanel />}
      </div>
    </section>
  );
}

function ArchiveForm({ disabled }: { disabled: boolean }) {
  const [url, setUrl] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  return (
    <form
      className="inline-form archive-form"
      onSubmit={(event) => {
        event.preventDefault();
        if (!url.trim()) return;
        setBusy(true);
        void archiveUrl(url.trim()).then((problem) => {
          setBusy(false);
          setError(problem);
          if (!problem) setUrl('');
        });
      }}
    >
      <input
        aria-label="URL to archive"
        placeholder="Paste a URL to archive: a video, a feed item, a magnet link…"
        value={url}
        aria-invalid={error ? true : undefined}
        onChange={(event) => {
          setUrl(event.target.value);
          setError(undefined);
        }}
      />
      <button type="submit" disabled={disabled || busy || !url.trim()}>
        Archive
      </button>
      {error && (
        <p className="error-text field-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

const STATE_TONE: Record<JobSummary['state'], string> = {
  running: 'ok',
  queued: 'off',
  paused: 'warn',
  completed: 'ok',
  failed: 'fail',
  cancelled: 'off',
  skipped: 'off',
};

function JobRow({ id, selected }: { id: string; selected: boolean }) {
  const job = useJobsStore((s) => s.byId[id]);
  const progress = useJobsStore((s) => s.progress[id]);
  if (!job) return null;
  const live = progress ?? job.progress;
  return (
    <div
      className={`job-row${selected ? ' selected' : ''}`}
      data-testid="job-row"
      data-job={job.id}
      data-state={job.state}
      role="button"
      tabIndex={0}
      aria-label={`${job.title}, ${job.state}`}
      onClick={() => void openJob(job.id)}
      onKeyDown={(event) => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          void openJob(job.id);
        }
      }}
    >
      <div className="job-main">
        <div className="job-title">
          <span className={`pill pill-${STATE_TONE[job.state]}`}>{job.state}</span>
          <span className="ellipsis" title={job.title}>
            {job.title}
          </span>
        </div>
        {job.state === 'running' ? (
          <ProgressBar progress={live} label={`Progress of ${job.title}`} />
        ) : (
          <div className="muted job-sub ellipsis">
            {job.plugin} · {job.kind}
            {job.error ? ` · ${job.errorClass}: ${job.error}` : ''}
            {job.nextRunAt ? ` · retry at ${formatTime(job.nextRunAt)}` : ''}
            {job.state === 'completed' && job.outputPath ? ` · ${job.outputPath}` : ''}
          </div>
        )}
      </div>
      <JobActions job={job} />
    </div>
  );
}

function JobActions({ job }: { job: JobSummary }) {
  const stop = (event: { stopPropagation(): void }) => event.stopPropagation();
  const act = (fn: () => Promise<void>) => (event: { stopPropagation(): void }) => {
    stop(event);
    void fn();
  };
  return (
    <div className="job-actions" onClick={stop} onKeyDown={stop} role="group" aria-label="Job actions">
      {(job.state === 'running' || job.state === 'queued') && job.kind !== 'record' && (
        <button type="button" className="small" onClick={act(() => actOnJobs('jobs.pause', [job.id]))}>
          Pause
        </button>
      )}
      {job.state === 'paused' && (
        <button type="button" className="small" onClick={act(() => actOnJobs('jobs.resume', [job.id]))}>
          Resume
        </button>
      )}
      {(job.state === 'failed' || job.state === 'cancelled') && (
        <button type="button" className="small" onClick={act(() => retryJobs([job.id]))}>
          Retry
        </button>
      )}
      {job.state === 'skipped' && (
        <button type="button" className="small" onClick={act(() => actOnJobs('jobs.unskip', [job.id]))}>
          Archive anyway
        </button>
      )}
      {['running', 'queued', 'paused'].includes(job.state) && (
        <button type="button" className="small secondary" onClick={act(() => actOnJobs('jobs.cancel', [job.id]))}>
          {/* A recording stopped keeps what it recorded and becomes a library item. */}
          {job.kind === 'record' && job.state === 'running' ? 'Stop recording' : 'Cancel'}
        </button>
      )}
    </div>
  );
}

function JobDetailPanel() {
  const detail = useJobsStore((s) => s.detail);
  const progress = useJobsStore((s) => (s.detail ? s.progress[s.detail.id] : undefined));
  if (!detail) return <aside className="detail-panel muted">Loading…</aside>;
  return (
    <aside className="detail-panel" aria-label="Job details" data-testid="job-detail">
      <header className="detail-header">
        <h2 className="ellipsis" title={detail.title}>
          {detail.title}
        </h2>
        <button type="button" className="link" onClick={() => void openJob(undefined)} aria-label="Close details">
          Close
        </button>
      </header>
      <dl className="facts">
        <dt>State</dt>
        <dd>{detail.state}</dd>
        <dt>Plugin</dt>
        <dd>{detail.plugin}</dd>
        {detail.uri && (
          <>
            <dt>Source</dt>
            <dd className="break">{detail.uri}</dd>
          </>
        )}
        <dt>Attempts</dt>
        <dd>
          {detail.attempts} of {detail.maxRetries + 1}
        </dd>
        {detail.outputPath && (
          <>
            <dt>File</dt>
            <dd className="break">{detail.outputPath}</dd>
          </>
        )}
        {detail.error && (
          <>
            <dt>Error</dt>
            <dd className="error-text">
              {detail.errorClass}: {detail.error}
              {detail.errorClass === 'auth_required' && (
                <>
                  {' '}
                  <a href={`#/plugins/${encodeURIComponent(`${detail.plugin}/settings/cookies_file`)}`} data-testid="fix-cookies">
                    Set a cookies file in {detail.plugin}'s settings
                  </a>
                </>
              )}
            </dd>
          </>
        )}
      </dl>
      {detail.state === 'running' && <ProgressBar progress={progress ?? detail.progress} label="Progress" />}
      <h3>Decisions</h3>
      <ol className="trace" data-testid="job-trace">
        {detail.trace.map((event, index) => (
          <li key={index}>
            <time className="muted">{formatTime(event.at)}</time> {event.message}
          </li>
        ))}
      </ol>
      <h3>Log</h3>
      {detail.log.length === 0 ? (
        <p className="muted">No log lines from the plugin for this job.</p>
      ) : (
        <pre className="log">{detail.log.map((line) => `${line.time.slice(11, 19)} ${line.level.padEnd(5)} ${line.message}`).join('\n')}</pre>
      )}
    </aside>
  );
}
