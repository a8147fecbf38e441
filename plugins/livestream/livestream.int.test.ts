import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { RecordingManifest } from '../../shared/sdk/recording';
import type { Core } from '../../electron/core/core';
import { REPO_ROOT, runHaven, tempHome, waitFor } from '../../electron/testing/fixtures';
import { startLiveHls, type LiveHls } from '../../electron/testing/liveHls';
import { pluginCores } from '../../electron/testing/pluginCores';

// LiveStreamPlugin against a live HLS stream that ffmpeg makes on 127.0.0.1 (a growing playlist,
// old segments deleted behind it), recorded by the recorder the SDK gives plugins.

let live: LiveHls;
beforeAll(async () => {
  live = await startLiveHls();
});
afterAll(async () => {
  await live?.close();
});

const cores = pluginCores([path.join(REPO_ROOT, 'plugins')], { runJobs: true, retryPolicy: { baseMs: 200, maxMs: 1000, jitter: 0 } });
afterEach(() => cores.disposeAll());

async function start(config: Record<string, unknown>, home = tempHome()): Promise<Core> {
  const core = await cores.start(home);
  const set = await core.plugins.setConfig('livestream', config, false);
  expect(set.ok, JSON.stringify(set)).toBe(true);
  return core;
}

let serial = 0;
const source = (uri: string) => ({ sourceId: `test:live:${++serial}`, mediaType: 'stream', uri, title: `Live ${serial}`, metadata: {} });

function probeSeconds(file: string): number {
  return Number(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'default=nw=1:nk=1', file]).toString().trim());
}

function streamsOf(file: string): string[] {
  const { streams } = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_streams', '-of', 'json', file]).toString()) as { streams: { codec_type: string }[] };
  return streams.map((stream) => stream.codec_type);
}

function manifestOf(dir: string) {
  return RecordingManifest.parse(JSON.parse(fs.readFileSync(path.join(dir, 'recording.json'), 'utf8')));
}

describe('LiveStreamPlugin recording live HLS', () => {
  it('records 40 s into 10 s segments that play, with 1,000 chat messages in order beside them', { timeout: 120_000 }, async () => {
    const chat = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    const port = await new Promise<number>((resolve) => chat.on('listening', () => resolve((chat.address() as { port: number }).port)));
    // The emulator sends 1,000 messages, 10 ms apart, to whoever connects.
    chat.on('connection', (socket) => {
      let sent = 0;
      const timer = setInterval(() => {
        for (let i = 0; i < 5 && sent < 1000; i++, sent++) socket.send(JSON.stringify({ user: { name: `viewer${sent % 7}` }, message: `message ${sent}`, ts: Date.now() }));
        if (sent >= 1000) clearInterval(timer);
      }, 50);
      socket.on('close', () => clearInterval(timer));
    });
    try {
      const core = await start({ segment_duration: 10, watchdog_timeout: 10, max_duration: 40, remux_on_finish: false, chat_url: `ws://127.0.0.1:${port}` });
      const progress: { seconds: number; state: string }[] = [];
      core.jobs.onProgress((event) => event.progress.recording && progress.push(event.progress.recording));
      const job = core.jobs.enqueueArchive('LiveStreamPlugin', source(live.playlist), { kind: 'record', reason: 'test' });
      const done = await core.jobs.waitFor(job.id);
      expect(done.state, done.error).toBe('completed');
      const dir = done.outputPath!;
      const manifest = manifestOf(dir);
      expect(manifest).toMatchObject({ state: 'ended', endedBy: 'duration', reconnects: 0, gaps: [] });
      const segments = manifest.parts.flatMap((part) => part.segments);
      expect(segments.length).toBeGreaterThanOrEqual(4);
      // Each segment plays on its own (ffprobe reads it), and together they last what was recorded.
      const probed = segments.map((segment) => probeSeconds(path.join(dir, segment.file)));
      for (const segment of segments) expect(streamsOf(path.join(dir, segment.file)).sort()).toEqual(['audio', 'video']);
      const recorded = core.library.get(done.itemId!).duration!;
      expect(recorded).toBeGreaterThan(38);
      expect(Math.abs(probed.reduce((a, b) => a + b, 0) - recorded)).toBeLessThan(2);
      expect(progress.some((p) => p.state === 'live' && p.seconds > 5)).toBe(true);

      const lines = fs.readFileSync(path.join(dir, 'chat.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { t: number; author: string; text: string });
      expect(lines).toHaveLength(1000);
      expect(lines.map((l) => l.text)).toEqual(Array.from({ length: 1000 }, (_, i) => `message ${i}`));
      expect(lines[3]).toMatchObject({ author: 'viewer3' });
      // On the recording's clock: from its start, never backwards, within what was recorded.
      for (let i = 1; i < lines.length; i++) expect(lines[i]!.t).toBeGreaterThanOrEqual(lines[i - 1]!.t);
      expect(lines[0]!.t).toBeGreaterThanOrEqual(0);
      expect(lines.at(-1)!.t).toBeLessThan(recorded + 5);
      expect(manifest.chat).toEqual({ file: 'chat.jsonl', messages: 1000 });
      // The chat is searchable in the library.
      expect(core.library.search({ text: 'viewer5', limit: 10, offset: 0 }).items.map((item) => item.id)).toEqual([done.itemId]);
    } finally {
      await new Promise<void>((resolve) => chat.close(() => resolve()));
    }
  });

  it('reconnects when the source stops for 15 s and comes back, recording the gap, as part 2', { timeout: 150_000 }, async () => {
    const core = await start({ segment_duration: 4, watchdog_timeout: 4, reconnect_window: 90, max_duration: 24, remux_on_finish: false });
    const job = core.jobs.enqueueArchive('LiveStreamPlugin', source(live.playlist), { kind: 'record', reason: 'test' });
    await waitFor(() => (core.jobs.get(job.id).progress?.recording?.seconds ?? 0) > 8 || undefined, 40_000, '8 s recorded');
    await live.stop();
    await waitFor(() => (core.jobs.get(job.id).progress?.recording?.state === 'reconnecting' ? true : undefined), 30_000, 'the recorder to notice');
    await new Promise((resolve) => setTimeout(resolve, 15_000));
    await live.start();
    const done = await core.jobs.waitFor(job.id);
    expect(done.state, done.error).toBe('completed');
    const manifest = manifestOf(done.outputPath!);
    expect(manifest.parts.length).toBeGreaterThanOrEqual(2);
    expect(manifest.reconnects).toBeGreaterThanOrEqual(1);
    expect(manifest.gaps[0]).toMatchObject({ afterPart: 1, reason: 'stalled' });
    expect(manifest.gaps[0]!.seconds).toBeGreaterThan(10);
    for (const part of manifest.parts) for (const segment of part.segments) expect(probeSeconds(path.join(done.outputPath!, segment.file))).toBeGreaterThan(0);
  });

  it('keeps what was recorded when its process is killed -9, and goes on as a new part', { timeout: 150_000 }, async () => {
    const core = await start({ segment_duration: 4, watchdog_timeout: 10, max_duration: 20, remux_on_finish: false });
    const job = core.jobs.enqueueArchive('LiveStreamPlugin', source(live.playlist), { kind: 'record', reason: 'test' });
    await waitFor(() => (core.jobs.get(job.id).progress?.recording?.segments ?? 0) >= 2 || undefined, 40_000, 'two finished segments');
    const pid = core.plugins.info('livestream').pid!;
    process.kill(pid, 'SIGKILL');
    const done = await core.jobs.waitFor(job.id);
    expect(done.state, done.error).toBe('completed');
    const manifest = manifestOf(done.outputPath!);
    expect(manifest.parts[0]).toMatchObject({ part: 1, endReason: 'interrupted (Haven stopped)' });
    expect(manifest.parts.length).toBeGreaterThanOrEqual(2);
    // Everything written before the kill plays, and is part of the library item.
    for (const segment of manifest.parts[0]!.segments) expect(probeSeconds(path.join(done.outputPath!, segment.file))).toBeGreaterThan(0);
    const item = core.library.get(done.itemId!);
    expect(item.outputPath).toBe(done.outputPath);
    expect(item.duration).toBeGreaterThan(18);
    // No ffmpeg of the first run is left writing into the folder.
    const names = fs.readdirSync(done.outputPath!);
    expect(names).not.toContain('ffmpeg.pid');
  });
});

describe('haven archive with LiveStreamPlugin', () => {
  it('records a live playlist for --duration 30 and exits 0 with one joined MP4', { timeout: 120_000 }, async () => {
    const home = tempHome();
    const result = await runHaven(['archive', live.playlist, '--duration', '30'], { HAVEN_HOME: home, HAVEN_BUILTIN_PLUGINS: path.join(REPO_ROOT, 'plugins') }, 110_000);
    expect(result.code, result.stderr).toBe(0);
    const saved = /saved (.+)$/m.exec(result.stdout)?.[1];
    expect(saved).toBeDefined();
    const dir = saved!.replace(/ \(.*\)$/, '');
    const manifest = manifestOf(dir);
    expect(manifest).toMatchObject({ endedBy: 'duration', remuxed: 'recording.mp4' });
    expect(Math.abs(probeSeconds(path.join(dir, 'recording.mp4')) - 30)).toBeLessThan(2);
    expect(streamsOf(path.join(dir, 'recording.mp4')).sort()).toEqual(['audio', 'video']);
    // Once the joined file is checked, the segments are gone; the manifest still lists them.
    expect(fs.readdirSync(dir).filter((name) => name.endsWith('.ts'))).toEqual([]);
  });
});
