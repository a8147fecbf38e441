import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { JobSummary } from '@shared/domain/jobs';
import { createClient } from '@shared/ipc/client';
import type { HavenContract } from '@shared/ipc/contract';
import { memoryProtocolPair } from '@shared/ipc/transports/memory';
import { REPO_ROOT, tempHome, waitFor, writePluginFolder } from '../../testing/fixtures';
import { pluginCores } from '../../testing/pluginCores';
import { startStaticServer, type StaticServer } from '../../testing/staticServer';
import { XMLParser } from 'fast-xml-parser';
import type { Core } from '../core';
import { startHttpServer } from '../serve/httpServer';
import { feedItems } from '../serve/podcastFeed';
import { feedTokenFor } from '../serve/access';

// Pipelines end to end: a real archive job (the RSS example downloading from 127.0.0.1), then the
// processors the source's pipeline names, as jobs of their own, with real ffmpeg.

const testPlugins = tempHome('haven-pipeline-plugins-');
const cores = pluginCores([path.join(REPO_ROOT, 'plugins'), path.join(REPO_ROOT, 'plugins', 'examples'), testPlugins], {
  autoStartPlugins: true,
  runJobs: true,
  retryPolicy: { baseMs: 200, maxMs: 1000, jitter: 0 },
});
let server: StaticServer;
let site: string;

// A processor whose first run kills its own process half-way (a crash), and whose second run works.
writePluginFolder(testPlugins, 'crashy', {
  name: 'CrashyProcessor',
  capabilities: ['PROCESS'],
  manifest: { processes: { accepts: ['video/*'], produces: ['metadata'] } },
  entry: `import fs from 'node:fs';
import path from 'node:path';
import { definePlugin } from '@haven/sdk';
export default definePlugin({
  setup: (ctx) => ({
    async process(item) {
      const runs = ((await ctx.storage.get('runs')) ?? 0) + 1;
      await ctx.storage.set('runs', runs);
      if (runs === 1) {
        fs.writeFileSync(path.join(item.derivedDir, 'half-written.part'), 'x');
        process.exit(3);
      }
      const out = path.join(item.derivedDir, 'facts.json');
      fs.writeFileSync(out, JSON.stringify({ size: fs.statSync(item.path).size, runs }));
      return { derived: [{ path: out, kind: 'metadata', label: 'Facts' }] };
    },
  }),
});
`,
});

// A processor that writes over the original, and one that names a file outside its folder.
writePluginFolder(testPlugins, 'vandal', {
  name: 'VandalProcessor',
  capabilities: ['PROCESS'],
  manifest: { processes: { accepts: [], produces: ['other'] } },
  entry: `import fs from 'node:fs';
import { definePlugin } from '@haven/sdk';
export default definePlugin({
  setup: () => ({
    process(item) {
      fs.appendFileSync(item.path, 'oops');
      return { derived: [] };
    },
  }),
});
`,
});
writePluginFolder(testPlugins, 'escaper', {
  name: 'EscaperProcessor',
  capabilities: ['PROCESS'],
  manifest: { processes: { accepts: [], produces: ['other'] } },
  entry: `import { definePlugin } from '@haven/sdk';
export default definePlugin({
  setup: () => ({ process: (item) => ({ derived: [{ path: item.path, kind: 'other' }] }) }),
});
`,
});

beforeAll(async () => {
  site = tempHome('haven-pipeline-site-');
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25:duration=8', '-f', 'lavfi', '-i', 'sine=frequency=300:duration=8', '-af', 'volume=-20dB', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', path.join(site, 'clip.mp4')]);
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'sine=frequency=500:duration=5', '-b:a', '96k', path.join(site, 'tone.mp3')]);
  server = await startStaticServer(site);
  return () => server.close();
});

afterEach(() => cores.disposeAll());

const sha256 = (file: string): string => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

async function archive(core: Core, file: string): Promise<{ itemId: number; job: JobSummary }> {
  const job = core.jobs.enqueueArchive('RssPlugin', { sourceId: file, mediaType: 'video', uri: `${server.url}/${file}`, title: file, metadata: {} });
  const done = await waitFor(() => {
    const current = core.jobs.get(job.id);
    return current.state === 'completed' || current.state === 'failed' ? current : undefined;
  }, 30_000, `the archive of ${file}`);
  expect(done.state).toBe('completed');
  return { itemId: done.itemId!, job: done };
}

async function processJobs(core: Core, itemId: number, count: number): Promise<JobSummary[]> {
  return waitFor(() => {
    const jobs = core.jobs.list({ states: ['completed', 'failed'], limit: 100 }).jobs.filter((job) => job.kind === 'process' && job.itemId === itemId);
    return jobs.length >= count ? jobs : undefined;
  }, 60_000, `${count} process job(s) to finish`);
}

function probe(file: string): { streams: { codec_type: string; codec_name: string; width?: number }[] } {
  return JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_streams', '-of', 'json', file], { encoding: 'utf8' })) as { streams: { codec_type: string; codec_name: string; width?: number }[] };
}

/** Integrated loudness (LUFS) measured by ffmpeg's ebur128 filter, independently of the processor. */
function integratedLoudness(file: string): number {
  const { stderr } = spawnSync('ffmpeg', ['-hide_banner', '-nostats', '-i', file, '-af', 'ebur128', '-f', 'null', '-'], { encoding: 'utf8' });
  const summary = stderr.slice(stderr.lastIndexOf('Summary:'));
  return Number(/I:\s+(-?[\d.]+) LUFS/.exec(summary)![1]);
}

describe('pipelines', () => {
  it('after a real archive, thumbnails and loudness run as their own jobs and their files are recorded on the item', async () => {
    const core = await cores.start();
    core.settings.update({ pipelines: { RssPlugin: [{ plugin: 'ThumbnailsPlugin', enabled: true }, { plugin: 'LoudnessPlugin', enabled: true }] } });
    const { itemId } = await archive(core, 'clip.mp4');
    const original = core.library.get(itemId).outputPath!;
    const originalHash = sha256(original);

    const jobs = await processJobs(core, itemId, 2);
    expect(jobs.map((job) => [job.plugin, job.state])).toEqual(expect.arrayContaining([['ThumbnailsPlugin', 'completed'], ['LoudnessPlugin', 'completed']]));
    const derived = core.derived.list(itemId);
    const thumbnail = derived.find((file) => file.kind === 'thumbnail')!;
    expect(probe(thumbnail.path).streams[0]).toMatchObject({ codec_name: 'mjpeg', width: 320 });
    const audio = derived.find((file) => file.kind === 'audio')!;
    expect(probe(audio.path).streams.some((stream) => stream.codec_type === 'audio')).toBe(true);
    // The source was made 20 dB quieter than the target; normalised, it is within 1 LU of -16 LUFS.
    expect(Math.abs(integratedLoudness(audio.path) - -16)).toBeLessThanOrEqual(1);
    for (const file of derived) expect(file.path.startsWith(path.join(core.paths.derived, String(itemId)))).toBe(true);
    expect(sha256(original)).toBe(originalHash);
    // The step order held: loudness was queued when thumbnails completed.
    const [thumbJob, loudJob] = ['ThumbnailsPlugin', 'LoudnessPlugin'].map((name) => jobs.find((job) => job.plugin === name)!);
    expect(Date.parse(loudJob!.createdAt)).toBeGreaterThanOrEqual(Date.parse(thumbJob!.finishedAt!));
    // The Library shows the thumbnail, and the item lists what was made.
    expect(core.derived.thumbnails([itemId]).get(itemId)).toBe(thumbnail.id);

    // The source's podcast feed, as `haven serve` serves it: the enclosure and the cover load with the token alone.
    const http = await startHttpServer({
      host: '127.0.0.1',
      port: 0,
      token: 'a-feed-token-0123456789abcdef',
      rendererDir: site,
      connect: (protocol, transport) => core.router.connect(protocol, transport),
      logger: core.logger,
      feedFor: (name) => feedItems(core, name),
      fileForItem: (id) => core.library.get(id).outputPath,
      fileForDerived: (id) => core.derived.servable(id),
    });
    try {
      // Subscribed with the read-only feed token, which opens nothing else.
      const feedToken = feedTokenFor('a-feed-token-0123456789abcdef');
      const response = await fetch(`http://127.0.0.1:${http.port}/feeds/rss.xml?feed=${feedToken}`);
      expect(response.headers.get('content-type')).toMatch(/application\/rss\+xml/);
      const feed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' }).parse(await response.text()) as { rss: { channel: { item: { enclosure: { '@url': string; '@length': string }; 'itunes:image': { '@href': string } } } } };
      const entry = feed.rss.channel.item;
      const media = await fetch(entry.enclosure['@url']);
      expect(media.status).toBe(200);
      expect((await media.arrayBuffer()).byteLength).toBe(Number(entry.enclosure['@length']));
      const cover = await fetch(entry['itunes:image']['@href']);
      expect(cover.headers.get('content-type')).toBe('image/jpeg');
      expect(entry.enclosure['@url']).not.toContain('a-feed-token-0123456789abcdef');
      expect((await fetch(`http://127.0.0.1:${http.port}/feeds/nosuch.xml?token=a-feed-token-0123456789abcdef`)).status).toBe(404);
      expect((await fetch(`http://127.0.0.1:${http.port}/feeds/rss.xml`)).status).toBe(401);
      expect((await fetch(`http://127.0.0.1:${http.port}/?feed=${feedToken}`)).status).toBe(401);
    } finally {
      await http.close();
    }
  });

  it('a processor that crashes is retried without touching the original, and skipped steps let the next one run', async () => {
    const core = await cores.start();
    core.settings.update({ pipelines: { RssPlugin: [{ plugin: 'ThumbnailsPlugin', enabled: true }, { plugin: 'CrashyProcessor', enabled: true }] } });
    const { itemId } = await archive(core, 'tone.mp3');
    const original = core.library.get(itemId).outputPath!;
    const originalHash = sha256(original);
    // An mp3 without cover art: ThumbnailsPlugin makes nothing and says why; the next step runs.
    const jobs = await processJobs(core, itemId, 1);
    const thumbs = jobs.find((job) => job.plugin === 'ThumbnailsPlugin')!;
    expect(thumbs.state).toBe('completed');
    expect(core.jobs.get(thumbs.id).trace.map((event) => event.message).join('\n')).toMatch(/nothing to do/);
    // CrashyProcessor declines audio (it takes video/*): that step completes with nothing to do too.
    const skipped = await waitFor(() => core.jobs.list({ limit: 100 }).jobs.find((job) => job.plugin === 'CrashyProcessor' && job.itemId === itemId && job.state === 'completed'), 30_000, 'the declined step');
    expect(core.jobs.get(skipped.id).trace.map((event) => event.message).join('\n')).toMatch(/nothing to do \(CrashyProcessor: it takes video\/\*, and this item is audio\/mpeg\)/);
    // Now on a video item: the first run crashes its process, the retry works.
    const video = await archive(core, 'clip.mp4');
    const videoOriginal = core.library.get(video.itemId).outputPath!;
    const videoHash = sha256(videoOriginal);
    core.settings.update({ pipelines: { RssPlugin: [{ plugin: 'CrashyProcessor', enabled: true }] } });
    core.jobs.startPipeline(core.library.get(video.itemId), { reason: 'test', byUser: true });
    const crashy = await waitFor(() => core.jobs.list({ limit: 100 }).jobs.find((job) => job.plugin === 'CrashyProcessor' && job.itemId === video.itemId && job.state === 'completed'), 60_000, 'the crashy processor to succeed on its retry');
    // The crash, and perhaps a retry or two while its process restarted with backoff.
    expect(crashy.attempts).toBeGreaterThanOrEqual(1);
    expect(core.jobs.get(crashy.id).trace.map((event) => event.message).join('\n')).toMatch(/crashed/);
    const facts = core.derived.list(video.itemId).find((file) => file.plugin === 'CrashyProcessor')!;
    expect(JSON.parse(fs.readFileSync(facts.path, 'utf8'))).toMatchObject({ runs: 2 });
    // The half-written file of the crashed run is gone: each run starts in an empty folder.
    expect(fs.readdirSync(path.dirname(facts.path))).toEqual(['facts.json']);
    expect(sha256(videoOriginal)).toBe(videoHash);
    expect(sha256(original)).toBe(originalHash);
  });

  it('refuses a processor that changes the original or names a file outside its folder', async () => {
    // The sandbox stops the write itself; without it (HAVEN_PLUGIN_SANDBOX=off) Core's own check
    // of the original after the run still catches it.
    for (const sandboxed of [true, false]) {
      const core = await cores.start(undefined, { pluginSandbox: sandboxed });
      const { itemId } = await archive(core, 'tone.mp3');
      const item = core.library.get(itemId);
      const before = fs.readFileSync(item.outputPath!);
      for (const [name, pattern] of [
        ['VandalProcessor', sandboxed ? /blocked by Haven's plugin sandbox: writing .*tone\.mp3/ : /changed or removed the original/],
        ['EscaperProcessor', /not a file it made/],
      ] as const) {
        const job = core.jobs.enqueueProcess(item, name, { itemId, step: 0 }, 'test');
        const done = await waitFor(() => {
          const current = core.jobs.get(job.id);
          return current.state === 'failed' ? current : undefined;
        }, 30_000, `${name} to fail`);
        expect(done.error).toMatch(pattern);
      }
      expect(fs.readFileSync(item.outputPath!).equals(before)).toBe(sandboxed);
      expect(core.derived.list(itemId)).toEqual([]);
    }
  });

  it('a dry run says which steps would run on the newest item and why the others would not', async () => {
    const core = await cores.start();
    const { itemId } = await archive(core, 'tone.mp3');
    core.settings.update({
      pipelines: { RssPlugin: [{ plugin: 'CrashyProcessor', enabled: true }, { plugin: 'LoudnessPlugin', enabled: true }, { plugin: 'NoSuchPlugin', enabled: true }, { plugin: 'ThumbnailsPlugin', enabled: false }] },
    });
    const [mine, theirs] = memoryProtocolPair();
    core.router.connect(theirs, 'test');
    const client = createClient<HavenContract>(mine);
    const plan = await client.call('pipelines.dryRun', { source: 'rss' });
    expect(plan.item).toMatchObject({ id: itemId, title: 'tone.mp3', mime: 'audio/mpeg' });
    expect(plan.steps.map((step) => [step.plugin, step.runs])).toEqual([
      ['CrashyProcessor', false],
      ['LoudnessPlugin', true],
      ['NoSuchPlugin', false],
      ['ThumbnailsPlugin', false],
    ]);
    expect(plan.steps[0]!.reason).toMatch(/video\/\*.*audio\/mpeg/);
    expect(plan.steps[2]!.reason).toBe('NoSuchPlugin is not installed');
    expect(plan.steps[3]!.reason).toBe('this step is turned off');
    // Nothing ran.
    expect(core.jobs.list({ limit: 100 }).jobs.filter((job) => job.kind === 'process')).toEqual([]);
    await expect(client.call('pipelines.run', { itemId: 999_999 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    client.dispose();
  });
});
