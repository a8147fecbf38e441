import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AppSettings } from '@shared/domain/settings';
import type { JobCounts, JobDetail, JobFilter, JobProgressEvent, JobState, JobSummary } from '@shared/domain/jobs';
import { FINISHED_JOB_STATES, JobFilter as JobFilterSchema } from '@shared/domain/jobs';
import { HavenError, describeDiskFull, isHavenError } from '@shared/ipc/errors';
import { DisposableObject, Emitter, toDisposable } from '@shared/lifecycle';
import type { ArchiveResult, MediaSource, ProgressUpdate } from '@shared/sdk/types';
import type { EventBus } from '../events/bus';
import type { ArchiveIndex } from '../library/archiveIndex';
import type { DerivedFiles } from '../library/derivedFiles';
import type { Logger } from '../log';
import type { PluginLogBook } from '../plugins/pluginLogs';
import type { PluginStore } from '../plugins/pluginStore';
import { importFolder } from '../library/importer';
import type { PluginRuntime } from '../plugins/runtime';
import { DEFAULT_RETRY_POLICY, retryDelay, type RetryPolicy } from './backoff';
import { classifyError } from './classify';
import { fingerprint, pipelineFor, positionOf, processSource, type PipelinePosition } from './pipelines';
import { processorDeclines } from '@shared/sdk/processing';
import type { LibraryItem } from '@shared/domain/library';
import { toSummary, type JobPatch, type JobRow, type JobStore } from './jobStore';

export interface JobQueueOptions {
  store: JobStore;
  runtime: PluginRuntime;
  index: ArchiveIndex;
  derived: DerivedFiles;
  pluginStore: PluginStore;
  settings: () => AppSettings;
  bus: EventBus;
  logs: PluginLogBook;
  logger: Logger;
  retry?: RetryPolicy;
  /** How soon to try again after the database refused a write (2 s). */
  writeRetryMs?: number;
}

export const PRIORITY = { record: 100, discover: 10, archive: 0, process: -5, verify: -10 } as const;
const DEFAULT_MAX_RETRIES = 3;
/** Decisions a discovery writes into its own trace one by one; beyond this, a count. */
const TRACE_DETAIL_LIMIT = 500;
/** How soon the queue tries again after the database refused a write. */
const RETRY_WRITE_MS = 2000;
/**
 * Marks a plugin's result kept while Haven hashes and indexes its file, with the file's size and
 * time as saved (see savedBeforeInterruption). Cleared by any outcome but a pause or a crash.
 */
const SAVED_MARK = 'savedAwaitingIndex';
type SavedMark = { size: number; mtimeMs: number };
type MarkedResult = ArchiveResult & { [SAVED_MARK]?: SavedMark };
const CLEAR_SAVED_MARK = { result_json: null } satisfies JobPatch;

function isMarked(resultJson: string | null): boolean {
  return resultJson !== null && resultJson.includes(`"${SAVED_MARK}"`) && (JSON.parse(resultJson) as MarkedResult)[SAVED_MARK] !== undefined;
}

/** A job row's result for callers: without Haven's own mark. */
function publicResult(resultJson: string): unknown {
  const { [SAVED_MARK]: _mark, ...result } = JSON.parse(resultJson) as MarkedResult;
  return result;
}

interface Outcome {
  message: string;
  patch: JobPatch;
  /** Published on the bus once the job is recorded as completed. */
  event?: { name: string; payload: unknown };
  /** Runs once the job is recorded as completed (the next step of a pipeline). */
  followUp?: () => void;
}

interface Running {
  row: JobRow;
  /** What the user asked while it ran. */
  stop?: 'pause' | 'cancel';
  controller: AbortController;
  /** Whether its row holds the saved-file mark (from this run, or from the one Haven lost). */
  marked: boolean;
}

/**
 * The persistent job queue: priorities (live recordings first), FIFO within a priority, a global
 * and a per-plugin concurrency limit, retries with exponential backoff and jitter, pause/resume/
 * cancel, a decision trace per job, and crash recovery. A state change is written to SQLite
 * before anyone hears of it.
 */
export class JobQueue extends DisposableObject {
  private readonly running = new Map<string, Running>();
  private readonly progress = new Map<string, ProgressUpdate>();
  private readonly updated = this.register(new Emitter<JobSummary>());
  readonly onDidUpdate = this.updated.event;
  private readonly progressed = this.register(new Emitter<JobProgressEvent>());
  readonly onProgress = this.progressed.event;
  private readonly countsChanged = this.register(new Emitter<JobCounts>());
  readonly onCounts = this.countsChanged.event;
  private readonly finished = this.register(new Emitter<JobSummary>());
  /** A job reached completed, failed, cancelled or skipped. */
  readonly onDidFinish = this.finished.event;
  private wakeTimer: ReturnType<typeof setTimeout> | undefined;
  /** When the wake timer is due to pump: the earliest retry time it was armed for. */
  private wakeAt: number | undefined;
  private pumping = false;
  /**
   * Jobs whose run ended while the database refused writes (a full disk), with the write of how
   * it ended, replayed once the database takes writes; until then their rows say running.
   */
  private unrecorded = new Map<string, () => void>();
  private replaying = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private pumpAgain = false;
  private active = false;
  private stopping = false;
  private countsQueued = false;
  private only: string[] | undefined;

  constructor(private readonly options: JobQueueOptions) {
    super();
    this.register(
      options.runtime.onProgress((event) => {
        if (!this.running.has(event.jobId)) return;
        this.progress.set(event.jobId, event.update);
        this.progressed.fire({ jobId: event.jobId, plugin: event.plugin, progress: event.update });
      }),
    );
    this.register(toDisposable(() => this.wakeTimer && clearTimeout(this.wakeTimer)));
  }

  /**
   * Requeues what a crash interrupted, then starts running jobs. The CLI passes `only` so that
   * `haven archive` runs its own job and leaves the rest of the queue for the app.
   */
  start(options: { only?: readonly string[] } = {}): void {
    this.only = options.only ? [...options.only] : undefined;
    const recovered = this.options.store.requeueInterrupted();
    if (recovered.length > 0) this.options.logger.info('jobs: requeued after an interruption', { count: recovered.length });
    for (const id of recovered) this.announce(this.options.store.get(id)!);
    this.active = true;
    this.pump();
  }

  // ----- adding jobs -----

  /**
   * Queues an archive of one source. Already archived: a `skipped` row names the item (the
   * completed row stays as it was). Already queued or running: that job is returned. A paused one
   * is resumed when the user asks. A failed or cancelled one is queued again when the user asks;
   * discovery leaves it alone, so a cancel or a permanent failure is not undone behind the
   * user's back. `force` archives again anyway.
   */
  enqueueArchive(
    plugin: string,
    source: MediaSource,
    options: { force?: boolean; reason?: string; kind?: 'archive' | 'record'; byUser?: boolean; paused?: boolean } = {},
  ): JobSummary {
    const kind = options.kind ?? 'archive';
    const reason = options.reason ?? 'requested';
    const byUser = options.byUser ?? true;
    // Only a file the user names is opened to the plugin's sandbox; one discovery found is not.
    const userFile = byUser ? localFileOf(source.uri) : undefined;
    const maxRetries = this.maxRetriesFor(plugin);
    const store = this.options.store;
    const existing = store.latestForSource(plugin, source.sourceId, kind);
    if (existing && (existing.state === 'queued' || existing.state === 'running')) {
      store.addEvent(existing.id, 'requested', `requested again (${reason}); it is already ${existing.state}`);
      return this.summary(existing);
    }
    if (existing?.state === 'paused') {
      if (!byUser) return this.summary(existing);
      const row = this.changeState(store.update(existing.id, { state: 'queued', next_run_at: null }, { kind: 'resumed', message: `resumed (${reason})` }));
      this.pump();
      return row;
    }
    const item = options.force ? undefined : this.options.index.findBySource(plugin, source.sourceId);
    if (item) {
      const message = `skipped: already archived as library item ${item.id}${item.outputPath ? ` (${item.outputPath})` : ''}`;
      if (existing?.state === 'skipped') {
        return this.changeState(store.update(existing.id, { finished_at: Date.now(), item_id: item.id }, { kind: 'skipped', message }));
      }
      const row = store.insert({ plugin, kind, state: 'skipped', priority: PRIORITY[kind], source, title: source.title ?? source.uri, maxRetries }, { kind: 'skipped', message });
      return this.changeState(store.update(row.id, { item_id: item.id }));
    }
    if (existing && ['failed', 'cancelled', 'skipped', 'completed'].includes(existing.state)) {
      if (!byUser && (existing.state === 'failed' || existing.state === 'cancelled')) {
        store.addEvent(existing.id, 'decision', `found again (${reason}); left ${existing.state}: retry it to archive it`);
        return this.summary(existing);
      }
      // One row per source: a new request reuses the old job and says so in its trace.
      const row = store.update(
        existing.id,
        {
          state: options.paused ? 'paused' : 'queued',
          attempts: 0,
          next_run_at: null,
          error_class: null,
          error_message: null,
          finished_at: null,
          force: options.force ? 1 : 0,
          max_retries: maxRetries,
          user_file: userFile ?? null,
          ...(isMarked(existing.result_json) ? CLEAR_SAVED_MARK : {}),
          // The user's request names the source from now on (discovery's earlier row may differ).
          ...(byUser ? { source_json: JSON.stringify(source) } : {}),
        },
        options.paused
          ? { kind: 'paused', message: `added again, paused (${reason}): resume it to archive it` }
          : { kind: 'queued', message: `queued again (${reason}${options.force ? ', archiving again even if already archived' : ''})` },
      );
      this.changeState(row);
      this.pump();
      return this.summary(row);
    }
    const row = store.insert(
      { plugin, kind, state: options.paused ? 'paused' : 'queued', priority: PRIORITY[kind], source, title: source.title ?? source.uri, maxRetries, force: options.force ?? false, ...(userFile ? { userFile } : {}) },
      options.paused ? { kind: 'paused', message: `added paused (${reason}): resume it to archive it` } : { kind: 'queued', message: `queued (${reason})` },
    );
    this.added(row);
    this.pump();
    return this.summary(row);
  }

  /** archive or record, by what the plugin declares; archive for a plugin that does neither. */
  private kindOf(plugin: string): 'archive' | 'record' {
    try {
      return this.options.runtime.kindFor(plugin);
    } catch {
      return 'archive';
    }
  }

  /** Records a source a plugin decided not to take, with its reason (one row per source, refreshed). */
  recordSkipped(plugin: string, source: MediaSource, reason: string, kind: 'archive' | 'record' = 'archive'): void {
    const existing = this.options.store.latestForSource(plugin, source.sourceId, kind);
    if (existing && existing.state !== 'skipped') return;
    if (existing) {
      this.changeState(this.options.store.update(existing.id, { state: 'skipped', finished_at: Date.now() }, { kind: 'skipped', message: `skipped: ${reason}` }));
      return;
    }
    this.added(
      this.options.store.insert(
        { plugin, kind, state: 'skipped', priority: PRIORITY[kind], source, title: source.title ?? source.uri, maxRetries: this.maxRetriesFor(plugin) },
        { kind: 'skipped', message: `skipped: ${reason}` },
      ),
    );
  }

  // ----- pipelines -----

  /**
   * Queues the first step of the item's source pipeline (the processors the user chose for that
   * plugin). The steps are fixed when the pipeline starts and travel with its jobs, so editing the
   * pipeline meanwhile neither skips nor repeats a step. Returns the job, or undefined when the
   * source has no pipeline.
   */
  startPipeline(item: Pick<LibraryItem, 'id' | 'title' | 'plugin' | 'sha256'>, options: { reason: string; byUser?: boolean }): JobSummary | undefined {
    const steps = pipelineFor(this.options.settings(), item.plugin).map((step) => step.plugin);
    return this.queueStep(item, { itemId: item.id, pipeline: item.plugin, steps, step: 0, ...(item.sha256 ? { sha256: item.sha256 } : {}) }, options.reason, options.byUser ?? false);
  }

  /**
   * Queues step `position.step` of a pipeline, or the first later step whose processor is
   * installed (a step whose plugin was uninstalled is noted and passed over).
   */
  private queueStep(item: Pick<LibraryItem, 'id' | 'title'>, position: PipelinePosition, reason: string, byUser: boolean, note?: (message: string) => void): JobSummary | undefined {
    const steps = position.steps ?? [];
    for (let step = position.step; step < steps.length; step++) {
      try {
        this.options.runtime.resolve(steps[step]!);
      } catch {
        note?.(`${steps[step]} (step ${step + 1} of ${position.pipeline}'s pipeline) is not installed: passed over`);
        continue;
      }
      return this.enqueueProcess(item, steps[step]!, { ...position, step }, reason, byUser);
    }
    return undefined;
  }

  /** One processor on one item (a pipeline step, or by hand): one job row per (processor, item), reused. */
  enqueueProcess(item: Pick<LibraryItem, 'id' | 'title'>, processor: string, position: PipelinePosition, reason: string, byUser = true): JobSummary {
    const store = this.options.store;
    const source = processSource(item, position);
    const plugin = this.options.runtime.resolve(processor).key;
    const existing = store.latestForSource(plugin, source.sourceId, 'process');
    if (existing && (existing.state === 'queued' || existing.state === 'running' || existing.state === 'paused')) {
      // A waiting run by hand becomes the pipeline's step, so the steps after it still follow.
      const waiting = existing.state !== 'running' ? positionOf(JSON.parse(existing.source_json!) as MediaSource) : undefined;
      if (waiting && !waiting.pipeline && position.pipeline) {
        store.update(existing.id, { source_json: JSON.stringify(source) }, { kind: 'requested', message: `requested again (${reason}); it is already ${existing.state}, and now runs as step ${position.step + 1} of ${position.pipeline}'s pipeline` });
      } else {
        store.addEvent(existing.id, 'requested', `requested again (${reason}); it is already ${existing.state}`);
      }
      return this.summary(store.get(existing.id)!);
    }
    const title = `${plugin}: ${item.title}`;
    const maxRetries = this.maxRetriesFor(plugin);
    let row: JobRow;
    if (existing) {
      row = store.update(
        existing.id,
        { state: 'queued', attempts: 0, next_run_at: null, error_class: null, error_message: null, finished_at: null, max_retries: maxRetries, source_json: JSON.stringify(source), item_id: item.id },
        { kind: 'queued', message: `queued again (${reason}${byUser ? ', by the user' : ''})` },
      );
      this.changeState(row);
    } else {
      row = store.insert({ plugin, kind: 'process', state: 'queued', priority: PRIORITY.process, source, title, maxRetries }, { kind: 'queued', message: `queued (${reason})` });
      row = store.update(row.id, { item_id: item.id });
      this.added(row);
    }
    this.pump();
    return this.summary(row);
  }

  /** Queues the steps of an item's pipeline that have not run yet as cancelled: the item is gone. */
  cancelProcessingOf(itemId: number): void {
    for (const row of this.options.store.list({ states: ['queued', 'paused'], limit: 1000, offset: 0 }).rows) {
      if (row.kind === 'process' && row.item_id === itemId) {
        this.finish(this.options.store.update(row.id, { state: 'cancelled', finished_at: Date.now() }, { kind: 'cancelled', message: `cancelled: library item ${itemId} was deleted` }));
      }
    }
  }

  private nextStep(position: PipelinePosition, item: LibraryItem, jobId: string): (() => void) | undefined {
    if (!position.pipeline || !position.steps || position.step + 1 >= position.steps.length) return undefined;
    const note = (message: string): void => this.options.store.addEvent(jobId, 'decision', message);
    return () => void this.queueStep(item, { ...position, step: position.step + 1 }, `step ${position.step + 2} of ${position.pipeline}'s pipeline`, false, note);
  }

  /**
   * Runs a processor on an item: in an empty folder of its own, the original checked unchanged
   * afterwards (also when the run fails), what it made recorded as the item's derived files. A
   * step that cannot run (its processor disabled, or not a processor, or declining the item)
   * completes with nothing to do and the pipeline goes on.
   */
  private async processItem(job: Running): Promise<Outcome> {
    const { row } = job;
    const position = positionOf(JSON.parse(row.source_json!) as MediaSource);
    const item = this.options.index.get(position.itemId);
    const next = this.nextStep(position, item, row.id);
    const nothing = (why: string): Outcome => ({ message: `completed: nothing to do (${why})`, patch: { item_id: item.id }, ...(next ? { followUp: next } : {}) });
    // The item id names another item now (the old one was deleted and its id reused).
    if (position.sha256 && item.sha256 && position.sha256 !== item.sha256) return nothing(`library item ${item.id} is not the one this step was queued for`);
    const processor = this.options.runtime.info(row.plugin);
    if (!processor.enabled) return nothing(`${row.plugin} is disabled`);
    if (!processor.processes) return nothing(`${row.plugin} is not a processor (no PROCESS capability)`);
    const declined = processorDeclines(processor.processes, item);
    if (declined) return nothing(`${row.plugin}: ${declined}`);
    if (!item.outputPath) throw new HavenError('NOT_FOUND', `library item ${item.id} has no file`);
    const original = item.outputPath;
    const before = await fingerprint(original);
    if (before === undefined) throw new HavenError('NOT_FOUND', `library item ${item.id}'s file is missing: ${original}`);
    const derivedDir = await this.options.derived.prepare(item.id, row.plugin);
    const checkOriginal = async (): Promise<void> => {
      if ((await fingerprint(original)) !== before) {
        this.options.logs.write({ time: new Date().toISOString(), plugin: row.plugin, level: 'error', message: `changed or removed the original ${original} of library item ${item.id}` });
        throw new HavenError('FORBIDDEN', `${row.plugin} changed or removed the original ${original}; a processor must write only in its own folder (not retried)`);
      }
    };
    let result: Awaited<ReturnType<PluginRuntime['process']>>;
    try {
      result = await this.options.runtime.process(
        row.plugin,
        {
          id: String(item.id),
          plugin: item.plugin,
          sourceId: item.sourceId,
          title: item.title,
          path: original,
          ...(item.mime ? { mime: item.mime } : {}),
          ...(item.duration !== undefined ? { duration: item.duration } : {}),
          metadata: item.metadata,
          derivedDir,
          derived: this.options.derived.list(item.id),
        },
        row.id,
      );
    } catch (error) {
      await checkOriginal();
      throw error;
    }
    await checkOriginal();
    if (result.derived.length === 0) {
      // What it made before was removed with its folder: its text goes too.
      this.options.index.setProcessorText(item.id, row.plugin, '');
      return nothing(result.skipped ?? `${row.plugin} made nothing`);
    }
    const saved = await this.options.derived.record(item.id, row.plugin, derivedDir, result.derived);
    this.options.index.setProcessorText(item.id, row.plugin, result.derived.map((file) => file.text).filter(Boolean).join('\n'));
    return {
      message: `completed: made ${saved.map((file) => `${file.kind} ${file.path}`).join(', ')}`,
      patch: { item_id: item.id, result_json: JSON.stringify({ derived: saved, ...(result.metadata ? { metadata: result.metadata } : {}) }) },
      event: { name: 'process.completed', payload: { jobId: row.id, plugin: row.plugin, itemId: item.id, derived: saved.map((file) => ({ kind: file.kind, path: file.path })) } },
      ...(next ? { followUp: next } : {}),
    };
  }

  enqueueDiscover(plugin: string, reason = 'requested'): JobSummary {
    const row = this.options.store.insert(
      { plugin, kind: 'discover', state: 'queued', priority: PRIORITY.discover, title: `Check ${plugin} for new items`, maxRetries: this.maxRetriesFor(plugin) },
      { kind: 'queued', message: `queued (${reason})` },
    );
    this.added(row);
    this.pump();
    return this.summary(row);
  }

  /**
   * A discovery a plugin asks for on its own schedule: it joins one already waiting or running,
   * and resolves when that finishes (retries included), or rejects when it failed for good.
   */
  async discoverAndWait(plugin: string, reason: string, timeoutMs = 60 * 60_000): Promise<JobSummary> {
    // The CLI's in-process Core runs only its own job; a schedule there would wait for nothing.
    if (!this.active || this.only) throw new HavenError('UNAVAILABLE', 'this Haven does not run the job queue (start the app or `haven serve`)');
    const active = this.options.store.list({ states: ['queued', 'running', 'paused'], plugin, limit: 1000, offset: 0 }).rows.find((row) => row.kind === 'discover');
    const job = active ? this.summary(active) : this.enqueueDiscover(plugin, reason);
    const done = await new Promise<JobSummary>((resolve, reject) => {
      const current = this.options.store.get(job.id);
      if (current && FINISHED_JOB_STATES.includes(current.state)) {
        resolve(this.summary(current));
        return;
      }
      const timer = setTimeout(() => {
        listener.dispose();
        reject(new HavenError('TIMEOUT', `discovery job ${job.id} did not finish within ${Math.round(timeoutMs / 60_000)} minutes`));
      }, timeoutMs);
      const listener = this.finished.event((summary) => {
        if (summary.id !== job.id) return;
        clearTimeout(timer);
        listener.dispose();
        resolve(summary);
      });
    });
    if (done.state === 'failed') throw new HavenError('UNAVAILABLE', `discovery failed: ${done.error ?? 'unknown error'}`);
    return done;
  }

  /** Indexes a folder already on disk, as a job (it can take long and be cancelled). */
  enqueueImport(dir: string): JobSummary {
    const source: MediaSource = { sourceId: `import:${dir}`, mediaType: 'folder', uri: dir, title: dir, metadata: {} };
    const row = this.options.store.insert(
      { plugin: 'core', kind: 'import', state: 'queued', priority: PRIORITY.verify, source, title: `Import ${dir}`, maxRetries: 0 },
      { kind: 'queued', message: 'queued (requested)' },
    );
    this.added(row);
    this.pump();
    return this.summary(row);
  }

  enqueueVerify(): JobSummary {
    const row = this.options.store.insert(
      { plugin: 'core', kind: 'verify', state: 'queued', priority: PRIORITY.verify, title: 'Verify the archive (re-hash every file)', maxRetries: 0 },
      { kind: 'queued', message: 'queued (requested)' },
    );
    this.added(row);
    this.pump();
    return this.summary(row);
  }

  // ----- reading -----

  list(filter: JobFilter): { jobs: JobSummary[]; total: number } {
    const parsed = JobFilterSchema.parse(filter);
    const { rows, total } = this.options.store.list(parsed);
    return { jobs: rows.map((row) => this.summary(row)), total };
  }

  get(id: string): JobDetail {
    const row = this.options.store.get(id);
    if (!row) throw new HavenError('NOT_FOUND', `no job ${id}`);
    const since = row.started_at ?? row.created_at;
    const log = this.options.logs
      .tail(row.plugin, 500)
      .filter((record) => Date.parse(record.time) >= since - 1000 && (row.finished_at === null || Date.parse(record.time) <= row.finished_at + 1000))
      .slice(-100)
      .map((record) => ({ time: record.time, level: record.level, message: record.message }));
    return {
      ...this.summary(row),
      ...(row.source_json ? { source: JSON.parse(row.source_json) as MediaSource } : {}),
      ...(row.result_json ? { result: publicResult(row.result_json) } : {}),
      trace: this.options.store.trace(id),
      log,
    };
  }

  counts(): JobCounts {
    return this.options.store.counts();
  }

  /** Resolves when the job reaches completed, failed, cancelled or skipped. */
  waitFor(id: string): Promise<JobSummary> {
    const row = this.options.store.get(id);
    if (!row) return Promise.reject(new HavenError('NOT_FOUND', `no job ${id}`));
    if (['completed', 'failed', 'cancelled', 'skipped'].includes(row.state)) return Promise.resolve(this.summary(row));
    return new Promise((resolve) => {
      const sub = this.onDidFinish((job) => {
        if (job.id !== id) return;
        sub.dispose();
        resolve(job);
      });
    });
  }

  // ----- acting on jobs -----

  pause(ids: readonly string[] | 'all'): number {
    return this.each(ids, ['queued', 'running'], (row) => {
      if (row.state === 'running') return this.stopRunning(row, 'pause');
      this.changeState(this.options.store.update(row.id, { state: 'paused' }, { kind: 'paused', message: 'paused by the user' }));
      return true;
    });
  }

  resume(ids: readonly string[] | 'all'): number {
    const count = this.each(ids, ['paused'], (row) => {
      this.changeState(this.options.store.update(row.id, { state: 'queued', next_run_at: null }, { kind: 'resumed', message: 'resumed by the user' }));
      return true;
    });
    this.pump();
    return count;
  }

  cancel(ids: readonly string[] | 'all'): number {
    return this.each(ids, ['queued', 'running', 'paused'], (row) => {
      if (row.state === 'running') return this.stopRunning(row, 'cancel');
      this.finish(this.options.store.update(row.id, { state: 'cancelled', finished_at: Date.now(), ...(isMarked(row.result_json) ? CLEAR_SAVED_MARK : {}) }, { kind: 'cancelled', message: 'cancelled by the user' }));
      return true;
    });
  }

  /** Failed (or cancelled) jobs back to the queue, attempts reset. */
  retry(ids: readonly string[] | 'failed'): number {
    // Runs whose failure waits to be written are failed jobs too.
    this.replayUnrecorded();
    const targets = ids === 'failed' ? this.options.store.idsInStates(['failed']) : ids;
    const count = this.each(targets, ['failed', 'cancelled'], (row) => {
      this.changeState(
        this.options.store.update(
          row.id,
          { state: 'queued', attempts: 0, next_run_at: null, error_class: null, error_message: null, finished_at: null },
          { kind: 'retry', message: 'queued again by the user (retry)' },
        ),
      );
      return true;
    });
    this.pump();
    return count;
  }

  /** Skipped jobs back to the queue; they archive even if the source looks archived. */
  unskip(ids: readonly string[] | 'all'): number {
    const count = this.each(ids, ['skipped'], (row) => {
      this.changeState(
        this.options.store.update(row.id, { state: 'queued', force: 1, finished_at: null, next_run_at: null }, { kind: 'unskipped', message: 'un-skipped by the user: it will be archived' }),
      );
      return true;
    });
    this.pump();
    return count;
  }

  private each(ids: readonly string[] | 'all', states: JobState[], act: (row: JobRow) => boolean): number {
    // A run whose end is still to be written must be written first, or its row says running.
    this.replayUnrecorded();
    const targets = ids === 'all' ? this.options.store.idsInStates(states) : ids;
    let count = 0;
    for (const id of targets) {
      const row = this.options.store.get(id);
      if (!row || !states.includes(row.state)) continue;
      if (act(row)) count++;
    }
    return count;
  }

  private stopRunning(row: JobRow, stop: 'pause' | 'cancel'): boolean {
    const running = this.running.get(row.id);
    if (!running) return false;
    running.stop = stop;
    running.controller.abort();
    this.options.store.addEvent(row.id, `${stop}_requested`, `${stop === 'pause' ? 'pause' : 'cancel'} requested by the user while running`);
    if (row.plugin !== 'core') void this.options.runtime.cancel(row.plugin, row.id).catch(() => undefined);
    return true;
  }

  // ----- running -----

  private pump(): void {
    if (!this.active || this.stopping) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      this.replayUnrecorded();
      do {
        this.pumpAgain = false;
        this.startRunnable();
      } while (this.pumpAgain);
    } catch (error) {
      // Starting a job writes its row; a database that refuses writes (a full disk) must not
      // take Core down from a timer. The queue tries again shortly.
      this.options.logger.error('jobs: could not start queued jobs', { error: String(error) });
      this.retrySoon();
    } finally {
      this.pumping = false;
    }
    this.scheduleWake();
  }

  private retrySoon(): void {
    if (this.retryTimer || this.stopping) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.pump();
    }, this.options.writeRetryMs ?? RETRY_WRITE_MS);
    this.retryTimer.unref();
  }

  /** Writes, in order, how each run ended that could not be written when it ended. */
  private replayUnrecorded(): void {
    // A replayed completion may queue a pipeline step, which pumps, which would replay again.
    if (this.replaying) return;
    this.replaying = true;
    try {
      for (const [id, write] of [...this.unrecorded]) {
        this.unrecorded.delete(id);
        try {
          write();
        } catch (error) {
          if (describeDiskFull(error)) {
            // Still no room: this and the rest wait, in their order.
            this.unrecorded = new Map([[id, write], ...this.unrecorded]);
            this.retrySoon();
            return;
          }
          // Written or not, retrying would not help; the next start requeues a job left running.
          this.options.logger.error('jobs: could not write how a run ended', { job: id, error: String(error) });
        }
      }
    } finally {
      this.replaying = false;
    }
  }

  private startRunnable(): void {
    const settings = this.options.settings();
    const perPlugin = new Map<string, number>();
    for (const job of this.running.values()) perPlugin.set(job.row.plugin, (perPlugin.get(job.row.plugin) ?? 0) + 1);
    // Each round asks the database only for jobs that can start, so a long backlog of one
    // plugin never hides the jobs of another.
    for (let round = 0; round < 100; round++) {
      const free = settings.maxConcurrentJobs - this.running.size;
      if (free <= 0) return;
      const saturated = [...perPlugin].filter(([, n]) => n >= settings.maxConcurrentJobsPerPlugin).map(([plugin]) => plugin);
      const candidates = this.options.store.runnable(Date.now(), free, saturated, this.only);
      if (candidates.length === 0) return;
      let started = 0;
      for (const row of candidates) {
        const count = perPlugin.get(row.plugin) ?? 0;
        if (row.kind !== 'record' && count >= settings.maxConcurrentJobsPerPlugin) continue;
        perPlugin.set(row.plugin, count + 1);
        this.run(row);
        started++;
      }
      if (started === 0) return;
    }
  }

  /**
   * Arms the timer for the next retry, and re-arms it only when that time changes. The queue pumps
   * many times a second while jobs run, and Node keeps the (empty) timer list of every cleared
   * unref'd timer of a new duration until that duration ends: clearing and re-creating the timer
   * on each pump held one list per pump until the retry was due (some 30 MB with an hour to go).
   */
  private scheduleWake(): void {
    const now = Date.now();
    const at = this.options.store.nextWake(now);
    if (this.wakeTimer && at === this.wakeAt) return;
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = undefined;
    this.wakeAt = at;
    if (at === undefined) return;
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = undefined;
      this.pump();
    }, Math.min(at - now + 5, 2 ** 31 - 1));
    this.wakeTimer.unref();
  }

  private run(queued: JobRow): void {
    const row = this.options.store.update(
      queued.id,
      { state: 'running', started_at: Date.now(), next_run_at: null },
      { kind: 'started', message: `started (attempt ${queued.attempts + 1} of ${queued.max_retries + 1})` },
    );
    const job: Running = { row, controller: new AbortController(), marked: isMarked(row.result_json) };
    this.running.set(row.id, job);
    this.changeState(row);
    void this.execute(job)
      .then(
        (outcome) => this.record(job, () => this.succeed(job, outcome)),
        (error: unknown) => this.record(job, () => this.fail(job, error)),
      )
      .finally(() => {
        this.running.delete(row.id);
        this.progress.delete(row.id);
        this.pump();
      });
  }

  /**
   * Writing an outcome can itself fail; the job must not stay `running` silently. A full disk
   * only delays the write: it is replayed as it was once the database takes writes (or the next
   * start requeues the job). Any other failure records the job as failed, with the reason.
   */
  private record(job: Running, write: () => void): void {
    const id = job.row.id;
    const later = (replay: () => void): void => {
      this.unrecorded.set(id, replay);
      this.retrySoon();
    };
    try {
      write();
    } catch (error) {
      if (describeDiskFull(error)) {
        this.options.logger.warn('jobs: the outcome waits for space to be written', { job: id, error: String(error) });
        later(write);
        return;
      }
      this.options.logger.error('jobs: could not record an outcome', { job: id, error: String(error) });
      const fallback = (): void => {
        this.finish(
          this.options.store.update(
            id,
            { state: 'failed', finished_at: Date.now(), error_class: 'internal', error_message: `Haven could not record the outcome: ${String(error)}`, ...(job.marked ? CLEAR_SAVED_MARK : {}) },
            { kind: 'failed', message: `Haven could not record the outcome: ${String(error)}` },
          ),
        );
      };
      try {
        fallback();
      } catch {
        later(fallback);
      }
    }
  }

  private async execute(job: Running): Promise<Outcome> {
    const { row } = job;
    const signal = job.controller.signal;
    if (signal.aborted) throw new HavenError('CANCELLED', 'stopped before it began');
    switch (row.kind) {
      case 'archive':
      case 'record': {
        const source = JSON.parse(row.source_json!) as MediaSource;
        const savedEarlier = row.result_json ? await this.savedBeforeInterruption(row) : undefined;
        if (savedEarlier) {
          this.options.store.addEvent(row.id, 'decision', `the plugin had saved ${savedEarlier.outputPath} before Haven stopped; indexing it without downloading again`);
          return this.indexArchived(row, source, savedEarlier);
        }
        if (!row.force) {
          // A job requeued after an interruption may have finished just before Haven stopped.
          const known = this.options.index.findBySource(row.plugin, source.sourceId);
          if (known) {
            return {
              message: `completed: already archived as library item ${known.id}`,
              patch: { item_id: known.id, result_json: JSON.stringify({ success: true, outputPath: known.outputPath }) },
              // Haven stopped between saving and recording the job: its pipeline has not started.
              followUp: () => this.startPipeline(known, { reason: `after job ${row.id} archived it` }),
            };
          }
        }
        // A file the user named reaches the plugin where its sandbox lets it read (maybe a copy).
        const shared = row.user_file ? await this.options.runtime.shareUserFile(row.plugin, row.user_file, row.id) : undefined;
        const given = shared && shared.path !== row.user_file ? { ...source, uri: /^file:/i.test(source.uri) ? pathToFileURL(shared.path).href : shared.path } : source;
        let result: Awaited<ReturnType<PluginRuntime['archive']>>;
        try {
          result =
            row.kind === 'archive'
              ? await this.options.runtime.archive(row.plugin, given, row.id)
              : ((await this.options.runtime.invoke(row.plugin, 'record', [given], { jobId: row.id, timeoutMs: 7 * 24 * 3600_000 })) as Awaited<ReturnType<PluginRuntime['archive']>>);
        } finally {
          shared?.dispose();
        }
        if (!result.success) throw new HavenError('INTERNAL', result.error ?? `${row.plugin} reported a failure without a reason`);
        if (result.outputPath && !this.options.runtime.isOwnOutput(row.plugin, result.outputPath)) {
          throw new HavenError('INVALID_OUTPUT', `${row.plugin} reported ${result.outputPath}, outside the folders it may write; not recorded`);
        }
        // Hashing, the sidecar and the index row take a while on a large file; a crash meanwhile
        // must not make the plugin save the same file again (under a second name).
        const saved = result.outputPath ? await fs.promises.stat(result.outputPath).catch(() => undefined) : undefined;
        if (saved) {
          this.options.store.update(row.id, { result_json: JSON.stringify({ ...result, [SAVED_MARK]: { size: saved.size, mtimeMs: saved.mtimeMs } } satisfies MarkedResult) });
          job.marked = true;
        }
        return this.indexArchived(row, source, result);
      }
      case 'process':
        return this.processItem(job);
      case 'discover':
        return this.discover(job);
      case 'verify': {
        const report = await this.options.index.verify(
          (done, total) => this.progressed.fire({ jobId: row.id, plugin: 'core', progress: { phase: 'verifying', percent: total ? (done / total) * 100 : 100, message: `${done} of ${total}` } }),
          signal,
        );
        return {
          message: `verified ${report.checked} file(s): ${report.ok} ok, ${report.missing.length} missing, ${report.changed.length} changed`,
          patch: { result_json: JSON.stringify(report) },
        };
      }
      case 'import': {
        const dir = (JSON.parse(row.source_json!) as MediaSource).uri;
        const report = await importFolder(this.options.index, dir, {
          signal,
          onProgress: (message) => this.progressed.fire({ jobId: row.id, plugin: 'core', progress: { phase: 'importing', message } }),
        });
        return {
          message: `scanned ${report.scanned}: ${report.imported} imported, ${report.alreadyKnown} already in the library, ${report.skipped.length} skipped`,
          patch: { result_json: JSON.stringify(report) },
        };
      }
      default:
        throw new HavenError('NOT_IMPLEMENTED', `${row.kind} jobs are not run by this version of Haven`);
    }
  }

  /**
   * The result a plugin reported before Haven stopped, when its file is still there and Haven had
   * not finished indexing it; such a job is completed from that file.
   */
  private async savedBeforeInterruption(row: JobRow): Promise<ArchiveResult | undefined> {
    if (!row.result_json) return undefined;
    const { [SAVED_MARK]: mark, ...result } = JSON.parse(row.result_json) as MarkedResult;
    if (!mark || !result.success || !result.outputPath || result.outputPath.endsWith('.part')) return undefined;
    if (!this.options.runtime.isOwnOutput(row.plugin, result.outputPath)) return undefined;
    const now = await fs.promises.stat(result.outputPath).catch(() => undefined);
    // A file changed since (or a folder whose time moves with its contents) is not taken on trust.
    return now?.isFile() && now.size === mark.size && now.mtimeMs === mark.mtimeMs ? result : undefined;
  }

  private async indexArchived(row: JobRow, source: MediaSource, result: ArchiveResult): Promise<Outcome> {
    const { item, duplicateOf, sidecarError } = await this.options.index.addArchived(row.plugin, source, result);
    if (duplicateOf) {
      this.options.store.addEvent(row.id, 'duplicate', `the same content (sha256) is already library item ${duplicateOf.id} from ${duplicateOf.plugin} ${duplicateOf.sourceId}`);
    }
    if (sidecarError) this.options.store.addEvent(row.id, 'warning', `the sidecar beside the file could not be written: ${sidecarError}`);
    return {
      message: `completed: saved ${item.outputPath ?? '(no file)'}${item.size !== undefined ? ` (${item.size} bytes, sha256 ${item.sha256?.slice(0, 16)}…)` : ''}`,
      patch: { result_json: JSON.stringify({ ...result, outputPath: item.outputPath }), item_id: item.id },
      event: { name: 'archive.completed', payload: { jobId: row.id, plugin: row.plugin, itemId: item.id, path: item.outputPath, sourceId: source.sourceId } },
      followUp: () => this.startPipeline(item, { reason: `after job ${row.id} archived it` }),
    };
  }

  private async discover(job: Running): Promise<Outcome> {
    const { row } = job;
    const found = await this.options.runtime.discover(row.plugin, false, row.id);
    let queued = 0;
    let known = 0;
    let detailed = 0;
    const note = (message: string): void => {
      if (detailed++ < TRACE_DETAIL_LIMIT) this.options.store.addEvent(row.id, 'decision', message);
    };
    // A plugin that records streams gets record jobs for what it finds (asked only when it found something).
    const kind = found.sources.length || found.skipped.length ? this.kindOf(row.plugin) : 'archive';
    for (const { addPaused, ...source } of found.sources) {
      const label = source.title ?? source.sourceId;
      if (this.options.index.findBySource(row.plugin, source.sourceId)) {
        known++;
        note(`skipped ${label}: already archived`);
        continue;
      }
      const wasPaused = this.options.store.latestForSource(row.plugin, source.sourceId, kind)?.state === 'paused';
      const created = this.enqueueArchive(row.plugin, source, { reason: `found by discovery job ${row.id}`, byUser: false, kind, ...(addPaused ? { paused: true } : {}) });
      if (created.state === 'queued' || (addPaused && created.state === 'paused' && !wasPaused)) {
        queued++;
        note(`${created.state === 'paused' ? 'added paused' : 'queued'} ${label} as job ${created.id}`);
      } else {
        note(`${label}: job ${created.id} is ${created.state}, left as it is`);
      }
    }
    for (const { source, reason } of found.skipped) {
      this.recordSkipped(row.plugin, source, reason, kind);
      note(`skipped ${source.title ?? source.sourceId}: ${reason}`);
    }
    if (detailed > TRACE_DETAIL_LIMIT) this.options.store.addEvent(row.id, 'decision', `… and ${detailed - TRACE_DETAIL_LIMIT} more decisions`);
    return {
      message: `found ${found.sources.length + found.skipped.length}: ${queued} queued, ${known} already archived, ${found.skipped.length} skipped by the plugin`,
      patch: { result_json: JSON.stringify({ found: found.sources.length, queued, known, skipped: found.skipped.length }) },
    };
  }

  /** Finished work is recorded even while Haven is quitting: it must not be done twice. */
  private succeed(job: Running, outcome: Outcome): void {
    const last = this.progress.get(job.row.id);
    this.finish(
      this.options.store.update(
        job.row.id,
        { ...outcome.patch, state: 'completed', finished_at: Date.now(), error_class: null, error_message: null, ...(last ? { progress_json: JSON.stringify(last) } : {}) },
        { kind: 'completed', message: outcome.message },
      ),
    );
    if (outcome.event) this.options.bus.publish(outcome.event.name, outcome.event.payload);
    // The outcome is written: nothing after this may throw, or record() would write it again.
    try {
      outcome.followUp?.();
    } catch (error) {
      const message = `what follows this job could not be queued: ${error instanceof Error ? error.message : String(error)}`;
      try {
        this.options.store.addEvent(job.row.id, 'warning', message);
      } catch {
        this.options.logger.warn(`jobs: ${message}`, { job: job.row.id });
      }
    }
  }

  private fail(job: Running, error: unknown): void {
    // Quitting Haven interrupts jobs; the next start requeues them, so nothing is recorded now.
    if (this.stopping) return;
    const { row } = job;
    const message = isHavenError(error) ? error.message : error instanceof Error ? error.message : String(error);
    const last = this.progress.get(row.id);
    const progress = last ? { progress_json: JSON.stringify(last) } : {};
    if (job.stop === 'pause') {
      this.changeState(this.options.store.update(row.id, { state: 'paused', ...progress }, { kind: 'paused', message: 'paused by the user while running; partial data is kept for resuming' }));
      return;
    }
    if (job.stop === 'cancel') {
      this.finish(this.options.store.update(row.id, { state: 'cancelled', finished_at: Date.now(), ...(job.marked ? CLEAR_SAVED_MARK : {}), ...progress }, { kind: 'cancelled', message: 'cancelled by the user while running' }));
      return;
    }
    const classified = classifyError(isHavenError(error) ? error.code : undefined, message);
    const hint = classified.hint ? ` (${classified.hint})` : '';
    // Only failed runs count against max_retries (pauses and interruptions do not).
    const attempts = row.attempts + 1;
    if (classified.retryable && attempts <= row.max_retries) {
      const delay = retryDelay(attempts, this.options.retry ?? DEFAULT_RETRY_POLICY);
      const at = Date.now() + delay;
      this.changeState(
        this.options.store.update(
          row.id,
          { state: 'queued', attempts, next_run_at: at, error_class: classified.errorClass, error_message: message, ...(job.marked ? CLEAR_SAVED_MARK : {}), ...progress },
          { kind: 'retry_planned', message: `failed (${classified.errorClass}): ${message}${hint}; retry ${attempts} of ${row.max_retries} at ${new Date(at).toISOString()}` },
        ),
      );
      return;
    }
    const why = classified.retryable ? `no retries left (${row.max_retries})` : 'retrying cannot help';
    this.finish(
      this.options.store.update(
        row.id,
        { state: 'failed', attempts, finished_at: Date.now(), error_class: classified.errorClass, error_message: message, ...(job.marked ? CLEAR_SAVED_MARK : {}), ...progress },
        { kind: 'failed', message: `failed (${classified.errorClass}): ${message}${hint}; ${why}` },
      ),
    );
  }

  // ----- announcing -----

  private summary(row: JobRow): JobSummary {
    return toSummary(row, this.progress.get(row.id));
  }

  private added(row: JobRow): JobSummary {
    return this.changeState(row);
  }

  private changeState(row: JobRow): JobSummary {
    const summary = this.summary(row);
    this.updated.fire(summary);
    this.queueCounts();
    return summary;
  }

  private finish(row: JobRow): JobSummary {
    const summary = this.changeState(row);
    this.finished.fire(summary);
    return summary;
  }

  private announce(row: JobRow): void {
    this.changeState(row);
  }

  private queueCounts(): void {
    if (this.countsQueued) return;
    this.countsQueued = true;
    queueMicrotask(() => {
      this.countsQueued = false;
      this.countsChanged.fire(this.options.store.counts());
    });
  }

  private maxRetriesFor(plugin: string): number {
    const value = this.options.pluginStore.getConfig(plugin).max_retries;
    return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? Math.min(value, 20) : DEFAULT_MAX_RETRIES;
  }

  /** Stops taking jobs; running ones are left `running` for the next start to requeue. */
  stop(): void {
    this.stopping = true;
    this.active = false;
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = undefined;
    this.wakeAt = undefined;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    for (const job of this.running.values()) job.controller.abort();
  }
}

/** The local file a source names, with a `file:` URI or as an absolute path, if it does. */
export function localFileOf(uri: string): string | undefined {
  if (path.isAbsolute(uri)) return path.resolve(uri);
  if (!/^file:/i.test(uri)) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}
