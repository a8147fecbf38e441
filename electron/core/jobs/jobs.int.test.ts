import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createClient } from '@shared/ipc/client';
import type { HavenContract } from '@shared/ipc/contract';
import type { JobSummary } from '@shared/domain/jobs';
import { fromWebSocket, type WebSocketLike } from '@shared/ipc/transports/websocket';
import { REPO_ROOT, startServe, tempHome, waitFor, type ServeProcess } from '../../testing/fixtures';
import { startStaticServer, throttledFile, type StaticServer } from '../../testing/staticServer';
import type { Core } from '../core';
import { startFaultCore } from '../../testing/faults';

// Jobs against real plugin processes and real downloads from servers on 127.0.0.1. The media is
// made by ffmpeg; the RSS example plugin does the downloading.

let media: string;
let mediaHash: string;
const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

const sha256 = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

beforeAll(() => {
  media = path.join(tempHome('haven-jobs-media-'), 'tone.mp3');
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'sine=frequency=330:duration=60', '-b:a', '192k', media]);
  mediaHash = sha256(media);
});

async function site(): Promise<StaticServer> {
  const root = tempHome('haven-jobs-site-');
  fs.copyFileSync(media, path.join(root, 'tone.mp3'));
  fs.copyFileSync(media, path.join(root, 'copy.mp3'));
  const server = await startStaticServer(root, [
    throttledFile('/slow.mp3', media, 400 * 1024),
    throttledFile('/broken.mp3', media, 4 * 1024 * 1024, { truncateAt: 100_000 }),
    (req, res) => {
      if (req.url !== '/feed.xml') return false;
      res.writeHead(200, { 'Content-Type': 'application/rss+xml' }).end(`<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
        <item><title>A quiet tone</title><guid>tone-1</guid><description>Recorded near the lighthouse at dawn</description>
        <enclosure url="${server.url}/tone.mp3" type="audio/mpeg" length="${fs.statSync(media).size}"/></item></channel></rss>`);
      return true;
    },
  ]);
  cleanup.push(() => server.close());
  return server;
}

async function core(home = tempHome(), settings: Record<string, unknown> = {}): Promise<Core> {
  const instance = await startFaultCore(home, { pluginRestart: { baseDelayMs: 50, maxDelayMs: 200, maxCrashes: 5, windowMs: 60_000 } });
  if (Object.keys(settings).length) instance.settings.update(settings);
  cleanup.push(() => instance.dispose());
  return instance;
}

const finished = (c: Core, id: string) => c.jobs.waitFor(id);
const url = (server: StaticServer, p: string) => `${server.url}${p}`;

describe('the job queue', () => {
  it('runs a discovery a plugin asks for (ctx.discover), queueing what it found', async () => {
    const server = await site();
    const c = await core();
    await c.plugins.setConfig('rss', { feed_urls: [url(server, '/feed.xml')] }, false);
    expect(await c.plugins.runAction('rss', 'check-now')).toMatch(/^Checked the feeds \(job \S+: completed\)\.$/);
    const archive = await waitFor(() => c.jobs.list({ limit: 10 }).jobs.find((j) => j.kind === 'archive'), 10_000, 'an archive job');
    expect(archive).toMatchObject({ plugin: 'RssPlugin', sourceId: 'tone-1' });
    expect((await finished(c, archive.id)).state).toBe('completed');
  });


  it('archives through the plugin the URL routes to, indexes the file with its hash and a sidecar', async () => {
    const server = await site();
    const c = await core();
    const job = c.jobs.enqueueArchive(...route(c, url(server, '/tone.mp3')));
    expect(job.plugin).toBe('RssPlugin');
    const done = await finished(c, job.id);
    expect(done).toMatchObject({ state: 'completed', attempts: 0, itemId: expect.any(Number) });
    const item = c.library.get(done.itemId!);
    expect(item).toMatchObject({ plugin: 'RssPlugin', sha256: mediaHash, size: fs.statSync(media).size, mime: 'audio/mpeg', mediaType: 'audio' });
    expect(sha256(item.outputPath!)).toBe(mediaHash);
    const sidecar = JSON.parse(fs.readFileSync(`${item.outputPath}.haven.json`, 'utf8'));
    expect(sidecar).toMatchObject({ haven: 1, plugin: 'RssPlugin', sha256: mediaHash, source: { uri: url(server, '/tone.mp3') } });
    const trace = c.jobs.get(job.id).trace.map((e) => e.kind);
    expect(trace).toEqual(['queued', 'started', 'completed']);
  });

  it('skips a source already archived, saying which item holds it, and flags the same content from another source', async () => {
    const server = await site();
    const c = await core();
    const first = await finished(c, c.jobs.enqueueArchive(...route(c, url(server, '/tone.mp3'))).id);
    const again = c.jobs.enqueueArchive(...route(c, url(server, '/tone.mp3')));
    expect(again).toMatchObject({ state: 'skipped', itemId: first.itemId });
    expect(c.jobs.get(again.id).trace.at(-1)?.message).toBe(`skipped: already archived as library item ${first.itemId} (${first.outputPath})`);
    // The completed job stays completed; asking a third time refreshes the same skipped row.
    expect(c.jobs.get(first.id).state).toBe('completed');
    expect(c.jobs.enqueueArchive(...route(c, url(server, '/tone.mp3'))).id).toBe(again.id);
    const copy = await finished(c, c.jobs.enqueueArchive(...route(c, url(server, '/copy.mp3'))).id);
    expect(c.library.get(copy.itemId!).duplicateOf).toBe(first.itemId);
    expect(c.jobs.get(copy.id).trace.map((e) => e.message).join('\n')).toMatch(/same content \(sha256\) is already library item/);
    // --force archives it again anyway.
    const forced = c.jobs.enqueueArchive(...route(c, url(server, '/tone.mp3')), { force: true });
    expect(forced.state).toBe('queued');
  });

  it('discovers a feed into archive jobs and finds the item by a word of its description', async () => {
    const server = await site();
    const c = await core();
    await c.plugins.setConfig('rss', { feed_urls: [url(server, '/feed.xml')] }, false);
    const discover = await finished(c, c.jobs.enqueueDiscover('RssPlugin').id);
    expect(discover.state).toBe('completed');
    expect(c.jobs.get(discover.id).trace.map((e) => e.message)).toContain(`found 1: 1 queued, 0 already archived, 0 skipped by the plugin`);
    const archive = c.jobs.list({ states: ['queued', 'running', 'completed'] }).jobs.find((j) => j.kind === 'archive')!;
    await finished(c, archive.id);
    const { items } = c.library.search({ text: 'lighthouse', limit: 10, offset: 0 });
    expect(items.map((i) => i.title)).toEqual(['A quiet tone']);
    expect(items[0]?.snippet).toContain('[lighthouse]');
    // A second discovery finds nothing new and says why.
    const second = await finished(c, c.jobs.enqueueDiscover('RssPlugin').id);
    expect(c.jobs.get(second.id).trace.map((e) => e.message)).toContain('skipped A quiet tone: already archived');
  });

  it('fails a 404 as not_found without retrying, and retries a broken transfer with backoff before giving up', async () => {
    const server = await site();
    const c = await core();
    const missing = await finished(c, c.jobs.enqueueArchive(...route(c, url(server, '/missing.mp3'))).id);
    expect(missing).toMatchObject({ state: 'failed', errorClass: 'not_found', attempts: 1 });
    expect(c.jobs.get(missing.id).trace.at(-1)?.message).toMatch(/^failed \(not_found\): .*HTTP 404; retrying cannot help$/);

    const broken = await finished(c, c.jobs.enqueueArchive(...route(c, url(server, '/broken.mp3'))).id);
    expect(broken).toMatchObject({ state: 'failed', errorClass: 'network', attempts: 4 });
    const trace = c.jobs.get(broken.id).trace;
    expect(trace.filter((e) => e.kind === 'retry_planned')).toHaveLength(3);
    expect(trace.at(-1)?.message).toMatch(/no retries left \(3\)$/);
    expect(fs.readdirSync(path.join(c.paths.downloads, 'rss')).filter((f) => f.startsWith('broken') && !f.endsWith('.part'))).toEqual([]);
    // Bulk retry puts it back in the queue.
    expect(c.jobs.retry('failed')).toBe(2);
  });

  it('a long backlog of one plugin does not hold back a job of another, and discovery leaves cancelled jobs alone', async () => {
    const server = await site();
    const c = await core(tempHome(), { maxConcurrentJobs: 3, maxConcurrentJobsPerPlugin: 1 });
    // 250 slow jobs of RssPlugin queue up; one runs.
    for (let i = 0; i < 250; i++) c.jobs.enqueueArchive('RssPlugin', sourceOf(url(server, `/slow.mp3?n=${i}`)));
    const verify = await finished(c, c.jobs.enqueueVerify().id);
    expect(verify.state).toBe('completed');
    expect(c.jobs.counts().running).toBe(1);
    c.jobs.cancel('all');

    await c.plugins.setConfig('rss', { feed_urls: [url(server, '/feed.xml')] }, false);
    const tone = sourceOf(url(server, '/tone.mp3'));
    const cancelled = c.jobs.enqueueArchive('RssPlugin', { ...tone, sourceId: 'tone-1' });
    c.jobs.cancel([cancelled.id]);
    await finished(c, cancelled.id);
    const discover = await finished(c, c.jobs.enqueueDiscover('RssPlugin').id);
    expect(c.jobs.get(cancelled.id).state).toBe('cancelled');
    expect(c.jobs.get(discover.id).trace.map((e) => e.message)).toContain(`A quiet tone: job ${cancelled.id} is cancelled, left as it is`);
  });

  it('pauses a running job and resumes it; cancels a queued one; holds the concurrency limit', async () => {
    const server = await site();
    const c = await core(tempHome(), { maxConcurrentJobs: 1 });
    const slow = c.jobs.enqueueArchive(...route(c, url(server, '/slow.mp3')));
    const waiting = c.jobs.enqueueArchive(...route(c, url(server, '/tone.mp3')));
    await waitFor(() => (c.jobs.get(slow.id).progress?.bytesDone ?? 0) > 0 || undefined, 15_000, 'progress');
    expect(c.jobs.counts()).toMatchObject({ running: 1, queued: 1 });
    expect(c.jobs.cancel([waiting.id])).toBe(1);
    expect(c.jobs.get(waiting.id).state).toBe('cancelled');
    expect(c.jobs.pause([slow.id])).toBe(1);
    await waitFor(() => (c.jobs.get(slow.id).state === 'paused' ? true : undefined), 10_000, 'paused');
    c.jobs.resume([slow.id]);
    const done = await finished(c, slow.id);
    expect(done.state).toBe('completed');
    expect(sha256(done.outputPath!)).toBe(mediaHash);
    expect(c.jobs.get(slow.id).trace.map((e) => e.kind)).toEqual(['queued', 'started', 'pause_requested', 'paused', 'resumed', 'started', 'completed']);
    // A pause does not count as a failed attempt.
    expect(c.jobs.get(slow.id).attempts).toBe(0);
  });

  it('survives kill -9 of the plugin host mid-download: the job retries and the file is byte-identical', async () => {
    const server = await site();
    const c = await core();
    const job = c.jobs.enqueueArchive(...route(c, url(server, '/slow.mp3')));
    await waitFor(() => (c.jobs.get(job.id).progress?.bytesDone ?? 0) > 50_000 || undefined, 15_000, 'progress');
    const pid = c.plugins.list().find((p) => p.name === 'RssPlugin')!.pid!;
    process.kill(pid, 'SIGKILL');
    const done = await finished(c, job.id);
    expect(done).toMatchObject({ state: 'completed', attempts: 1 });
    expect(sha256(done.outputPath!)).toBe(mediaHash);
    expect(c.jobs.get(job.id).trace.find((e) => e.kind === 'retry_planned')?.message).toMatch(/^failed \(plugin_crashed\): RssPlugin crashed while running archive: killed by SIGKILL/);
  });

  it('imports an existing archive, never twice, and verify reports missing and changed files', async () => {
    const dir = tempHome('haven-existing-');
    fs.copyFileSync(media, path.join(dir, 'Old talk [dQw4w9WgXcQ].mp3'));
    fs.copyFileSync(media, path.join(dir, 'Interview.mp3'));
    fs.writeFileSync(path.join(dir, 'Interview.info.json'), JSON.stringify({ id: 'abcdefghijk', title: 'An interview', extractor_key: 'Youtube', description: 'about tides', uploader: 'Sea Channel' }));
    fs.copyFileSync(media, path.join(dir, 'random.mp3'));
    const c = await core();
    const importJob = await finished(c, c.jobs.enqueueImport(dir).id);
    expect(importJob.state).toBe('completed');
    const report = c.jobs.get(importJob.id).result as { imported: number; alreadyKnown: number; skipped: unknown[] };
    expect(report).toMatchObject({ imported: 2, alreadyKnown: 0 });
    expect(report.skipped).toEqual([{ path: path.join(dir, 'random.mp3'), reason: expect.stringMatching(/cannot tell its source/) }]);
    expect(c.library.findBySource('YouTubePlugin', 'dQw4w9WgXcQ')?.title).toBe('Old talk');
    expect(c.library.search({ text: 'tides', limit: 5, offset: 0 }).items[0]?.title).toBe('An interview');
    const again = await finished(c, c.jobs.enqueueImport(dir).id);
    expect((c.jobs.get(again.id).result as { alreadyKnown: number }).alreadyKnown).toBe(2);
    // An archived source is not queued again.
    expect(c.jobs.enqueueArchive('YouTubePlugin', { sourceId: 'dQw4w9WgXcQ', mediaType: 'video', uri: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ', metadata: {} }).state).toBe('skipped');

    fs.appendFileSync(path.join(dir, 'Interview.mp3'), 'tampered');
    fs.rmSync(path.join(dir, 'Old talk [dQw4w9WgXcQ].mp3'));
    const verify = await finished(c, c.jobs.enqueueVerify().id);
    expect(verify.state).toBe('completed');
    const result = JSON.parse(c.db.prepare('SELECT result_json FROM jobs WHERE id = ?').pluck().get(verify.id) as string);
    expect(result).toMatchObject({ checked: 2, ok: 0, missing: [{ path: path.join(dir, 'Old talk [dQw4w9WgXcQ].mp3') }], changed: [{ path: path.join(dir, 'Interview.mp3') }] });
  });
});

function route(c: Core, target: string): [string, ReturnType<typeof sourceOf>] {
  return [c.plugins.routeUrl(target).plugin, sourceOf(target)];
}

function sourceOf(target: string) {
  return { sourceId: `url:${crypto.createHash('sha256').update(target).digest('hex').slice(0, 16)}`, mediaType: 'url', uri: target, title: path.basename(target), metadata: {} };
}

describe('kill -9 of Core', () => {
  const serves: ServeProcess[] = [];
  afterEach(async () => {
    for (const serve of serves.splice(0)) await serve.stop('SIGKILL');
  });

  async function connect(serve: ServeProcess) {
    const socket = new WebSocket(`ws://${new URL(serve.origin).host}/ws?token=${serve.token}`);
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    cleanup.push(async () => socket.terminate());
    return createClient<HavenContract>(fromWebSocket(socket as unknown as WebSocketLike));
  }

  it('resumes the job at the next start, and the database passes integrity_check', async () => {
    const server = await site();
    const env = { HAVEN_BUILTIN_PLUGINS: path.join(REPO_ROOT, 'plugins', 'examples') };
    const first = await startServe({ env });
    serves.push(first);
    const client = await connect(first);
    const job = await client.call('jobs.archive', { url: url(server, '/slow.mp3') });
    await waitFor(async () => ((await client.call('jobs.get', { id: job.id })).progress?.bytesDone ?? 0) > 50_000 || undefined, 20_000, 'progress');
    await first.stop('SIGKILL');

    const second = await startServe({ home: first.home, env });
    serves.push(second);
    const again = await connect(second);
    const done = await waitFor(async () => {
      const current: JobSummary = await again.call('jobs.get', { id: job.id });
      return current.state === 'completed' ? current : undefined;
    }, 30_000, 'the resumed job');
    expect(sha256(done.outputPath!)).toBe(mediaHash);
    const trace = (await again.call('jobs.get', { id: job.id })).trace.map((e) => e.kind);
    expect(trace).toContain('recovered');
    await second.stop();
    const db = new Database(path.join(first.home, 'haven.db'), { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });
});
