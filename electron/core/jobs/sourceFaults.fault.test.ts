import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobSummary } from '@shared/domain/jobs';
import { requireBuild, tempHome } from '../../testing/fixtures';
import { clientOf, integrityCheck, probeResponsiveness, startFaultCore } from '../../testing/faults';
import { faultyFile, startStaticServer, type SourceFault, type StaticServer } from '../../testing/staticServer';
import type { Core } from '../core';

// Fault suite (issue 12): the source server misbehaves while the RSS example plugin archives from
// it, in a real plugin host process. Every fault ends the attempt in a class that says what
// happened; no partial file is left looking complete; the database stays sound; Core answers
// calls all along.

const sha256 = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

let media: string;
let server: StaticServer;
let core: Core;
const served: Record<string, SourceFault[]> = {};

const PLANS: Record<string, SourceFault[]> = {
  // Part of the file, then a TCP reset, every time: retried, then failed.
  '/reset.mp3': ['reset'],
  // A Content-Length larger than what comes, then the connection ends: retried, then failed.
  '/short.mp3': ['short'],
  // A login page sent as 200 where the file should be: not retried.
  '/page.mp3': ['html'],
  // No answer at all, then headers and a third of the file and silence, then the file: the two
  // stalls time out (the plugin's stall_timeout_seconds) and the third attempt completes.
  '/stall.mp3': ['silent', 'stall', 'ok'],
};

beforeAll(async () => {
  requireBuild();
  media = path.join(tempHome('haven-faults-media-'), 'tone.mp3');
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=12', '-b:a', '128k', media]);
  server = await startStaticServer(
    path.dirname(media),
    Object.entries(PLANS).map(([route, plan]) => faultyFile(route, media, plan, (served[route] = []))),
  );
  core = await startFaultCore(tempHome());
  core.settings.update({ maxConcurrentJobs: 4, maxConcurrentJobsPerPlugin: 4 });
  // Production waits 60 s for a silent server; the test, 1 s.
  expect((await core.plugins.setConfig('rss', { stall_timeout_seconds: 1 }, false)).ok).toBe(true);
});

afterAll(async () => {
  await core?.dispose();
  await server?.close();
});

function sourceOf(target: string) {
  return { sourceId: `url:${crypto.createHash('sha256').update(target).digest('hex').slice(0, 16)}`, mediaType: 'url', uri: target, title: path.basename(target, '.mp3'), metadata: {} };
}

function finishedWithin(id: string, ms: number): Promise<JobSummary> {
  return Promise.race([
    core.jobs.waitFor(id),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`job ${id} did not finish within ${ms} ms: ${JSON.stringify(core.jobs.get(id).trace.map((e) => e.message))}`)), ms)),
  ]);
}

describe('the source server misbehaving mid-archive', () => {
  it('ends each fault in its class, leaves no partial file looking complete, and Core keeps answering', async () => {
    const client = clientOf(core);
    const probe = probeResponsiveness(() => client.call('jobs.counts', {}));
    const jobs = Object.fromEntries(Object.keys(PLANS).map((route) => [route, core.jobs.enqueueArchive('RssPlugin', sourceOf(`${server.url}${route}`))]));
    const done = Object.fromEntries(await Promise.all(Object.entries(jobs).map(async ([route, job]) => [route, await finishedWithin(job.id, 30_000)] as const)));
    const responsiveness = await probe.stop();

    const trace = (route: string) => core.jobs.get(jobs[route]!.id).trace.map((e) => e.message);

    // A reset mid-transfer is a network error: retried (3 times by default), then failed.
    expect(done['/reset.mp3']).toMatchObject({ state: 'failed', errorClass: 'network', attempts: 4 });
    expect(served['/reset.mp3']).toHaveLength(4);

    // A Content-Length the server does not keep: the same.
    expect(done['/short.mp3']).toMatchObject({ state: 'failed', errorClass: 'network', attempts: 4 });

    // A web page instead of the file is not media, and retrying will not make it so.
    expect(done['/page.mp3']).toMatchObject({ state: 'failed', errorClass: 'invalid_input', attempts: 1 });
    expect(done['/page.mp3']!.error).toMatch(/the server answered with a web page \(text\/html\), not a media file/);
    expect(served['/page.mp3']).toHaveLength(1);

    // A silent server and a stalled transfer each time out instead of hanging; the retry completes.
    expect(done['/stall.mp3'], trace('/stall.mp3').join('\n')).toMatchObject({ state: 'completed', attempts: 2 });
    expect(served['/stall.mp3']).toEqual(['silent', 'stall', 'ok']);
    const retries = core.jobs.get(jobs['/stall.mp3']!.id).trace.filter((e) => e.kind === 'retry_planned').map((e) => e.message);
    expect(retries).toEqual([
      expect.stringMatching(/^failed \(network\): .*stall\.mp3: the server stopped sending \(nothing for 1 s and no answer to the request\); retry 1 of 3/),
      expect.stringMatching(/^failed \(network\): .*stall\.mp3: the server stopped sending \(nothing for 1 s after \d+ bytes\); retry 2 of 3/),
    ]);
    expect(sha256(done['/stall.mp3']!.outputPath!)).toBe(sha256(media));

    // Only the completed file (and its sidecar) is in the output folder: no half file under a
    // final name, and no .part left behind by the failed attempts.
    const outputDir = path.join(core.paths.downloads, 'rss');
    expect(fs.readdirSync(outputDir).sort()).toEqual([path.basename(done['/stall.mp3']!.outputPath!), `${path.basename(done['/stall.mp3']!.outputPath!)}.haven.json`]);
    // Failed jobs have no library item; the database is sound.
    for (const route of ['/reset.mp3', '/short.mp3', '/page.mp3']) expect(done[route]!.itemId).toBeUndefined();
    expect(core.library.search({ text: '', limit: 10, offset: 0 }).items).toHaveLength(1);
    expect(integrityCheck(core.paths.database)).toBe('ok');

    // Core answered every probe, promptly, while the faults played out.
    expect(responsiveness.failures).toEqual([]);
    expect(responsiveness.answered).toBeGreaterThan(5);
    expect(responsiveness.maxMs).toBeLessThan(1000);
    await expect(client.call('app.info', {})).resolves.toMatchObject({ name: 'Haven' });
    expect(core.plugins.info('rss').state).toBe('running');
  });
});
