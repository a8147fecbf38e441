import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AppSettings } from '@shared/domain/settings';
import { toDisposable } from '@shared/lifecycle';
import { EventBus } from '../events/bus';
import { ArchiveIndex } from '../library/archiveIndex';
import type { DerivedFiles } from '../library/derivedFiles';
import type { Logger } from '../log';
import type { PluginLogBook } from '../plugins/pluginLogs';
import type { PluginRuntime } from '../plugins/runtime';
import type { PluginStore } from '../plugins/pluginStore';
import { openDatabase, type HavenDatabase } from '../storage/database';
import { JobStore, type JobPatch, type JobRow } from './jobStore';
import { JobQueue } from './queue';

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const fn of cleanup.splice(0).reverse()) fn();
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const logger: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => logger };

/** A queue over a real job store, with stand-ins for the plugins (by default an archive runs until the test ends). */
function queueWith(
  db: HavenDatabase,
  plugins: Partial<Record<'archive' | 'isOwnOutput' | 'resolve' | 'info', unknown>> = {},
  index?: ArchiveIndex,
  store = new JobStore(db),
  settings = AppSettings.parse({}),
): { queue: JobQueue; store: JobStore; archived: string[] } {
  const archived: string[] = [];
  const archive = (plugins.archive ?? (() => new Promise(() => undefined))) as (...args: unknown[]) => unknown;
  const queue = new JobQueue({
    store,
    runtime: {
      onProgress: () => toDisposable(() => undefined),
      isOwnOutput: plugins.isOwnOutput ?? (() => true),
      ...(plugins.resolve ? { resolve: plugins.resolve } : {}),
      ...(plugins.info ? { info: plugins.info } : {}),
      archive: (plugin: string, source: unknown, jobId: string) => {
        archived.push(jobId);
        return archive(plugin, source, jobId);
      },
    } as unknown as PluginRuntime,
    index: index ?? ({ findBySource: () => undefined } as unknown as ArchiveIndex),
    derived: {} as DerivedFiles,
    pluginStore: { getConfig: () => ({}) } as unknown as PluginStore,
    settings: () => settings,
    bus: new EventBus(),
    logs: { tail: () => [] } as unknown as PluginLogBook,
    logger,
    writeRetryMs: 20,
  });
  cleanup.push(() => {
    queue.stop();
    queue.dispose();
  });
  return { queue, store, archived };
}

function database(): HavenDatabase {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'haven-queue-'));
  const db = openDatabase(path.join(dir, 'haven.db'));
  cleanup.push(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return db;
}

/** An RSS archive job for episode `name`, queued. */
function queuedEpisode(store: JobStore, name: string): JobRow {
  return store.insert(
    { plugin: 'RssPlugin', kind: 'archive', state: 'queued', priority: 0, source: { sourceId: name, mediaType: 'audio', uri: `https://example.invalid/${name}.mp3`, metadata: {} }, title: name, maxRetries: 3 },
    { kind: 'queued', message: 'queued' },
  );
}

/** The result a plugin reported for `file`, as the queue keeps it while indexing. */
function savedResult(file: string): string {
  const saved = fs.existsSync(file) ? fs.statSync(file) : { size: 11, mtimeMs: 0 };
  return JSON.stringify({ success: true, outputPath: file, savedAwaitingIndex: { size: saved.size, mtimeMs: saved.mtimeMs } });
}

/**
 * Makes the store refuse the updates `refuses` picks, as SQLite on a full disk does, while
 * `disk.full` is true.
 */
function fullDisk(store: JobStore, refuses: (patch: JobPatch) => boolean = () => true): { full: boolean } {
  const disk = { full: false };
  const update = store.update.bind(store);
  vi.spyOn(store, 'update').mockImplementation((...args: Parameters<JobStore['update']>) => {
    if (disk.full && refuses(args[1])) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    return update(...args);
  });
  return disk;
}

/** A queued job whose retry is due at `at`. */
function retryAt(store: JobStore, name: string, at: number): string {
  const row = queuedEpisode(store, name);
  store.update(row.id, { attempts: 1, next_run_at: at }, { kind: 'retry_planned', message: 'failed; retry later' });
  return row.id;
}

describe('JobQueue retry timer', () => {
  it('arms one timer for a pending retry however often the queue pumps', () => {
    const { queue, store } = queueWith(database());
    retryAt(store, 'later', Date.now() + 3600_000);
    const armed = vi.spyOn(globalThis, 'setTimeout');
    queue.start();
    // Every finished or added job pumps the queue; each pump used to clear the unref'd timer and
    // make a new one a few ms shorter, and Node keeps every such timer's list until it is due.
    for (let i = 0; i < 200; i++) queue.resume([]);
    expect(armed).toHaveBeenCalledTimes(1);
    expect(armed.mock.calls[0]![1]).toBeGreaterThan(3590_000);
  });

  it('re-arms for an earlier retry, and runs the job when it is due', () => {
    vi.useFakeTimers();
    const { queue, store, archived } = queueWith(database());
    retryAt(store, 'later', Date.now() + 3600_000);
    queue.start();
    const soon = retryAt(store, 'soon', Date.now() + 1000);
    queue.resume([]);
    for (let i = 0; i < 50; i++) {
      vi.advanceTimersByTime(10);
      queue.resume([]);
    }
    expect(archived).toEqual([]);
    vi.advanceTimersByTime(1000);
    expect(archived).toEqual([soon]);
    expect(store.get(soon)?.state).toBe('running');
  });
});

/** A job Haven was running when it stopped, after its plugin had reported `outputPath`. */
function interruptedWhileIndexing(store: JobStore, outputPath: string): string {
  const row = queuedEpisode(store, 'ep1');
  store.update(row.id, { state: 'running', started_at: Date.now(), result_json: savedResult(outputPath) });
  return row.id;
}

async function untilCompleted(store: JobStore, id: string): Promise<void> {
  for (let i = 0; i < 200 && store.get(id)?.state !== 'completed'; i++) await new Promise((resolve) => setTimeout(resolve, 10));
}

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'haven-queue-saved-'));
  cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('JobQueue after a crash while indexing', () => {
  it('completes from the file the plugin had saved, without running the plugin again', async () => {
    const db = database();
    const dir = tempDir();
    const file = path.join(dir, 'episode.mp3');
    fs.writeFileSync(file, 'the episode');
    // The kill came while the sidecar was being written.
    fs.writeFileSync(`${file}.haven.json.part`, '{"haven":');
    const index = new ArchiveIndex(db);
    const { queue, store, archived } = queueWith(
      db,
      { isOwnOutput: (_plugin: string, output: string) => output.startsWith(dir + path.sep), archive: () => Promise.resolve({ success: true, outputPath: path.join(dir, 'episode (2).mp3') }) },
      index,
    );
    const id = interruptedWhileIndexing(store, file);
    queue.start();
    await untilCompleted(store, id);
    const job = store.get(id)!;
    expect(job.state).toBe('completed');
    expect(archived).toEqual([]);
    expect(index.findBySource('RssPlugin', 'ep1')?.outputPath).toBe(file);
    expect(JSON.parse(fs.readFileSync(`${file}.haven.json`, 'utf8'))).toMatchObject({ haven: 1, source: { sourceId: 'ep1' } });
    expect(fs.readdirSync(dir).sort()).toEqual(['episode.mp3', 'episode.mp3.haven.json']);
    expect(JSON.parse(job.result_json!)).toEqual({ success: true, outputPath: file });
  });

  it('runs the plugin again when the saved file was changed since, or the user cancelled and retried', async () => {
    const db = database();
    const dir = tempDir();
    const file = path.join(dir, 'episode.mp3');
    fs.writeFileSync(file, 'the episode');
    const download = () => {
      fs.writeFileSync(file, 'downloaded again');
      return Promise.resolve({ success: true, outputPath: file });
    };
    const { queue, store, archived } = queueWith(db, { archive: download }, new ArchiveIndex(db));
    const changed = interruptedWhileIndexing(store, file);
    fs.appendFileSync(file, ', and more');
    queue.start();
    await untilCompleted(store, changed);
    expect(archived).toEqual([changed]);
    expect(queue.get(changed).result).toEqual({ success: true, outputPath: file });

    // A second source, interrupted the same way, then cancelled: a retry downloads it again.
    const row = queuedEpisode(store, 'ep2');
    store.update(row.id, { state: 'paused', result_json: savedResult(file) });
    expect(queue.cancel([row.id])).toBe(1);
    expect(store.get(row.id)?.result_json).toBeNull();
    queue.retry([row.id]);
    await untilCompleted(store, row.id);
    expect(archived).toEqual([changed, row.id]);
  });

  it('runs the plugin again when the saved file is gone', async () => {
    const db = database();
    const dir = tempDir();
    const again = path.join(dir, 'episode.mp3');
    const download = () => {
      fs.writeFileSync(again, 'downloaded again');
      return Promise.resolve({ success: true, outputPath: again });
    };
    const { queue, store, archived } = queueWith(db, { archive: download }, new ArchiveIndex(db));
    const id = interruptedWhileIndexing(store, path.join(dir, 'gone.mp3'));
    queue.start();
    await untilCompleted(store, id);
    expect(store.get(id)?.state).toBe('completed');
    expect(archived).toEqual([id]);
  });
});

describe('JobQueue when its database refuses writes', () => {
  it('writes how a run ended once the database takes writes again, instead of leaving the job running', async () => {
    const db = database();
    const store = new JobStore(db);
    const disk = fullDisk(store);
    const download = () => {
      disk.full = true;
      return Promise.reject(new Error('disk full: no space left in /downloads (ENOSPC)'));
    };
    const { queue, archived } = queueWith(db, { archive: download }, undefined, store);
    const row = queuedEpisode(store, 'ep1');
    queue.start();
    for (let i = 0; i < 20 && archived.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    // The failure could not be written: the row still says running, and tries keep failing.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(store.get(row.id)?.state).toBe('running');
    disk.full = false;
    for (let i = 0; i < 100 && store.get(row.id)?.state === 'running'; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    // Written as it ended: a full disk fails the job for good, one attempt, run once.
    expect(store.get(row.id)).toMatchObject({ state: 'failed', error_class: 'disk_full', attempts: 1 });
    expect(store.trace(row.id).map((event) => event.kind)).toEqual(['queued', 'started', 'failed']);
    expect(archived).toEqual([row.id]);
  });
});

describe('JobQueue replaying a completion the disk refused', () => {
  it('writes it once, even when the pipeline step it queues pumps the queue during the replay', async () => {
    const db = database();
    const dir = tempDir();
    const file = path.join(dir, 'episode.mp3');
    fs.writeFileSync(file, 'the episode');
    const store = new JobStore(db);
    // Only state changes fail: the saved-file mark is written, the completion is refused.
    const disk = fullDisk(store, (patch) => patch.state !== undefined);
    const settings = AppSettings.parse({ pipelines: { RssPlugin: [{ plugin: 'FactsProcessor' }] } });
    const archive = () => {
      disk.full = true;
      return Promise.resolve({ success: true, outputPath: file });
    };
    // The step's processor is disabled: its job completes at once, doing nothing.
    const info = () => ({ enabled: false });
    const { queue } = queueWith(db, { archive, resolve: () => ({ key: 'FactsProcessor' }), info }, new ArchiveIndex(db), store, settings);
    const finished: string[] = [];
    queue.onDidFinish((job) => finished.push(`${job.id} ${job.state}`));
    const row = queuedEpisode(store, 'ep1');
    queue.start();
    for (let i = 0; i < 100 && !isMarkedRow(store, row.id); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(store.get(row.id)?.state).toBe('running');
    disk.full = false;
    // A user action replays what waits before it acts.
    queue.pause([]);
    expect(finished).toEqual([`${row.id} completed`]);
    expect(store.trace(row.id).filter((event) => event.kind === 'completed')).toHaveLength(1);
    // The pipeline step was queued once.
    expect(db.prepare("SELECT count(*) FROM jobs WHERE kind = 'process'").pluck().get()).toBe(1);
  });
});

function isMarkedRow(store: JobStore, id: string): boolean {
  return store.get(id)?.result_json?.includes('savedAwaitingIndex') ?? false;
}
