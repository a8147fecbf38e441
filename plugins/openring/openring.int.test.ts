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
    expect(core.library.get(done.itemId!).metadata).toMatchObject({ transport: 'rtsp (listening)', endpoint: url.replace('#listen', '') });
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

  it('refuses both kinds off, and says plainly that SIP is not built yet', async () => {
    const core = await cores.start(tempHome());
    const refused = await core.plugins.setConfig('openring', { record_audio: false, record_video: false }, false);
    expect(refused.ok).toBe(false);
    const job = core.jobs.enqueueArchive('OpenRingPlugin', { sourceId: 'test:sip', mediaType: 'audio', uri: 'sip:door@127.0.0.1', metadata: {} }, { kind: 'record', reason: 'test' });
    const done = await core.jobs.waitFor(job.id);
    expect(done).toMatchObject({ state: 'failed', errorClass: 'not_implemented', error: expect.stringContaining('SIP and plain RTP capture are not implemented yet; RTSP and WebRTC (WHEP) work') });
  });
});
