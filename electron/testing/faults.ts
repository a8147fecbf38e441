import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { createClient, type IpcClient } from '@shared/ipc/client';
import type { HavenContract } from '@shared/ipc/contract';
import { memoryProtocolPair } from '@shared/ipc/transports/memory';
import type { JobSummary } from '@shared/domain/jobs';
import { startCore, type Core, type CoreOptions } from '../core/core';
import path from 'node:path';
import { PLUGIN_HOST_ENTRY, REPO_ROOT, tempHome } from './fixtures';

/** A client of an in-process Core over the contract, as the desktop app's main process is. */
export function clientOf(core: Core): IpcClient<HavenContract> {
  const [coreSide, clientSide] = memoryProtocolPair();
  core.router.connect(coreSide, 'test');
  return createClient<HavenContract>(clientSide);
}

export interface Responsiveness {
  /** Stops probing; the slowest answer, how many answered, and the probes that failed. */
  stop(): Promise<{ maxMs: number; answered: number; failures: string[] }>;
}

/**
 * Times a cheap call every `everyMs` while a fault runs: how long Core takes to answer is how
 * responsive its event loop is (the UI waits on the same calls). One call at a time; each is
 * bounded by `timeoutMs`, so a Core that stops answering shows as failures, not as a hang.
 */
export function probeResponsiveness(call: () => Promise<unknown>, everyMs = 100, timeoutMs = 5000): Responsiveness {
  let maxMs = 0;
  let answered = 0;
  const failures: string[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      try {
        await Promise.race([call(), new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs).unref())]);
        answered++;
      } catch (error) {
        failures.push(String(error));
      }
      maxMs = Math.max(maxMs, performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { maxMs, answered, failures };
    },
  };
}

/** `PRAGMA integrity_check` of a Haven database, opened read-only beside (or after) its Core. */
export function integrityCheck(file: string): string {
  const db = new Database(file, { readonly: true });
  try {
    return String(db.pragma('integrity_check', { simple: true }));
  } finally {
    db.close();
  }
}

/**
 * Why this machine cannot give a test a small disk (a tmpfs needs Linux, root and mount rights,
 * as in CI's Debian container), or undefined when it can: tried once and undone at once, so a
 * test decides to skip before it runs, and nothing stays mounted if the test is filtered out.
 */
export function smallDiskUnavailable(bytes: number): string | undefined {
  if (process.platform !== 'linux') return `a tmpfs needs Linux (this is ${process.platform})`;
  const dir = tempHome('haven-fault-disk-probe-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir], { stdio: 'pipe' });
    execFileSync('umount', [dir], { stdio: 'pipe' });
    return undefined;
  } catch (error) {
    return `cannot mount a ${bytes}-byte tmpfs (root and mount rights are needed): ${String((error as { stderr?: Buffer }).stderr ?? error).trim()}`;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A new folder with a tmpfs of `bytes` mounted on it; `unmount` takes it away with its folder. */
export function mountSmallDisk(bytes: number, prefix: string): { dir: string; unmount(): void } {
  const dir = tempHome(prefix);
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes},mode=0755`, 'tmpfs', dir]);
  return {
    dir,
    unmount() {
      execFileSync('umount', ['-l', dir]);
      fs.rmdirSync(dir);
    },
  };
}

export const sha256OfFile = (file: string): string => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** The job once it is completed, failed, cancelled or skipped; an error after `ms`. */
export function finishedWithin(core: Core, id: string, ms: number): Promise<JobSummary> {
  return Promise.race([
    core.jobs.waitFor(id),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`job ${id} did not finish within ${ms} ms`)), ms).unref()),
  ]);
}

/** Runs the `cleanup` steps pushed by a test file, newest first, after its tests. */
export function cleanupAfterAll(afterAll: (fn: () => Promise<void>) => void): (() => Promise<unknown> | unknown)[] {
  const steps: (() => Promise<unknown> | unknown)[] = [];
  afterAll(async () => {
    // Every step runs even when one fails (a mount must not outlive its test).
    const failures: unknown[] = [];
    for (const fn of steps.splice(0).reverse()) await Promise.resolve().then(fn).catch((error: unknown) => failures.push(error));
    if (failures.length > 0) throw failures[0];
  });
  return steps;
}

/** An in-process Core over `home` with the example plugins, running jobs, and retries within 200 ms. */
export function startFaultCore(home: string, more: Partial<CoreOptions> = {}): Promise<Core> {
  return startCore({
    home,
    host: 'test',
    builtinPluginRoots: [path.join(REPO_ROOT, 'plugins', 'examples')],
    pluginHostEntry: PLUGIN_HOST_ENTRY,
    stderrLogLevel: 'off',
    autoStartPlugins: false,
    runJobs: true,
    retryPolicy: { baseMs: 50, maxMs: 200, jitter: 0 },
    ...more,
  });
}
