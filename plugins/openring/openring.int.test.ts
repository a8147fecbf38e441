import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RecordingManifest } from '../../shared/sdk/recording';
import type { Core } from '../../electron/core/core';
import { REPO_ROOT, tempHome, waitFor } from '../../electron/testing/fixtures';
import { pluginCores } from '../../electron/testing/pluginCores';

// OpenRingPlugin capturing RTSP on 127.0.0.1: Haven listens (ffmpeg's -rtsp_flags listen) and an
// ffmpeg started here pushes a camera-like stream to it: H.264 video and G.711 sound.

const cores = pluginCores([path.join(REPO_ROOT, 'plugins')], { runJobs: true, retryPolicy: { baseMs: 200, maxMs: 1000, jitter: 0 } });
const pushers: ChildProcess[] = [];
afterEach(async () => {
  for (const pusher of pushers.splice(0)) pusher.kill('SIGKILL');
  await cores.disposeAll();
});

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A camera pushing 12 s to `url` once Haven listens (it tries again while nobody does). */
async function pushCamera(url: string): Promise<void> {
  await waitFor(
    async () => {
      const pusher = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=600:sample_rate=8000', '-t', '12', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '25', '-c:a', 'pcm_mulaw', '-f', 'rtsp', '-rtsp_transport', 'tcp', url], { stdio: 'ignore' });
      pushers.push(pusher);
      const early = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), 1500);
        pusher.once('exit', () => {
          clearTimeout(timer);
          resolve(true);
        });
      });
      return early ? undefined : true;
    },
    20_000,
    'Haven to listen for the camera',
  );
}

async function capture(core: Core, url: string) {
  const job = core.jobs.enqueueArchive('OpenRingPlugin', { sourceId: `test:${url}`, mediaType: 'video', uri: url, metadata: { durationSeconds: 8 } }, { kind: 'record', reason: 'test' });
  return job;
}

function streamsOf(file: string): string[] {
  const { streams } = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_streams', '-of', 'json', file]).toString()) as { streams: { codec_type: string; codec_name: string }[] };
  return streams.map((s) => `${s.codec_type}:${s.codec_name}`).sort();
}

describe('OpenRingPlugin capturing RTSP', () => {
  it('records a camera that pushes to it: its video as sent, its G.711 sound as AAC', { timeout: 90_000 }, async () => {
    const core = await cores.start(tempHome());
    expect((await core.plugins.setConfig('openring', { segment_duration: 4, watchdog_timeout: 10, reconnect_window: 30 }, false)).ok).toBe(true);
    const url = `rtsp://127.0.0.1:${await freePort()}/cam#listen`;
    const job = await capture(core, url);
    await pushCamera(url.replace('#listen', ''));
    const done = await core.jobs.waitFor(job.id);
    expect(done.state, done.error).toBe('completed');
    const manifest = RecordingManifest.parse(JSON.parse(fs.readFileSync(path.join(done.outputPath!, 'recording.json'), 'utf8')));
    expect(manifest.endedBy).toBe('duration');
    const segments = manifest.parts.flatMap((p) => p.segments);
    expect(segments.length).toBeGreaterThanOrEqual(2);
    for (const segment of segments) expect(streamsOf(path.join(done.outputPath!, segment.file))).toEqual(['audio:aac', 'video:h264']);
    expect(core.library.get(done.itemId!).duration).toBeGreaterThan(7);
    expect(core.library.get(done.itemId!).metadata).toMatchObject({
      transport: 'rtsp (listening)',
      endpoint: url.replace('#listen', ''),
      tracks: expect.arrayContaining([expect.objectContaining({ kind: 'video', codec: 'h264', width: 320, height: 240 }), expect.objectContaining({ kind: 'audio', codec: 'aac' })]),
    });
  });

  it('records sound only when record_video is off', { timeout: 90_000 }, async () => {
    const core = await cores.start(tempHome());
    expect((await core.plugins.setConfig('openring', { segment_duration: 4, watchdog_timeout: 10, reconnect_window: 30, record_video: false }, false)).ok).toBe(true);
    const url = `rtsp://127.0.0.1:${await freePort()}/door#listen`;
    const job = await capture(core, url);
    await pushCamera(url.replace('#listen', ''));
    const done = await core.jobs.waitFor(job.id);
    expect(done.state, done.error).toBe('completed');
    const manifest = RecordingManifest.parse(JSON.parse(fs.readFileSync(path.join(done.outputPath!, 'recording.json'), 'utf8')));
    for (const segment of manifest.parts.flatMap((p) => p.segments)) expect(streamsOf(path.join(done.outputPath!, segment.file))).toEqual(['audio:aac']);
  });

  it('records plain RTP described by an SDP file, as sent', { timeout: 60_000 }, async () => {
    const core = await cores.start(tempHome());
    expect((await core.plugins.setConfig('openring', { segment_duration: 4, watchdog_timeout: 10, reconnect_window: 30 }, false)).ok).toBe(true);
    const dir = tempHome('haven-rtp-');
    const sdp = path.join(dir, 'intercom.sdp');
    const port = 2 * Math.floor((await freePort()) / 2);
    // An intercom sending G.711 over RTP; ffmpeg writes the SDP that describes it.
    const sender = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'sine=frequency=700:sample_rate=8000', '-t', '20', '-c:a', 'pcm_mulaw', '-f', 'rtp', '-sdp_file', sdp, `rtp://127.0.0.1:${port}`], { stdio: 'ignore' });
    pushers.push(sender);
    await waitFor(() => (fs.existsSync(sdp) && fs.readFileSync(sdp, 'utf8').includes('m=audio') ? true : undefined), 10_000, 'the SDP file');
    const job = core.jobs.enqueueArchive('OpenRingPlugin', { sourceId: 'test:sdp', mediaType: 'audio', uri: `file://${sdp}`, metadata: { durationSeconds: 5 } }, { kind: 'record', reason: 'test' });
    const done = await core.jobs.waitFor(job.id);
    expect(done.state, done.error).toBe('completed');
    const manifest = RecordingManifest.parse(JSON.parse(fs.readFileSync(path.join(done.outputPath!, 'recording.json'), 'utf8')));
    const segments = manifest.parts.flatMap((p) => p.segments);
    expect(segments.every((s) => s.file.endsWith('.mkv'))).toBe(true);
    for (const segment of segments) expect(streamsOf(path.join(done.outputPath!, segment.file))).toEqual(['audio:pcm_mulaw']);
    expect(core.library.get(done.itemId!).duration).toBeGreaterThan(4);
  });

  it('refuses both kinds off, an SDP file that is not one, and an address it does not capture', async () => {
    const core = await cores.start(tempHome());
    const refused = await core.plugins.setConfig('openring', { record_audio: false, record_video: false }, false);
    expect(refused.ok).toBe(false);
    const notSdp = path.join(tempHome('haven-rtp-bad-'), 'broken.sdp');
    fs.writeFileSync(notSdp, '<html>not a session</html>');
    const bad = await core.jobs.waitFor(core.jobs.enqueueArchive('OpenRingPlugin', { sourceId: 'test:bad-sdp', mediaType: 'audio', uri: `file://${notSdp}`, metadata: {} }, { kind: 'record', reason: 'test' }).id);
    expect(bad).toMatchObject({ state: 'failed', errorClass: 'invalid_input', error: expect.stringContaining('is not an SDP file') });
    const other = await core.jobs.waitFor(core.jobs.enqueueArchive('OpenRingPlugin', { sourceId: 'test:http', mediaType: 'video', uri: 'https://cam.example/live.mp4', metadata: {} }, { kind: 'record', reason: 'test' }).id);
    expect(other).toMatchObject({ state: 'failed', error: expect.stringContaining('is not a WHEP address') });
  });

  it('finds the endpoints to record inside a record window, until it ends, and none outside', async () => {
    const core = await cores.start(tempHome());
    const hhmm = (date: Date) => `${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}`;
    const now = Date.now();
    const open = { start: hhmm(new Date(now - 60_000)), end: hhmm(new Date(now + 3 * 60_000)) };
    const endpoints = ['rtsp://127.0.0.1:8554/porch', 'sip:door@127.0.0.1'];
    expect((await core.plugins.setConfig('openring', { endpoints, schedule: [open] }, false)).ok).toBe(true);
    const inside = await core.plugins.discover('openring', true);
    expect(inside.sources.map((s) => s.uri)).toEqual(endpoints);
    for (const source of inside.sources) {
      expect(source.sourceId).toMatch(/@\d{4}-\d\d-\d\dT/);
      expect(source.metadata.durationSeconds).toBeGreaterThan(60);
      expect(source.metadata.durationSeconds).toBeLessThanOrEqual(240);
    }
    const closed = { start: hhmm(new Date(now + 2 * 3600_000)), end: hhmm(new Date(now + 3 * 3600_000)) };
    expect((await core.plugins.setConfig('openring', { endpoints, schedule: [closed] }, false)).ok).toBe(true);
    const outside = await core.plugins.discover('openring', true);
    expect(outside.sources).toEqual([]);
    expect(outside.skipped.map((s) => s.reason)).toEqual(['outside the record windows', 'outside the record windows']);
  });
});
