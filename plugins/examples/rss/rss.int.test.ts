import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startCore, type Core } from '../../../electron/core/core';
import { PLUGIN_HOST_ENTRY, REPO_ROOT, tempHome, waitFor } from '../../../electron/testing/fixtures';
import { startStaticServer, type StaticServer } from '../../../electron/testing/staticServer';

// The RSS example against a feed and a media file served on 127.0.0.1; the audio is made by ffmpeg.
let media: string;
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

beforeAll(() => {
  const dir = tempHome('haven-rss-media-');
  media = path.join(dir, 'episode.mp3');
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=8', '-b:a', '96k', media]);
});

function feed(base: string): string {
  return `<?xml version="1.0"?>
<rss version="2.0"><channel><title>Test cast</title>
  <item><title>Episode 1: Sines &amp; Cosines</title><guid>ep-1</guid><description>A tone of 440 Hz</description>
    <enclosure url="${base}/media/episode.mp3" type="audio/mpeg" length="${fs.statSync(media).size}"/></item>
  <item><title>Show notes</title><guid>notes</guid><enclosure url="${base}/media/notes.pdf" type="application/pdf" length="10"/></item>
  <item><title>Gone</title><guid>ep-0</guid><enclosure url="${base}/media/missing.mp3" type="audio/mpeg" length="10"/></item>
</channel></rss>`;
}

async function setup(): Promise<{ core: Core; server: StaticServer }> {
  const root = tempHome('haven-rss-site-');
  fs.mkdirSync(path.join(root, 'media'));
  fs.copyFileSync(media, path.join(root, 'media', 'episode.mp3'));
  const server = await startStaticServer(root, [
    (req, res) => {
      if (req.url !== '/feed.xml') return false;
      res.writeHead(200, { 'Content-Type': 'application/rss+xml' }).end(feed(server.url));
      return true;
    },
  ]);
  cleanup.push(() => server.close());
  const core = await startCore({
    home: tempHome(),
    host: 'test',
    builtinPluginRoots: [path.join(REPO_ROOT, 'plugins', 'examples')],
    pluginHostEntry: PLUGIN_HOST_ENTRY,
    stderrLogLevel: 'off',
    autoStartPlugins: false,
  });
  cleanup.push(() => core.dispose());
  const set = await core.plugins.setConfig('rss', { feed_urls: [`${server.url}/feed.xml`] }, false);
  expect(set.ok).toBe(true);
  return { core, server };
}

describe('RssPlugin example', () => {
  it('discovers the media enclosures of a feed and explains what it skips', async () => {
    const { core } = await setup();
    const { sources, skipped } = await core.plugins.discover('RssPlugin', true);
    expect(sources.map((s) => [s.sourceId, s.title, s.mediaType])).toEqual([
      ['ep-1', 'Episode 1: Sines & Cosines', 'audio'],
      ['ep-0', 'Gone', 'audio'],
    ]);
    expect(sources[0]?.metadata).toMatchObject({ description: 'A tone of 440 Hz', type: 'audio/mpeg' });
    expect(skipped).toEqual([expect.objectContaining({ reason: 'type application/pdf is not wanted' })]);
  });

  it('archives an enclosure byte for byte, via a .part file, reporting progress', async () => {
    const { core } = await setup();
    const progress: number[] = [];
    core.plugins.onProgress((event) => event.jobId === 'job-1' && progress.push(event.update.bytesDone ?? 0));
    const { sources } = await core.plugins.discover('rss', true);
    const result = await core.plugins.archive('rss', sources[0]!, 'job-1');
    expect(result.success).toBe(true);
    expect(result.outputPath).toBe(path.join(core.paths.downloads, 'rss', 'Episode 1_ Sines & Cosines.mp3'));
    const hash = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    expect(hash(result.outputPath!)).toBe(hash(media));
    expect(result.fileSize).toBe(fs.statSync(media).size);
    expect(fs.readdirSync(path.dirname(result.outputPath!)).filter((f) => f.endsWith('.part'))).toEqual([]);
    await waitFor(() => (progress.includes(fs.statSync(media).size) ? true : undefined), 5000, 'the final progress event');
  });

  it("never writes over another source's file of the same name, even when both finish at once; the same source replaces its own", async () => {
    const { core, server } = await setup();
    const hash = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    // Two feeds' "Episode 1", different files: the tone, and the same tone one octave up.
    const other = path.join(tempHome('haven-rss-other-'), 'episode.mp3');
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'sine=frequency=880:duration=8', '-b:a', '96k', other]);
    const otherServer = await startStaticServer(path.dirname(other));
    cleanup.push(() => otherServer.close());
    const source = (sourceId: string, uri: string) => ({ sourceId, mediaType: 'audio' as const, uri, title: 'Episode 1', metadata: {} });
    const [first, second] = await Promise.all([
      core.plugins.archive('rss', source('feed-a:1', `${server.url}/media/episode.mp3`), 'job-a'),
      core.plugins.archive('rss', source('feed-b:1', `${otherServer.url}/episode.mp3`), 'job-b'),
    ]);
    const dir = path.join(core.paths.downloads, 'rss');
    expect([first.outputPath, second.outputPath].sort()).toEqual([path.join(dir, 'Episode 1 (2).mp3'), path.join(dir, 'Episode 1.mp3')]);
    expect(hash(first.outputPath!)).toBe(hash(media));
    expect(hash(second.outputPath!)).toBe(hash(other));
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.part'))).toEqual([]);
    // Haven's sidecar says whose a file is: archiving feed-a's episode again replaces its own file.
    fs.writeFileSync(`${first.outputPath}.haven.json`, JSON.stringify({ haven: 1, plugin: 'RssPlugin', source: { sourceId: 'feed-a:1' } }));
    fs.writeFileSync(`${second.outputPath}.haven.json`, JSON.stringify({ haven: 1, plugin: 'RssPlugin', source: { sourceId: 'feed-b:1' } }));
    const again = await core.plugins.archive('rss', source('feed-a:1', `${server.url}/media/episode.mp3`), 'job-a2');
    expect(again.outputPath).toBe(first.outputPath);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.mp3')).sort()).toEqual(['Episode 1 (2).mp3', 'Episode 1.mp3']);
  });

  it('takes back its own file when Haven stopped before the sidecar, but not a file of another source or of the user', async () => {
    const { core, server } = await setup();
    const dir = path.join(core.paths.downloads, 'rss');
    const source = (sourceId: string, title = 'Episode 1') => ({ sourceId, mediaType: 'audio' as const, uri: `${server.url}/media/episode.mp3`, title, metadata: {} });
    // The first run saved the file; Haven was killed before it wrote the sidecar (only its .part is there).
    const first = await core.plugins.archive('rss', source('ep-1'), 'job-1');
    fs.writeFileSync(`${first.outputPath}.haven.json.part`, '{"haven":');
    const again = await core.plugins.archive('rss', source('ep-1'), 'job-1');
    expect(again.outputPath).toBe(first.outputPath);
    // Another source with the same title and the same bytes, while Haven still indexes the first
    // (no sidecar yet), gets its own name.
    const twin = await core.plugins.archive('rss', source('ep-1-repost'), 'job-2');
    expect(twin.outputPath).toBe(path.join(dir, 'Episode 1 (2).mp3'));
    // A file the user put in the source's place (other bytes, no sidecar) is kept.
    fs.writeFileSync(first.outputPath!, 'a file the user put here');
    fs.rmSync(`${first.outputPath}.haven.json.part`);
    const third = await core.plugins.archive('rss', source('ep-1'), 'job-3');
    expect(third.outputPath).toBe(path.join(dir, 'Episode 1 (3).mp3'));
    expect(fs.readFileSync(first.outputPath!, 'utf8')).toBe('a file the user put here');
    // A title that is already a file name (a bare URL's) keeps its one extension.
    const bare = await core.plugins.archive('rss', source('ep-2', 'episode.MP3'), 'job-4');
    expect(bare.outputPath).toBe(path.join(dir, 'episode.MP3'));
    expect(fs.readdirSync(dir).sort()).toEqual(['Episode 1 (2).mp3', 'Episode 1 (3).mp3', 'Episode 1.mp3', 'episode.MP3']);
  });

  it('reports a missing file as NOT_FOUND and leaves no finished file behind', async () => {
    const { core } = await setup();
    const { sources } = await core.plugins.discover('rss', true);
    await expect(core.plugins.archive('rss', sources[1]!, 'job-2')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(fs.existsSync(path.join(core.paths.downloads, 'rss', 'Gone.mp3'))).toBe(false);
  });

  it('rejects a feed that is not XML with a clear error', async () => {
    const { core, server } = await setup();
    await core.plugins.setConfig('rss', { feed_urls: [`${server.url}/media/episode.mp3`] }, false);
    await expect(core.plugins.discover('rss', true)).rejects.toThrow(/not an RSS or Atom feed|not XML/);
  });
});
