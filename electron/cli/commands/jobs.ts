import type { JobState, JobSummary } from '@shared/domain/jobs';
import { JobState as JobStateSchema } from '@shared/domain/jobs';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ImportReport } from '@shared/domain/library';
import { HavenError } from '@shared/ipc/errors';
import type { CoreSession } from '../coreSession';
import { formatBytes, printJson, printLine, printTable } from '../output';
import { renderProgress } from '../progressBar';

const TERMINAL: readonly JobState[] = ['completed', 'failed', 'cancelled', 'skipped'];

/**
 * Follows one job to its end: a progress line on a terminal (stderr), JSON lines with --json
 * (stdout). Ctrl+C cancels the job. Resolves with the final job.
 */
export async function followJob(session: CoreSession, job: JobSummary, json: boolean): Promise<JobSummary> {
  const tty = !json && process.stderr.isTTY;
  let lastLine = '';
  const emit = (value: Record<string, unknown>): void => {
    if (json) process.stdout.write(`${JSON.stringify(value)}\n`);
  };
  const show = (text: string): void => {
    if (!tty || text === lastLine) return;
    lastLine = text;
    process.stderr.write(`\r\x1b[2K${text.slice(0, (process.stderr.columns || 100) - 1)}`);
  };
  emit({ event: 'job', job });
  session.runJobs([job.id]);
  const final = await new Promise<JobSummary>((resolve) => {
    let done = false;
    const finish = (value: JobSummary): void => {
      if (done) return;
      done = true;
      clearInterval(poll);
      progress.dispose();
      updates.dispose();
      process.off('SIGINT', onInterrupt);
      resolve(value);
    };
    const consider = (value: JobSummary): void => {
      if (value.id !== job.id) return;
      emit({ event: 'state', job: value });
      if (value.state === 'queued' && value.nextRunAt) show(`retrying at ${new Date(value.nextRunAt).toLocaleTimeString()}: ${value.error ?? ''}`);
      if (TERMINAL.includes(value.state)) finish(value);
    };
    const progress = session.client.subscribe('jobs.progress', { jobId: job.id }, {
      onData: (event) => {
        emit({ event: 'progress', jobId: event.jobId, progress: event.progress });
        show(renderProgress(event.progress));
      },
    });
    const updates = session.client.subscribe('jobs.updated', {}, { onData: consider });
    // Events may be missed across a reconnect or before the subscription; a slow poll makes sure.
    const poll = setInterval(() => {
      session.client.call('jobs.get', { id: job.id }).then(consider, () => undefined);
    }, 2000);
    const onInterrupt = (): void => {
      show('cancelling…');
      void session.client.call('jobs.cancel', { ids: [job.id] }).catch(() => undefined);
    };
    process.on('SIGINT', onInterrupt);
    void session.client.call('jobs.get', { id: job.id }).then(consider, () => undefined);
  });
  if (tty) process.stderr.write('\r\x1b[2K');
  return final;
}

function describeOutcome(job: JobSummary): string {
  switch (job.state) {
    case 'completed':
      return `saved ${job.outputPath ?? '(no file)'}`;
    case 'skipped':
      return `already archived${job.itemId !== undefined ? ` (library item ${job.itemId})` : ''}: nothing to do`;
    default:
      return job.state;
  }
}

/** A URL as given, or a local file (`haven archive ./show.torrent`) as its file: URL. */
export function urlOrFile(input: string, cwd = process.cwd()): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(input) && !/^[a-z]:[\\/]/i.test(input)) return input;
  const file = path.resolve(cwd, input);
  if (!fs.existsSync(file)) throw new HavenError('INVALID_INPUT', `${input} is neither a URL nor a file that exists`);
  return pathToFileURL(file).href;
}

export async function archiveCommand(session: CoreSession, input: string, flags: { plugin?: string; json?: boolean; force?: boolean; duration?: string }): Promise<void> {
  const url = urlOrFile(input);
  const duration = flags.duration === undefined ? undefined : Number(flags.duration);
  if (duration !== undefined && (!Number.isInteger(duration) || duration < 1)) throw new HavenError('INVALID_INPUT', `--duration must be a whole number of seconds, not "${flags.duration}"`);
  const job = await session.client.call('jobs.archive', { url, ...(flags.plugin ? { plugin: flags.plugin } : {}), force: flags.force ?? false, ...(duration ? { durationSeconds: duration } : {}) });
  const final = job.state === 'skipped' ? job : await followJob(session, job, flags.json ?? false);
  if (flags.json) emitFinal(final);
  else if (final.state === 'completed' || final.state === 'skipped') printLine(`${final.plugin}: ${describeOutcome(final)}`);
  if (final.state === 'failed') {
    throw new HavenError('UNAVAILABLE', `${final.plugin} failed (${final.errorClass ?? 'error'}): ${final.error ?? 'no reason given'}`);
  }
  if (final.state === 'cancelled') throw new HavenError('CANCELLED', 'cancelled');
}

function emitFinal(job: JobSummary): void {
  process.stdout.write(`${JSON.stringify({ event: 'done', job })}\n`);
}

export async function jobsList(session: CoreSession, flags: { state?: string; json?: boolean; limit?: string }): Promise<void> {
  const states = flags.state
    ? flags.state.split(',').map((value) => {
        const parsed = JobStateSchema.safeParse(value.trim());
        if (!parsed.success) throw new HavenError('INVALID_INPUT', `--state must be one of ${JobStateSchema.options.join(', ')}, not "${value}"`);
        return parsed.data;
      })
    : undefined;
  const limit = flags.limit ? Number(flags.limit) : 200;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new HavenError('INVALID_INPUT', '--limit must be a number from 1 to 1000');
  const { jobs, total } = await session.client.call('jobs.list', { ...(states ? { states } : {}), limit });
  if (flags.json) {
    printJson({ jobs, total });
    return;
  }
  if (jobs.length === 0) {
    printLine(states ? `No ${states.join(' or ')} jobs.` : 'No jobs yet. `haven archive URL` queues one.');
    return;
  }
  printTable(
    ['ID', 'STATE', 'PLUGIN', 'TITLE', 'DETAIL'],
    jobs.map((job) => [
      job.id,
      job.state,
      job.plugin,
      job.title.length > 48 ? `${job.title.slice(0, 47)}…` : job.title,
      job.state === 'running' && job.progress
        ? renderProgress(job.progress, 12)
        : job.error
          ? `${job.errorClass}: ${job.error}${job.nextRunAt ? ` (retry ${new Date(job.nextRunAt).toLocaleTimeString()})` : ''}`
          : job.outputPath ?? '',
    ]),
  );
  if (total > jobs.length) printLine(`… ${total - jobs.length} more (--limit, --state)`);
}

export async function jobsRetry(session: CoreSession, flags: { failed?: boolean }, ids: string[]): Promise<void> {
  if (!flags.failed && ids.length === 0) throw new HavenError('INVALID_INPUT', 'name the jobs to retry, or use --failed for every failed job');
  const { count } = await session.client.call('jobs.retry', flags.failed ? { failed: true } : { ids });
  printLine(`${count} job(s) queued again`);
  if (session.mode === 'local' && count > 0) printLine('They run when Haven runs (the desktop app or `haven serve`).');
}

export async function librarySearch(session: CoreSession, text: string, flags: { json?: boolean; limit?: string }): Promise<void> {
  const limit = flags.limit ? Number(flags.limit) : 50;
  const { items, total } = await session.client.call('library.search', { text, limit });
  if (flags.json) {
    printJson({ items, total });
    return;
  }
  if (items.length === 0) {
    printLine(`Nothing in the library matches "${text}".`);
    return;
  }
  printTable(
    ['ID', 'TITLE', 'PLUGIN', 'SIZE', 'FILE'],
    items.map((item) => [String(item.id), item.title, item.plugin, item.size !== undefined ? formatBytes(item.size) : '-', item.outputPath ?? '-']),
  );
  if (total > items.length) printLine(`… ${total - items.length} more`);
}

export async function libraryImport(session: CoreSession, dir: string, flags: { json?: boolean }): Promise<void> {
  const job = await followJob(session, await session.client.call('library.import', { dir: path.resolve(dir) }), false);
  if (job.state !== 'completed') throw new HavenError('UNAVAILABLE', `import ${job.state}: ${job.error ?? ''}`);
  const { result } = await session.client.call('jobs.get', { id: job.id });
  const report = ImportReport.parse(result);
  if (flags.json) {
    printJson(report);
    return;
  }
  printLine(`scanned ${report.scanned}: ${report.imported} imported, ${report.alreadyKnown} already in the library, ${report.skipped.length} skipped`);
  for (const skipped of report.skipped.slice(0, 100)) printLine(`  skipped ${skipped.path}: ${skipped.reason}`);
  if (report.skipped.length > 100) printLine(`  … and ${report.skipped.length - 100} more`);
}

export async function libraryVerify(session: CoreSession, flags: { json?: boolean }): Promise<void> {
  const job = await session.client.call('library.verify', {});
  const final = await followJob(session, job, flags.json ?? false);
  const detail = await session.client.call('jobs.get', { id: final.id });
  const message = detail.trace.at(-1)?.message ?? final.state;
  if (flags.json) emitFinal(final);
  else printLine(message);
  if (final.state !== 'completed') throw new HavenError('UNAVAILABLE', `verify ${final.state}: ${final.error ?? message}`);
  if (/ [1-9]\d* (missing|changed)/.test(message)) process.exitCode = 1;
}
