import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AppSettings } from '@shared/domain/settings';
import { toDisposable } from '@shared/lifecycle';
import { EventBus } from '../events/bus';
import type { ArchiveIndex } from '../library/archiveIndex';
import type { DerivedFiles } from '../library/derivedFiles';
import type { Logger } from '../log';
import type { PluginLogBook } from '../plugins/pluginLogs';
import type { PluginRuntime } from '../plugins/runtime';
import type { PluginStore } from '../plugins/pluginStore';
import { openDatabase, type HavenDatabase } from '../storage/database';
import { JobStore } from './jobStore';
import { JobQueue } from './queue';

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const fn of cleanup.splice(0).reverse()) fn();
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const logger: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => logger };

/** A queue over a real job store, with stand-ins for the plugins: an archive runs until the test ends. */
function queueWith(db: HavenDatabase): { queue: JobQueue; store: JobStore; archived: string[] } {
  const store = new JobStore(db);
  const archived: string[] = [];
  const queue = new JobQueue({
    store,
    runtime: {
      onProgress: () => toDisposable(() => undefined),
      archive: (_plugin: string, _source: unknown, jobId: string) => {
        archived.push(jobId);
        return new Promise(() => undefined);
      },
    } as unknown as PluginRuntime,
    index: { findBySource: () => undefined } as unknown as ArchiveIndex,
    derived: {} as DerivedFiles,
    pluginStore: { getConfig: () => ({}) } as unknown as PluginStore,
    settings: () => AppSettings.parse({}),
    bus: new EventBus(),
    logs: {} as PluginLogBook,
    logger,
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

/** A queued job whose retry is due at `at`. */
function retryAt(store: JobStore, name: string, at: number): string {
  const row = store.insert(
    { plugin: 'RssPlugin', kind: 'archive', state: 'queued', priority: 0, source: { sourceId: name, mediaType: 'audio', uri: `https://example.invalid/${name}`, metadata: {} }, title: name, maxRetries: 3 },
    { kind: 'queued', message: 'queued' },
  );
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
