import fs from 'node:fs';
import path from 'node:path';
import bencode from 'bencode';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { JobProgressEvent } from '../../shared/domain/jobs';
import type { Core } from '../../electron/core/core';
import { REPO_ROOT, runHaven, tempHome, waitFor } from '../../electron/testing/fixtures';
import { pluginCores } from '../../electron/testing/pluginCores';
import { startStaticServer } from '../../electron/testing/staticServer';
import WebTorrent from 'webtorrent';
import { LOOPBACK, LOOPBACK_CONFIG, folderHashes, randomFolder, startSwarm, type Swarm } from './testing/swarm';

// BitTorrentPlugin with real WebTorrent clients on loopback only: a bittorrent-tracker on
// 127.0.0.1 started here, seeders started here, DHT/LSD/uTP/UPnP/NAT-PMP off everywhere.

let swarm: Swarm;
let packDir: string;
let torrentFile: string;
let magnet: string;
let infoHash: string;

beforeAll(async () => {
  swarm = await startSwarm();
  const root = tempHome('haven-bt-seed-');
  packDir = randomFolder(path.join(root, 'Field recordings'), { 'dawn.wav': 3_000_000, 'notes/readme.txt': 20_000, 'notes/dusk.wav': 1_500_000 });
  const seeded = await swarm.seed(packDir);
  torrentFile = path.join(root, 'field-recordings.torrent');
  fs.writeFileSync(torrentFile, seeded.torrentFile);
  magnet = seeded.magnetURI;
  infoHash = seeded.infoHash;
});

afterAll(async () => {
  await swarm?.close();
});

const cores = pluginCores([path.join(REPO_ROOT, 'plugins')], { runJobs: true, retryPolicy: { baseMs: 50, maxMs: 200, jitter: 0 } });
afterEach(() => cores.disposeAll());

async function start(home = tempHome()): Promise<Core> {
  const core = await cores.start(home);
  expect((await core.plugins.setConfig('bittorrent', { ...LOOPBACK_CONFIG, max_retries: 0 }, false)).ok).toBe(true);
  return core;
}

const source = (uri: string) => ({ sourceId: `test:${uri.slice(-24)}`, mediaType: 'torrent', uri, title: path.basename(uri), metadata: {} });

describe('BitTorrentPlugin with WebTorrent', () => {
  it('downloads a multi-file torrent byte for byte into output_dir, reporting progress, and indexes the folder', async () => {
    const core = await start();
    const progress: JobProgressEvent[] = [];
    core.jobs.onProgress((event) => progress.push(event));
    const job = core.jobs.enqueueArchive('BitTorrentPlugin', source(torrentFile), { reason: 'test' });
    const done = await core.jobs.waitFor(job.id);
    expect(done.state, done.error).toBe('completed');
    expect(path.basename(done.outputPath!)).toBe('Field recordings');
    expect(folderHashes(done.outputPath!)).toEqual(folderHashes(packDir));
    const item = core.library.get(done.itemId!);
    expect(item).toMatchObject({ size: 4_520_000, metadata: expect.objectContaining({ infoHash, files: 3 }) });
    const mine = progress.filter((p) => p.jobId === job.id && p.progress.phase === 'downloading');
    expect(mine.at(-1)?.progress).toMatchObject({ bytesDone: 4_520_000, bytesTotal: 4_520_000, percent: 100 });
    // Staging is emptied once the files are in place.
    expect(fs.readdirSync(path.join(core.paths.pluginData, 'bittorrent', 'staging'))).toEqual([]);
  });

  it('refuses a bad magnet, a file that is not a torrent, an oversized one and one that writes outside its folder', async () => {
    const core = await start();
    const dir = tempHome('haven-bt-bad-');
    const notTorrent = path.join(dir, 'notes.torrent');
    fs.writeFileSync(notTorrent, 'this is not bencoded');
    const huge = path.join(dir, 'huge.torrent');
    fs.writeFileSync(huge, Buffer.alloc(17 * 1024 * 1024));
    const escaping = path.join(dir, 'escaping.torrent');
    const pieces = new Uint8Array(20);
    fs.writeFileSync(escaping, bencode.encode({ announce: swarm.announce, info: { name: 'pack', 'piece length': 16384, pieces, files: [{ length: 10, path: ['..', '..', 'evil.txt'] }] } }));
    const attempt = async (uri: string) => {
      const done = await core.jobs.waitFor(core.jobs.enqueueArchive('BitTorrentPlugin', source(uri), { reason: 'test' }).id);
      expect(done.state).toBe('failed');
      return `${done.errorClass}: ${done.error}`;
    };
    expect(await attempt('magnet:?xt=urn:btih:nothex&dn=x')).toMatch(/^invalid_input: not a valid magnet link/);
    expect(await attempt(notTorrent)).toMatch(/^invalid_input: .*notes\.torrent is not a valid \.torrent file/);
    expect(await attempt(huge)).toMatch(/huge\.torrent is 17825792 bytes; a \.torrent file is at most 16777216/);
    expect(await attempt(escaping)).toMatch(/^forbidden: .*escaping\.torrent names a file outside its own folder \("\.\.\/\.\.\/evil\.txt"\); refused/);
    expect(fs.existsSync(path.join(core.paths.home, 'evil.txt'))).toBe(false);
  });
});

describe('BitTorrentPlugin feeds', () => {
  it('discovers the torrents of an RSS feed on 127.0.0.1, takes only what a rule matches, and archives it', async () => {
    const site = tempHome('haven-bt-feed-');
    const dawn = await swarm.seed(randomFolder(path.join(tempHome('haven-bt-dawn-'), 'Dawn chorus S01E01'), { 'dawn.flac': 700_000 }));
    const city = await swarm.seed(randomFolder(path.join(tempHome('haven-bt-city-'), 'City noise S01E01'), { 'city.flac': 500_000 }));
    fs.writeFileSync(path.join(site, 'dawn.torrent'), dawn.torrentFile);
    fs.writeFileSync(path.join(site, 'city.torrent'), city.torrentFile);
    const server = await startStaticServer(site, [
      (req, res) => {
        if (req.url !== '/feed.xml') return false;
        res.writeHead(200, { 'Content-Type': 'application/rss+xml' }).end(`<?xml version="1.0"?><rss version="2.0"><channel><title>Field sounds</title>
          <item><title>Dawn chorus S01E01</title><enclosure url="${server.url}/dawn.torrent" type="application/x-bittorrent" length="1"/></item>
          <item><title>City noise S01E01</title><enclosure url="${server.url}/city.torrent" type="application/x-bittorrent" length="1"/></item>
        </channel></rss>`);
        return true;
      },
    ]);
    try {
      const core = await start();
      const feed = `${server.url}/feed.xml`;
      expect((await core.plugins.setConfig('bittorrent', { rss_feeds: [feed], feed_rules: [{ feed, must_contain: 'dawn', episode_filter: '1x1-' }] }, false)).ok).toBe(true);
      // The preview (a dry run) says what the rule would take, and why not the rest.
      const preview = await core.plugins.discover('bittorrent', true);
      expect(preview.sources.map((s) => s.title)).toEqual(['Dawn chorus S01E01']);
      expect(preview.skipped).toEqual([expect.objectContaining({ reason: 'no rule takes it (rule 1: does not contain "dawn")' })]);

      const discovery = await core.jobs.waitFor(core.jobs.enqueueDiscover('BitTorrentPlugin').id);
      expect(discovery.state, discovery.error).toBe('completed');
      const archives = core.jobs.list({}).jobs.filter((j) => j.kind === 'archive');
      expect(archives.map((j) => [j.title, j.state === 'skipped' ? 'skipped' : 'queued'])).toEqual(
        expect.arrayContaining([
          ['Dawn chorus S01E01', 'queued'],
          ['City noise S01E01', 'skipped'],
        ]),
      );
      const done = await core.jobs.waitFor(archives.find((j) => j.title === 'Dawn chorus S01E01')!.id);
      expect(done.state, done.error).toBe('completed');
      expect(path.basename(done.outputPath!)).toBe('Dawn chorus S01E01');
      expect(core.jobs.list({}).jobs.filter((j) => j.kind === 'archive' && j.state === 'completed')).toHaveLength(1);
    } finally {
      await server.close();
    }
  });
});

describe('BitTorrentPlugin feed rules that add paused', () => {
  it('adds what an add_paused rule takes as a paused job, which downloads once resumed', async () => {
    const site = tempHome('haven-bt-paused-');
    const rainDir = randomFolder(path.join(tempHome('haven-bt-rain-'), 'Rain S02E03'), { 'rain.flac': 300_000 });
    const rain = await swarm.seed(rainDir);
    fs.writeFileSync(path.join(site, 'rain.torrent'), rain.torrentFile);
    const server = await startStaticServer(site, [
      (req, res) => {
        if (req.url !== '/feed.xml') return false;
        res.writeHead(200, { 'Content-Type': 'application/rss+xml' }).end(`<?xml version="1.0"?><rss version="2.0"><channel><title>Weather</title>
          <item><title>Rain S02E03</title><enclosure url="${server.url}/rain.torrent" type="application/x-bittorrent" length="1"/></item>
        </channel></rss>`);
        return true;
      },
    ]);
    try {
      const core = await start();
      const feed = `${server.url}/feed.xml`;
      expect((await core.plugins.setConfig('bittorrent', { rss_feeds: [feed], feed_rules: [{ must_contain: 'rain', add_paused: true }] }, false)).ok).toBe(true);
      expect((await core.plugins.discover('bittorrent', true)).sources).toEqual([expect.objectContaining({ title: 'Rain S02E03', addPaused: true })]);
      const discovery = await core.jobs.waitFor(core.jobs.enqueueDiscover('BitTorrentPlugin').id);
      expect(discovery.state, discovery.error).toBe('completed');
      const [job] = core.jobs.list({}).jobs.filter((j) => j.kind === 'archive');
      expect(job).toMatchObject({ title: 'Rain S02E03', state: 'paused' });
      // Paused means nothing is fetched: a second discovery leaves it paused too.
      await core.jobs.waitFor(core.jobs.enqueueDiscover('BitTorrentPlugin').id);
      expect(core.jobs.get(job!.id)).toMatchObject({ state: 'paused' });
      expect(fs.existsSync(path.join(core.paths.downloads, 'bittorrent', 'Rain S02E03'))).toBe(false);
      expect(core.jobs.resume([job!.id])).toBe(1);
      const done = await core.jobs.waitFor(job!.id);
      expect(done.state, done.error).toBe('completed');
      expect(folderHashes(done.outputPath!)).toEqual(folderHashes(rainDir));
    } finally {
      await server.close();
    }
  });
});

describe('BitTorrentPlugin watch folder', () => {
  it('archives a .torrent dropped into watch_folder, once', async () => {
    const dir = randomFolder(path.join(tempHome('haven-bt-drop-'), 'Dropped pack'), { 'drop.bin': 600_000 });
    const seeded = await swarm.seed(dir);
    const core = await start();
    const folder = tempHome('haven-bt-watch-');
    expect((await core.plugins.setConfig('bittorrent', { watch_folder: folder }, false)).ok).toBe(true);
    await core.plugins.start('bittorrent');
    fs.writeFileSync(path.join(folder, 'dropped.torrent'), seeded.torrentFile);
    const done = await waitFor(() => core.jobs.list({}).jobs.find((j) => j.kind === 'archive' && j.state === 'completed'), 30_000, 'the dropped torrent to be archived');
    expect(done).toMatchObject({ sourceId: seeded.infoHash, title: 'Dropped pack' });
    expect(folderHashes(done.outputPath!)).toEqual(folderHashes(dir));
    // Another look at the folder finds it archived already.
    const again = await core.jobs.waitFor(core.jobs.enqueueDiscover('BitTorrentPlugin').id);
    expect(core.jobs.get(again.id).trace.map((e) => e.message)).toContain('found 1: 0 queued, 1 already archived, 0 skipped by the plugin');
  });
});

describe('BitTorrentPlugin bandwidth limits', () => {
  it('holds max_bandwidth_down within 15% over 10 s, and a changed limit applies to the running download', async () => {
    const dir = randomFolder(path.join(tempHome('haven-bt-rate-'), 'Rate pack'), { 'big.bin': 8_000_000 });
    const seeded = await swarm.seed(dir);
    const core = await start();
    expect((await core.plugins.setConfig('bittorrent', { max_bandwidth_down: 512 }, false)).ok).toBe(true);
    const samples: { at: number; bytes: number }[] = [];
    const torrent = path.join(core.paths.home, 'rate.torrent');
    fs.writeFileSync(torrent, seeded.torrentFile);
    const job = core.jobs.enqueueArchive('BitTorrentPlugin', source(torrent), { reason: 'test' });
    core.jobs.onProgress((event) => {
      if (event.jobId === job.id && event.progress.bytesDone !== undefined) samples.push({ at: Date.now(), bytes: event.progress.bytesDone });
    });
    const deadline = Date.now() + 30_000;
    while ((samples.length === 0 || samples.at(-1)!.at - samples[0]!.at < 13_000) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    // The 10 s after a 3 s ramp-up.
    const from = samples.find((s) => s.at >= samples[0]!.at + 3_000)!;
    const to = samples.filter((s) => s.at <= from.at + 10_000).at(-1)!;
    const rate = (to.bytes - from.bytes) / ((to.at - from.at) / 1000);
    expect(rate / (512 * 1024)).toBeGreaterThan(0.85);
    expect(rate / (512 * 1024)).toBeLessThan(1.15);
    expect(to.bytes).toBeLessThan(8_000_000);

    // Lifting the limit speeds up the same download, without restarting it.
    const lifted = Date.now();
    expect((await core.plugins.setConfig('bittorrent', { max_bandwidth_down: 0 }, false)).ok).toBe(true);
    const done = await core.jobs.waitFor(job.id);
    expect(done.state, done.error).toBe('completed');
    expect(Date.now() - lifted).toBeLessThan(3_000);
    expect(core.library.get(done.itemId!).metadata.downloadedThisRun).toBeLessThan(8_000_000 + 2 * 262_144);
  });
});

describe('BitTorrentPlugin seeding', () => {
  it('seeds a finished torrent from output_dir, also after a restart, and stops at the ratio limit', async () => {
    const dir = randomFolder(path.join(tempHome('haven-bt-share-'), 'Shared pack'), { 'share.bin': 2_000_000 });
    const original = await swarm.seed(dir);
    const home = tempHome();
    const first = await start(home);
    expect((await first.plugins.setConfig('bittorrent', { seed_after_download: true, seed_ratio_limit: 1 }, false)).ok).toBe(true);
    const torrent = path.join(home, 'share.torrent');
    fs.writeFileSync(torrent, original.torrentFile);
    const done = await first.jobs.waitFor(first.jobs.enqueueArchive('BitTorrentPlugin', source(torrent), { reason: 'test' }).id);
    expect(done.state, done.error).toBe('completed');
    expect(await first.plugins.viewRows('bittorrent', 'seeding')).toEqual([
      expect.objectContaining({ id: original.infoHash, cells: expect.objectContaining({ name: 'Shared pack', state: 'seeding', note: 'until ratio 1' }), actions: ['stop', 'remove'] }),
    ]);
    expect((await first.plugins.viewRows('bittorrent', 'seeding'))[0]!.cells.ratio).toBeLessThan(0.1);

    // After a restart it seeds again, from the saved files; the original seeder leaves the swarm.
    await cores.stop(first);
    const second = await cores.start(home);
    expect(await second.plugins.viewRows('bittorrent', 'seeding')).toEqual([expect.objectContaining({ cells: expect.objectContaining({ name: 'Shared pack', state: 'seeding' }) })]);
    await new Promise<void>((resolve) => original.destroy({}, () => resolve()));

    // A new peer gets everything from Haven, which then stops at ratio 1.
    const peer = new WebTorrent(LOOPBACK);
    try {
      const out = tempHome('haven-bt-peer-');
      const leech = peer.add(original.torrentFile, { path: out });
      await new Promise<void>((resolve, reject) => {
        leech.on('done', () => resolve());
        leech.on('error', (error) => reject(error instanceof Error ? error : new Error(String(error))));
      });
      expect(folderHashes(path.join(out, 'Shared pack'))).toEqual(folderHashes(dir));
    } finally {
      await new Promise<void>((resolve) => peer.destroy(() => resolve()));
    }
    const stopped = await waitFor(async () => (await second.plugins.viewRows('bittorrent', 'seeding')).find((row) => row.cells.state === 'stopped'), 20_000, 'seeding to stop at ratio 1');
    expect(stopped).toMatchObject({ actions: ['resume', 'remove'], cells: { note: expect.stringMatching(/^stopped: ratio 1\.\d\d reached the limit of 1$/) } });
    expect(stopped.cells.ratio).toBeGreaterThanOrEqual(1);
    // At the limit it does not seed again; removed, it leaves the list and its files stay.
    await expect(second.plugins.viewAction('bittorrent', 'seeding', 'resume', original.infoHash)).rejects.toThrow(/at seed_ratio_limit 1: raise the limit/);
    expect(await second.plugins.viewAction('bittorrent', 'seeding', 'remove', original.infoHash)).toBe('Removed from the Seeding list; the files stay in your library.');
    expect(await second.plugins.viewRows('bittorrent', 'seeding')).toEqual([]);
    expect(fs.existsSync(path.join(done.outputPath!, 'share.bin'))).toBe(true);
  });
});

describe('BitTorrentPlugin across a restart', () => {
  it('resumes a download after Core stops mid-way, verifying the pieces it has instead of fetching them again', async () => {
    const slowDir = randomFolder(path.join(tempHome('haven-bt-slow-'), 'Slow pack'), { 'long.bin': 6_000_000 });
    const slow = await swarm.seed(slowDir, { uploadKiBps: 1024 });
    const home = tempHome();
    const first = await start(home);
    const progress: JobProgressEvent[] = [];
    first.jobs.onProgress((event) => progress.push(event));
    const torrent = path.join(home, 'slow.torrent');
    fs.writeFileSync(torrent, slow.torrentFile);
    const job = first.jobs.enqueueArchive('BitTorrentPlugin', source(torrent), { reason: 'test' });
    const halfway = Date.now() + 30_000;
    while (!progress.some((p) => p.jobId === job.id && (p.progress.percent ?? 0) >= 40) && Date.now() < halfway) await new Promise((r) => setTimeout(r, 100));
    const before = Math.max(...progress.filter((p) => p.jobId === job.id).map((p) => p.progress.bytesDone ?? 0));
    expect(before).toBeGreaterThan(2_000_000);
    expect(before).toBeLessThan(6_000_000);
    await cores.stop(first);

    const second = await start(home);
    const done = await second.jobs.waitFor(job.id);
    expect(done.state, done.error).toBe('completed');
    expect(second.jobs.get(job.id).trace.map((e) => e.kind)).toContain('recovered');
    const fetched = second.library.get(done.itemId!).metadata.downloadedThisRun as number;
    // Only what was missing came over the wire again (a piece in flight may be fetched twice).
    expect(fetched).toBeLessThanOrEqual(6_000_000 - before + 2 * 262_144);
    expect(folderHashes(done.outputPath!)).toEqual(folderHashes(slowDir));
  });
});

describe('haven archive with BitTorrentPlugin', () => {
  it("takes a .torrent file's path and a magnet link", async () => {
    const env = { HAVEN_HOME: tempHome(), HAVEN_BUILTIN_PLUGINS: path.join(REPO_ROOT, 'plugins') };
    const configure = await runHaven(['plugins', 'configure', 'bittorrent', ...Object.entries(LOOPBACK_CONFIG).flatMap(([key, value]) => ['--set', `${key}=${value}`])], env, 60_000);
    expect(configure.code, configure.stderr).toBe(0);
    const byFile = await runHaven(['archive', path.relative(process.cwd(), torrentFile)], env, 120_000);
    expect(byFile.code, byFile.stderr).toBe(0);
    const saved = /saved (.+)$/m.exec(byFile.stdout)?.[1];
    expect(saved && folderHashes(saved)).toEqual(folderHashes(packDir));
    const byMagnet = await runHaven(['archive', magnet, '--force'], env, 120_000);
    expect(byMagnet.code, byMagnet.stderr).toBe(0);
    const again = /saved (.+)$/m.exec(byMagnet.stdout)?.[1];
    expect(again).toBe(`${saved} (${infoHash.slice(0, 8)})`);
    expect(folderHashes(again!)).toEqual(folderHashes(packDir));
    // The Seeding view from the command line (seed_after_download is off here, so it is empty).
    const views = await runHaven(['plugins', 'view', 'bittorrent'], env, 60_000);
    expect(views.stdout).toMatch(/^seeding\s+Seeding: Finished torrents .*\s+stop, resume, remove$/m);
    const seeding = await runHaven(['plugins', 'view', 'bittorrent', 'seeding'], env, 60_000);
    expect(seeding.stdout.trim()).toBe('Nothing is seeding. Torrents appear here once they finish downloading, while seed_after_download is on.');
    const missing = await runHaven(['plugins', 'view', 'bittorrent', 'seeding', 'stop', 'abc'], env, 60_000);
    expect(missing).toMatchObject({ code: 1, stderr: 'haven: no row of seeding has an id starting with "abc"\n' });
  });
});
