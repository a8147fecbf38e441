import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { JobProgressEvent } from '../../shared/domain/jobs';
import type { Core } from '../../electron/core/core';
import { REPO_ROOT, runHaven, tempHome, waitFor } from '../../electron/testing/fixtures';
import { pluginCores } from '../../electron/testing/pluginCores';
import { startStaticServer, throttledFile, type StaticServer } from '../../electron/testing/staticServer';
import { atomFeed } from './testing/atomFeed';

// YouTubePlugin with the real yt-dlp and ffmpeg, against a site on 127.0.0.1 that serves a channel
// feed in YouTube's Atom format and videos made by ffmpeg at YouTube-like watch URLs. yt-dlp's
// generic extractor downloads them; everything Haven does around it is the same as for YouTube.

const CHANNEL = 'UCabcdefghijklmnopqrstuv';
const ranges: string[] = [];
let video: string;
let videoStreams: string;
let server: StaticServer;

const sha256 = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
/**
 * A hash of every audio and video packet: equal for the served file and the saved one even when
 * yt-dlp remuxed the container (it does for URLs without an extension), different if any byte of
 * the media was lost or doubled (a bad resume would show here).
 */
const streamHash = (file: string) => execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-map', '0', '-c', 'copy', '-f', 'streamhash', '-hash', 'sha256', '-']).toString();

beforeAll(async () => {
  const dir = tempHome('haven-yt-media-');
  video = path.join(dir, 'clip.mp4');
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=640x360:rate=25:duration=8', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=8', '-c:v', 'libx264', '-b:v', '1200k', '-c:a', 'aac', '-shortest', video]);
  videoStreams = streamHash(video);
  const feed = atomFeed([
    { id: 'AAAAAAAAAAA', title: 'Lighthouse at dawn', published: '2026-11-20T10:00:00+00:00' },
    { id: 'BBBBBBBBBBB', title: 'A short one', published: '2026-11-19T10:00:00+00:00', link: 'https://www.youtube.com/shorts/BBBBBBBBBBB' },
    { id: 'CCCCCCCCCCC', title: 'Storm on the pier', published: '2026-10-01T10:00:00+00:00' },
  ], CHANNEL);
  const size = fs.statSync(video).size;
  server = await startStaticServer(dir, [
    (req, res) => {
      if (req.url !== `/feeds/videos.xml?channel_id=${CHANNEL}`) return false;
      res.writeHead(200, { 'Content-Type': 'application/atom+xml; charset=UTF-8' }).end(feed);
      return true;
    },
    (req, res) => {
      if (req.url !== '/@harbour/videos' && req.url !== `/channel/${CHANNEL}/videos`) return false;
      res.writeHead(200, { 'Content-Type': 'application/rss+xml' }).end(`<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour Films</title>
        <item><title>An old talk</title><link>${server.url}/watch?v=OLDVIDEO001</link><guid>OLDVIDEO001</guid><pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate></item>
        </channel></rss>`);
      return true;
    },
    throttledFile('/watch?v=AAAAAAAAAAA', video, 600 * 1024, { withQuery: true }),
    throttledFile('/watch?v=SLOWSLOWSLO', video, 150 * 1024, { withQuery: true, ranges }),
    throttledFile('/watch?v=TRUNCATED00', video, 4 * 1024 * 1024, { withQuery: true, truncateAt: Math.floor(size / 3) }),
  ]);
});

afterAll(async () => {
  await server?.close();
});

const cores = pluginCores([path.join(REPO_ROOT, 'plugins')], { runJobs: true, retryPolicy: { baseMs: 50, maxMs: 200, jitter: 0 } });
afterEach(() => cores.disposeAll());

async function start(home = tempHome()): Promise<Core> {
  const core = await cores.start(home);
  const result = await core.plugins.setConfig(
    'youtube',
    {
      channel_ids: [CHANNEL],
      feed_base_url: `${server.url}/feeds/videos.xml`,
      site_base_url: server.url,
      full_listing: 'never',
      include_shorts: false,
      date_after: '20261101',
      check_interval_minutes: 0,
      max_retries: 1,
    },
    false,
  );
  expect(result.ok).toBe(true);
  return core;
}

const source = (id: string) => ({ sourceId: id, mediaType: 'video', uri: `${server.url}/watch?v=${id}`, title: id, metadata: { videoId: id } });

describe('YouTubePlugin with yt-dlp', () => {
  it('discovers from the channel feed, archives with progress, and skips the video the second time', async () => {
    const core = await start();
    const progress: JobProgressEvent[] = [];
    core.jobs.onProgress((event) => progress.push(event));

    const discovery = await core.jobs.waitFor(core.jobs.enqueueDiscover('YouTubePlugin').id);
    expect(discovery.state).toBe('completed');
    const trace = core.jobs.get(discovery.id).trace.map((e) => e.message);
    expect(trace).toContain('found 3: 1 queued, 0 already archived, 2 skipped by the plugin');
    expect(trace.join('\n')).toMatch(/A short one: a Short, and include_shorts is off/);
    expect(trace.join('\n')).toMatch(/Storm on the pier: published 2026-10-01, before date_after \(2026-11-01\)/);

    const job = core.jobs.list({ states: ['queued', 'running'] }).jobs.find((j) => j.kind === 'archive')!;
    expect(job).toMatchObject({ sourceId: 'AAAAAAAAAAA', title: 'Lighthouse at dawn' });
    const done = await core.jobs.waitFor(job.id);
    expect(done.state, done.error).toBe('completed');
    expect(path.basename(done.outputPath!)).toMatch(/\[AAAAAAAAAAA\]\.mp4$/);
    expect(streamHash(done.outputPath!)).toBe(videoStreams);

    // yt-dlp's progress, as the job's: bytes growing to the file's size, with speed.
    const mine = progress.filter((p) => p.jobId === job.id && p.progress.phase === 'downloading');
    expect(mine.length).toBeGreaterThanOrEqual(3);
    const bytes = mine.map((p) => p.progress.bytesDone ?? 0);
    expect(bytes).toEqual([...bytes].sort((a, b) => a - b));
    expect(mine.at(-1)?.progress.bytesTotal).toBe(fs.statSync(video).size);
    expect(mine.some((p) => (p.progress.speedBps ?? 0) > 0)).toBe(true);

    // The info JSON beside it, recorded with the item.
    const item = core.library.get(done.itemId!);
    expect(item.metadata).toMatchObject({ videoId: 'AAAAAAAAAAA', channel: 'Harbour Films', companions: [expect.stringMatching(/\[AAAAAAAAAAA\]\.info\.json$/)] });
    expect(fs.existsSync(path.join(path.dirname(done.outputPath!), (item.metadata.companions as string[])[0]!))).toBe(true);

    const again = await core.jobs.waitFor(core.jobs.enqueueDiscover('YouTubePlugin').id);
    expect(core.jobs.get(again.id).trace.map((e) => e.message)).toContain('found 3: 0 queued, 1 already archived, 2 skipped by the plugin');
    // The skipped ones are listed as skipped, with their reasons; only the one video was archived.
    const archives = core.jobs.list({}).jobs.filter((j) => j.kind === 'archive');
    expect(archives.map((j) => [j.sourceId, j.state]).sort()).toEqual([
      ['AAAAAAAAAAA', 'completed'],
      ['BBBBBBBBBBB', 'skipped'],
      ['CCCCCCCCCCC', 'skipped'],
    ]);
  });

  it('classifies a missing video (not retried) and a broken transfer (retried, then failed)', async () => {
    const core = await start();
    const missing = await core.jobs.waitFor(core.jobs.enqueueArchive('YouTubePlugin', source('MISSING0000')).id);
    expect(missing).toMatchObject({ state: 'failed', errorClass: 'not_found', attempts: 1 });
    expect(missing.error).toMatch(/not found or removed: .*HTTP Error 404/);

    const broken = await core.jobs.waitFor(core.jobs.enqueueArchive('YouTubePlugin', source('TRUNCATED00')).id);
    expect(broken).toMatchObject({ state: 'failed', errorClass: 'network', attempts: 2 });
    expect(broken.error).toMatch(/network error: .*(Downloaded \d+ bytes, expected \d+ bytes|Did not get any data blocks|Remote end closed connection)/);
    const dir = path.join(core.paths.downloads, 'youtube');
    const files = fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true }).map(String) : [];
    expect(files.filter((f) => f.endsWith('.mp4'))).toEqual([]);
  });

  it('cancels mid-download, keeping the .part, and a retry resumes it', async () => {
    const core = await start();
    const job = core.jobs.enqueueArchive('YouTubePlugin', source('SLOWSLOWSLO'));
    const size = fs.statSync(video).size;
    await waitFor(() => ((core.jobs.get(job.id).progress?.bytesDone ?? 0) > size * 0.3 ? true : undefined), 30_000, 'a third of the download');
    core.jobs.cancel([job.id]);
    expect((await core.jobs.waitFor(job.id)).state).toBe('cancelled');
    const dir = path.join(core.paths.downloads, 'youtube');
    const parts = await waitFor(() => {
      const found = fs.readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith('.part'));
      return found.length ? found : undefined;
    }, 5000, 'a .part file');
    const partSize = fs.statSync(path.join(dir, parts[0]!)).size;
    expect(partSize).toBeGreaterThan(0);
    expect(partSize).toBeLessThan(size);

    ranges.length = 0;
    expect(core.jobs.retry([job.id])).toBe(1);
    const done = await core.jobs.waitFor(job.id);
    expect(done.state, done.error).toBe('completed');
    expect(ranges.some((r) => Number(/^bytes=(\d+)-$/.exec(r)?.[1]) >= partSize)).toBe(true);
    expect(streamHash(done.outputPath!)).toBe(videoStreams);
    expect(fs.readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith('.part'))).toEqual([]);
  });

  it('reads metadata without downloading, and refuses what is not http(s)', async () => {
    const core = await start();
    const info = (await core.plugins.invoke('youtube', 'metadata', [source('AAAAAAAAAAA')])) as Record<string, unknown>;
    expect(info).toMatchObject({ extractor: 'generic', formats: 1, webpage_url: `${server.url}/watch?v=AAAAAAAAAAA` });
    await expect(core.plugins.invoke('youtube', 'metadata', [{ ...source('x'), uri: 'file:///etc/passwd' }])).rejects.toThrow(/only http\(s\) addresses/);
  });
});

describe("YouTubePlugin's actions", () => {
  it('installs yt-dlp into its own tools folder after checking its published checksum, keeps the previous copy, rolls back, and says why when it cannot', async () => {
    const release = tempHome('haven-yt-release-');
    fs.copyFileSync('/usr/bin/yt-dlp', path.join(release, 'yt-dlp'));
    fs.writeFileSync(path.join(release, 'not-yt-dlp'), '#!/bin/sh\necho hello\n');
    fs.writeFileSync(path.join(release, 'tampered'), '#!/bin/sh\necho 2099.01.01\n');
    fs.writeFileSync(path.join(release, 'unlisted'), '#!/bin/sh\necho 2099.01.01\n');
    // As yt-dlp's releases publish it; `tampered` is listed with another file's sum.
    const sums = [`${sha256(path.join(release, 'yt-dlp'))}  yt-dlp`, `${sha256(path.join(release, 'not-yt-dlp'))}  not-yt-dlp`, `${sha256(path.join(release, 'not-yt-dlp'))}  tampered`];
    fs.writeFileSync(path.join(release, 'SHA2-256SUMS'), `${sums.join('\n')}\n`);
    const releases = await startStaticServer(release);
    try {
      const home = tempHome();
      const core = await start(home);
      const set = (values: Record<string, unknown>) => core.plugins.setConfig('youtube', values, false);
      await set({ ytdlp_release_url: `${releases.url}/yt-dlp` });
      // Its own tools folder, which only it runs from (HAVEN_HOME/bin is the user's, read-only to plugins).
      const managed = path.join(home, 'plugin-data', 'youtube', 'bin', 'yt-dlp');
      expect(await core.plugins.runAction('youtube', 'update-yt-dlp')).toBe(`yt-dlp 2023.03.04 is installed in ${managed}.`);
      expect((await core.plugins.health(['youtube']))[0]?.result.output).toContain(`yt-dlp 2023.03.04 (managed, ${managed})`);
      expect(await core.plugins.runAction('youtube', 'update-yt-dlp')).toMatch(/kept as yt-dlp\.previous/);
      expect(fs.existsSync(`${managed}.previous`)).toBe(true);
      expect(await core.plugins.runAction('youtube', 'rollback-yt-dlp')).toBe('Back to yt-dlp 2023.03.04; the newer copy is kept as yt-dlp.previous.');

      // A file that is not yt-dlp, a refused connection, a missing file: each says so, nothing changes.
      const before = sha256(managed);
      await set({ ytdlp_release_url: `${releases.url}/not-yt-dlp` });
      await expect(core.plugins.runAction('youtube', 'update-yt-dlp')).rejects.toThrow(/says its version is "hello", not a yt-dlp version; the installed yt-dlp is unchanged/);
      const closed = await startStaticServer(release);
      await closed.close();
      await set({ ytdlp_release_url: `${closed.url}/yt-dlp` });
      await expect(core.plugins.runAction('youtube', 'update-yt-dlp')).rejects.toThrow(/cannot download yt-dlp from http:\/\/127\.0\.0\.1:\d+\/yt-dlp: .*ECONNREFUSED.*; the installed yt-dlp is unchanged/);
      await set({ ytdlp_release_url: `${releases.url}/tampered` });
      await expect(core.plugins.runAction('youtube', 'update-yt-dlp')).rejects.toThrow(/does not match its published checksum \(http:\/\/127\.0\.0\.1:\d+\/SHA2-256SUMS\); the installed yt-dlp is unchanged/);
      await set({ ytdlp_release_url: `${releases.url}/unlisted` });
      await expect(core.plugins.runAction('youtube', 'update-yt-dlp')).rejects.toThrow(/SHA2-256SUMS lists no unlisted/);
      await set({ ytdlp_release_url: `${releases.url}/gone` });
      await expect(core.plugins.runAction('youtube', 'update-yt-dlp')).rejects.toThrow(/HTTP 404/);
      expect(sha256(managed)).toBe(before);
      expect(fs.readdirSync(path.dirname(managed)).sort()).toEqual(['yt-dlp', 'yt-dlp.previous']);
    } finally {
      await releases.close();
    }
  });

  it('imports a yt-dlp download archive, so those videos are skipped as already downloaded', async () => {
    const core = await start();
    const file = path.join(tempHome('haven-yt-archive-'), 'archive.txt');
    fs.writeFileSync(file, 'youtube AAAAAAAAAAA\nvimeo 123\n');
    expect(await core.plugins.runAction('youtube', 'import-download-archive', file)).toBe(`Imported 1 video ids from ${file} (1 new); they will be skipped as already downloaded.`);
    const report = await core.plugins.discover('youtube', true);
    expect(report.sources).toEqual([]);
    expect(report.skipped.find((s) => s.source.sourceId === 'AAAAAAAAAAA')?.reason).toBe('already in the imported yt-dlp download archive');
    await expect(core.plugins.runAction('youtube', 'import-download-archive', path.join(path.dirname(file), 'missing.txt'))).rejects.toThrow(/cannot read .*missing\.txt \(ENOENT\)/);
  });

  it("lists a channel's whole history with yt-dlp on its first sync only; an @handle through its page", async () => {
    const core = await start();
    await core.plugins.setConfig('youtube', { full_listing: 'first-sync' }, false);
    const listings = () => server.requests.filter((r) => r === `/channel/${CHANNEL}/videos`).length;
    const before = listings();
    // The channel's listing page (yt-dlp reads this RSS page as a playlist) adds an older video to the feed's.
    expect((await core.plugins.discover('youtube', true)).sources.map((s) => s.sourceId)).toEqual(['AAAAAAAAAAA', 'OLDVIDEO001']);
    // A dry run remembers nothing: the next check lists again; a real one marks the channel synced.
    await core.plugins.discover('youtube', false);
    expect(listings() - before).toBe(2);
    expect((await core.plugins.discover('youtube', false)).sources.map((s) => s.sourceId)).toEqual(['AAAAAAAAAAA']);
    expect(listings() - before).toBe(2);

    // A handle has no feed until its channel id is known, so its page is listed.
    await core.plugins.setConfig('youtube', { channel_ids: ['@harbour'] }, false);
    expect((await core.plugins.discover('youtube', true)).sources.map((s) => s.sourceId)).toEqual(['OLDVIDEO001']);
  });
});

describe('haven archive … --plugin YouTubePlugin', () => {
  it('saves the file with its sidecar and index row; a second run says it is already archived', async () => {
    const env = { HAVEN_HOME: tempHome(), HAVEN_BUILTIN_PLUGINS: path.join(REPO_ROOT, 'plugins') };
    const url = `${server.url}/clip.mp4`;
    const first = await runHaven(['archive', url, '--plugin', 'YouTubePlugin'], env, 120_000);
    expect(first.code, first.stderr).toBe(0);
    const saved = /saved (.+)$/m.exec(first.stdout)?.[1];
    expect(saved && fs.existsSync(saved)).toBe(true);
    // With the default settings yt-dlp embeds the metadata, so the file differs from the one served.
    expect(JSON.parse(fs.readFileSync(`${saved}.haven.json`, 'utf8'))).toMatchObject({ plugin: 'YouTubePlugin', sha256: sha256(saved!) });
    const probed = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', saved!]).toString();
    expect(Number(probed)).toBeCloseTo(8, 0);
    const found = JSON.parse((await runHaven(['library', 'search', 'clip', '--json'], env, 60_000)).stdout) as { items: { outputPath: string }[] };
    expect(found.items.map((i) => i.outputPath)).toContain(saved);
    const second = await runHaven(['archive', url, '--plugin', 'YouTubePlugin'], env, 120_000);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/already archived \(library item \d+\)/);
  });

  it('keeps two different files of the same name apart, instead of taking one for the other', async () => {
    const env = { HAVEN_HOME: tempHome(), HAVEN_BUILTIN_PLUGINS: path.join(REPO_ROOT, 'plugins') };
    const root = path.dirname(video);
    for (const [folder, seconds] of [['a', 8], ['b', 3]] as const) {
      fs.mkdirSync(path.join(root, folder), { recursive: true });
      execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `testsrc=size=320x180:rate=25:duration=${seconds}`, '-c:v', 'libx264', path.join(root, folder, 'clip.mp4')]);
    }
    const durations: number[] = [];
    const saved: string[] = [];
    for (const folder of ['a', 'b']) {
      const run = await runHaven(['archive', `${server.url}/${folder}/clip.mp4`, '--plugin', 'YouTubePlugin'], env, 120_000);
      expect(run.code, run.stderr).toBe(0);
      const file = /saved (.+)$/m.exec(run.stdout)?.[1];
      expect(file && fs.existsSync(file)).toBe(true);
      saved.push(file!);
      durations.push(Number(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file!]).toString()));
    }
    expect(saved[0]).not.toBe(saved[1]);
    expect(durations[0]).toBeCloseTo(8, 0);
    expect(durations[1]).toBeCloseTo(3, 0);
  });
});
