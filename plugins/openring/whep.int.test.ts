import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RecordingManifest } from '../../shared/sdk/recording';
import type { Core } from '../../electron/core/core';
import { REPO_ROOT, tempHome } from '../../electron/testing/fixtures';
import { pluginCores } from '../../electron/testing/pluginCores';
import { startWhepServer, type WhepServer } from './testing/whepServer';

// OpenRingPlugin as a WHEP client against a WHEP server on 127.0.0.1 built with the same WebRTC
// stack (werift), which sends VP8 video and Opus sound made by ffmpeg. ICE on loopback only.

let whep: WhepServer;
beforeAll(async () => {
  whep = await startWhepServer();
});
afterAll(async () => {
  await whep?.close();
});

const cores = pluginCores([path.join(REPO_ROOT, 'plugins')], { runJobs: true, retryPolicy: { baseMs: 100, maxMs: 300, jitter: 0 } });
afterEach(() => cores.disposeAll());

async function start(config: Record<string, unknown>): Promise<Core> {
  const core = await cores.start(tempHome());
  const set = await core.plugins.setConfig('openring', { segment_duration: 10, watchdog_timeout: 10, reconnect_window: 20, ...config }, false);
  expect(set.ok, JSON.stringify(set)).toBe(true);
  return core;
}

function record(core: Core, uri: string, seconds: number) {
  return core.jobs.enqueueArchive('OpenRingPlugin', { sourceId: `test:${uri}:${Date.now()}`, mediaType: 'video', uri, metadata: { durationSeconds: seconds } }, { kind: 'record', reason: 'test' });
}

/** Each stream's codec and total length over the segments. */
function streamTotals(dir: string, files: string[]): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const file of files) {
    const probe = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type,codec_name:format=duration', '-of', 'json', path.join(dir, file)]).toString()) as { streams: { codec_type: string; codec_name: string }[]; format: { duration: string } };
    for (const stream of probe.streams) totals[`${stream.codec_type}:${stream.codec_name}`] = (totals[`${stream.codec_type}:${stream.codec_name}`] ?? 0) + Number(probe.format.duration);
  }
  return totals;
}

describe('OpenRingPlugin capturing WebRTC (WHEP)', () => {
  it('records 20 s of VP8 video and Opus sound as sent, into WebM segments', { timeout: 90_000 }, async () => {
    const core = await start({});
    const done = await core.jobs.waitFor(record(core, `whep://127.0.0.1:${new URL(whep.url).port}/whep`, 20).id);
    expect(done.state, done.error).toBe('completed');
    const manifest = RecordingManifest.parse(JSON.parse(fs.readFileSync(path.join(done.outputPath!, 'recording.json'), 'utf8')));
    const files = manifest.parts.flatMap((p) => p.segments.map((s) => s.file));
    expect(files.every((f) => f.endsWith('.webm'))).toBe(true);
    const totals = streamTotals(done.outputPath!, files);
    expect(Object.keys(totals).sort()).toEqual(['audio:opus', 'video:vp8']);
    expect(Math.abs(totals['video:vp8']! - totals['audio:opus']!)).toBeLessThan(1);
    expect(Math.abs(totals['video:vp8']! - 20)).toBeLessThan(1.5);
  });

  it('records sound only when record_video is off', { timeout: 90_000 }, async () => {
    const core = await start({ record_video: false });
    const done = await core.jobs.waitFor(record(core, `${whep.url}/whep`, 6).id);
    expect(done.state, done.error).toBe('completed');
    const manifest = RecordingManifest.parse(JSON.parse(fs.readFileSync(path.join(done.outputPath!, 'recording.json'), 'utf8')));
    expect(Object.keys(streamTotals(done.outputPath!, manifest.parts.flatMap((p) => p.segments.map((s) => s.file))))).toEqual(['audio:opus']);
  });

  it('classifies a refusal (403, not retried), a server error (500, retried), an answer that is not SDP and an unreachable server, each on that capture only', { timeout: 60_000 }, async () => {
    const core = await start({});
    const refused = await core.jobs.waitFor(record(core, `whep://127.0.0.1:${new URL(whep.url).port}/whep-403`, 5).id);
    expect(refused).toMatchObject({ state: 'failed', errorClass: 'forbidden', error: expect.stringContaining('answered HTTP 403 (not for you)') });
    expect(refused.attempts).toBe(1);
    const broken = await core.jobs.waitFor(record(core, `whep://127.0.0.1:${new URL(whep.url).port}/whep-500`, 5).id);
    expect(broken).toMatchObject({ state: 'failed', error: expect.stringContaining('answered HTTP 500 (the encoder crashed)') });
    expect(broken.attempts).toBeGreaterThan(1);
    const garbage = await core.jobs.waitFor(record(core, `whep://127.0.0.1:${new URL(whep.url).port}/whep-garbage`, 5).id);
    expect(garbage).toMatchObject({ state: 'failed', error: expect.stringContaining('answered with something that is not SDP') });
    const unreachable = await core.jobs.waitFor(record(core, 'whep://127.0.0.1:9/whep', 5).id);
    expect(unreachable).toMatchObject({ state: 'failed', errorClass: 'network', error: expect.stringContaining('cannot reach 127.0.0.1:9') });
  });
});
