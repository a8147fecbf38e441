import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { JobSummary } from '@shared/domain/jobs';
import { isHavenError } from '@shared/ipc/errors';
import { requireBuild, tempHome } from '../../testing/fixtures';
import { cleanupAfterAll, clientOf, finishedWithin, startFaultCore, integrityCheck, mountSmallDisk, sha256OfFile, probeResponsiveness, smallDiskUnavailable } from '../../testing/faults';
import { startStaticServer, throttledFile } from '../../testing/staticServer';

// Fault suite (issue 12): HAVEN_HOME itself (database, WAL, settings, logs, downloads) is a
// 24 MiB tmpfs, and it fills up while a download runs. Core keeps answering reads; a call that
// must write fails with a `{code, message}` that says the disk is full instead of crashing or
// hanging; settings keep their last good value; the running job does not stay "running" for
// ever (how it ended is written once the disk has room); and once space is freed, everything finishes, with a sound database.

const SIZE = 24 * 1024 * 1024;
const skipReason = smallDiskUnavailable(SIZE);
if (skipReason) console.warn(`SKIPPED the full-HAVEN_HOME fault case: ${skipReason}`);

const cleanup = cleanupAfterAll(afterAll);

/** Takes every free byte of the disk under `dir` (in 1 MiB writes, then smaller), as a runaway download would. */
function fill(dir: string): string {
  const filler = path.join(dir, 'filler.bin');
  const fd = fs.openSync(filler, 'w');
  try {
    for (let chunk = 1024 * 1024; chunk >= 512; chunk /= 2) {
      const block = Buffer.alloc(chunk, 1);
      for (let i = 0; i < 64; i++) {
        try {
          fs.writeSync(fd, block);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
          break;
        }
      }
    }
  } finally {
    fs.closeSync(fd);
  }
  return filler;
}

describe('a full disk under HAVEN_HOME', () => {
  it.skipIf(skipReason !== undefined)('keeps Core answering, refuses writes with a clear error, and finishes everything once space is freed', async () => {
    requireBuild();
    const disk = mountSmallDisk(SIZE, 'haven-fault-home-');
    cleanup.push(() => disk.unmount());
    const site = tempHome('haven-fault-home-site-');
    const media = path.join(site, 'talk.mp3');
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'sine=frequency=330:duration=16', '-b:a', '128k', media]);
    // The same file, slowly: a download that is running when the disk fills.
    const server = await startStaticServer(site, [throttledFile('/slow/talk.mp3', media, 48 * 1024)]);
    cleanup.push(() => server.close());
    const core = await startFaultCore(disk.dir);
    cleanup.push(() => core.dispose());
    const client = clientOf(core);
    const before = await client.call('jobs.archive', { url: `${server.url}/talk.mp3?before` });
    expect(await finishedWithin(core, before.id, 20_000)).toMatchObject({ state: 'completed' });
    await client.call('settings.update', { theme: 'dark' });

    const running = await client.call('jobs.archive', { url: `${server.url}/slow/talk.mp3` });
    for (let i = 0; i < 100 && (core.jobs.get(running.id).progress?.bytesDone ?? 0) === 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(core.jobs.get(running.id).state).toBe('running');

    const filler = fill(disk.dir);
    expect(fs.statfsSync(disk.dir).bavail * fs.statfsSync(disk.dir).bsize).toBeLessThan(64 * 1024);
    const probe = probeResponsiveness(() => client.call('jobs.counts', {}));

    // Calls that write: each either succeeds or fails with a code and a message naming the disk.
    const refusals: string[] = [];
    const attempt = async (call: () => Promise<unknown>): Promise<unknown> => {
      try {
        return await call();
      } catch (error) {
        expect(isHavenError(error), String(error)).toBe(true);
        refusals.push(`${(error as { code: string }).code}: ${(error as Error).message}`);
        return undefined;
      }
    };
    const queued: string[] = [];
    for (let i = 0; i < 5; i++) {
      const job = (await attempt(() => client.call('jobs.archive', { url: `${server.url}/talk.mp3?full-${i}` }))) as JobSummary | undefined;
      if (job) queued.push(job.id);
    }
    await attempt(() => client.call('settings.update', { theme: 'light' }));
    await new Promise((resolve) => setTimeout(resolve, 2000));
    console.log('while full:', JSON.stringify({ queued: queued.length, refusals, running: core.jobs.get(running.id).state }));
    // settings.json is written whole (a new file), which a full disk always refuses.
    expect(refusals.some((refusal) => refusal.startsWith('UNAVAILABLE: settings.update: disk full'))).toBe(true);
    for (const refusal of refusals) expect(refusal).toMatch(/^UNAVAILABLE: [a-z.]+: disk full: nothing more can be saved \(.+\); free some space on the drive, then try again$/);

    // Reads go on; settings read as the last good value or the new one, never broken.
    expect(['dark', 'light']).toContain((await client.call('settings.get', {})).theme);
    expect((await client.call('library.search', {})).total).toBeGreaterThanOrEqual(1);
    const { maxMs, answered, failures } = await probe.stop();
    expect(failures).toEqual([]);
    expect(answered).toBeGreaterThan(5);
    expect(maxMs).toBeLessThan(2000);

    // Space freed: what was acknowledged finishes (a job that failed as disk_full is retried by
    // the user, as its hint says), and a new job runs as usual.
    fs.rmSync(filler);
    // How each run ended is written once the database takes writes again; then the user retries.
    for (let i = 0; i < 100 && core.jobs.counts().running > 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    core.jobs.retry('failed');
    const after = await client.call('jobs.archive', { url: `${server.url}/talk.mp3?after` });
    for (const id of [running.id, ...queued, after.id]) {
      const job = await finishedWithin(core, id, 30_000);
      expect(job.state, `${id}: ${job.error ?? ''}`).toBe('completed');
      expect(sha256OfFile(job.outputPath!)).toBe(sha256OfFile(media));
    }
    // The run the full disk ended was recorded as it ended: failed as disk_full, in one attempt.
    expect(core.jobs.get(running.id).trace.find((e) => e.kind === 'failed')?.message).toMatch(/^failed \(disk_full\): .*retrying cannot help$/);
    expect(integrityCheck(core.paths.database)).toBe('ok');
  });
});
