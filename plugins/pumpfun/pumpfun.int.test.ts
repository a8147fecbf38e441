import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RecordingManifest } from '../../shared/sdk/recording';
import type { JobHandle, ProgressUpdate } from '../../shared/sdk/types';
import { newRecordingFolder, startFrameRecording, startRecording } from '../../electron/core/plugins/host/recorder/recorder';
import { REPO_ROOT, tempHome } from '../../electron/testing/fixtures';
import { pluginCores } from '../../electron/testing/pluginCores';
import { recorderDeps } from '../../electron/testing/recorderDeps';
import { PumpFunApi } from './src/api';
import { followChat } from './src/chat';
import type { RoomHandlers, RoomJoiner } from './src/livekit';
import { recordPumpStream } from './src/record';
import { startPumpEmulator, type PumpEmulator } from './testing/emulator';

// PumpFunPlugin against an emulator of pump.fun's API and chat on 127.0.0.1 (no pump.fun, no
// LiveKit server can be reached here). The LiveKit room is the one thing faked: a RoomJoiner that
// sends synthetic frames, used only in this file; the recorder and ffmpeg that encode them are real.

const LIVE = '7GCihgDB8fe6KNjn2MYtkzZcRjQy3t9GHdC8uHYmW2hr';
const OFFLINE = '9BB6NFEcjBCtnNLFko2FqVQBq8HHM13kCyYcdQbgpump';

let emulator: PumpEmulator;
beforeAll(async () => {
  emulator = await startPumpEmulator();
});
afterAll(async () => {
  await emulator?.close();
});

const cores = pluginCores([path.join(REPO_ROOT, 'plugins')], { runJobs: false });
afterEach(() => cores.disposeAll());

describe('PumpFunPlugin with the pump.fun API', () => {
  it("lists the listed streams that are live, skips the others, and shows what's live", async () => {
    emulator.setLive(LIVE, true, { name: 'Live Coin', symbol: 'LIVE', viewers: 42 });
    emulator.setLive('5WN8mHh4R3kQ4gZ9dQbP8zV1eY6uT2sX7cA3fJ9kLpump', true, { name: 'Other', symbol: 'OTH', viewers: 3 });
    const core = await cores.start();
    const set = await core.plugins.setConfig('pumpfun', { stream_ids: [LIVE, OFFLINE], api_base_url: emulator.url, livestream_api_base_url: emulator.url }, false);
    expect(set.ok, JSON.stringify(set)).toBe(true);
    const found = await core.plugins.discover('pumpfun', true);
    expect(found.sources).toEqual([expect.objectContaining({ sourceId: expect.stringMatching(new RegExp(`^${LIVE}@\\d{4}-`)), uri: `https://pump.fun/coin/${LIVE}`, title: 'Live Coin (pump.fun live)', metadata: expect.objectContaining({ mint: LIVE, symbol: 'LIVE', viewers: 42 }) })]);
    expect(found.skipped).toEqual([expect.objectContaining({ reason: 'not live now', source: expect.objectContaining({ sourceId: `${OFFLINE}@offline` }) })]);
    // The same live session is the same source: discovering again records it once.
    expect((await core.plugins.discover('pumpfun', true)).sources[0]!.sourceId).toBe(found.sources[0]!.sourceId);
    const rows = await core.plugins.viewRows('pumpfun', 'live');
    expect(rows.map((row) => [row.cells.symbol, row.cells.viewers, row.cells.listed])).toEqual([
      ['LIVE', 42, 'yes'],
      ['OTH', 3, ''],
    ]);
    const health = (await core.plugins.health(['pumpfun']))[0]!.result;
    expect(health).toMatchObject({ status: 'pass', output: expect.stringContaining("records pump.fun streams through LiveKit (its SDK loads)") });
  });

  it('refuses a stream that is not live, and a join pump.fun refuses, each with a clear error', async () => {
    const api = new PumpFunApi(async (url, init) => (await fetch(url, init)) as never, { api: emulator.url, livestream: emulator.url });
    await expect(recordPumpStream({ api, joiner: unusedJoiner(), recorder: unusedRecorder(), logger: quietLogger }, { mint: OFFLINE, dir: tempHome(), segmentSeconds: 4, maxSeconds: 0, livekitUrl: 'ws://127.0.0.1:1', job: job() })).rejects.toThrow(`the pump.fun stream of ${OFFLINE} is not live now`);
    await expect(api.join(OFFLINE)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const notJson = new PumpFunApi(async () => new Response('<html>', { status: 200 }) as never, { api: emulator.url, livestream: emulator.url });
    await expect(notJson.live()).rejects.toThrow('something that is not JSON');
  });
});

describe('PumpFunPlugin recording', () => {
  it('records the frames of the stream room with its chat, and ends when the stream ends', { timeout: 90_000 }, async () => {
    emulator.setLive(LIVE, true, { name: 'Live Coin', symbol: 'LIVE' });
    const messages = Array.from({ length: 50 }, (_, i) => ({ username: `fan${i % 5}`, message: `gm ${i}` }));
    emulator.chatFor(LIVE, messages, 40);
    const dir = path.join(tempHome('haven-pump-rec-'), 'LIVE recording');
    const api = new PumpFunApi(async (url, init) => (await fetch(url, init)) as never, { api: emulator.url, livestream: emulator.url });
    const joins: { url: string; token: string }[] = [];
    const joiner = syntheticJoiner(8000, joins, () => emulator.setLive(LIVE, false));
    const deps = recorderDeps();
    const progress: ProgressUpdate[] = [];
    const result = await recordPumpStream(
      {
        api,
        joiner,
        recorder: { start: (options) => startRecording(deps, options), startFrames: (options) => startFrameRecording(deps, options), startRtp: () => fail(), newFolder: newRecordingFolder },
        logger: quietLogger,
        chat: (mint, onMessage) => followChat(emulator.chatUrl, mint, onMessage, () => undefined),
      },
      { mint: LIVE, dir, segmentSeconds: 4, maxSeconds: 0, livekitUrl: 'ws://127.0.0.1:7880', job: job(progress), rejoinWindowSeconds: 10 },
    );
    expect(joins).toEqual([{ url: 'ws://127.0.0.1:7880', token: `viewer-token-for-${LIVE}` }]);
    const manifest = RecordingManifest.parse(JSON.parse(fs.readFileSync(path.join(dir, 'recording.json'), 'utf8')));
    expect(manifest).toMatchObject({ state: 'ended', endedBy: 'stream-ended', input: `pump.fun ${LIVE}` });
    const segments = manifest.parts.flatMap((part) => part.segments);
    expect(segments.length).toBeGreaterThanOrEqual(2);
    let total = 0;
    for (const segment of segments) {
      const probe = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', path.join(dir, segment.file)]).toString()) as { streams: { codec_type: string; codec_name: string; width?: number }[]; format: { duration: string } };
      expect(probe.streams.map((s) => `${s.codec_type}:${s.codec_name}`).sort()).toEqual(['audio:aac', 'video:h264']);
      expect(probe.streams.find((s) => s.codec_type === 'video')?.width).toBe(320);
      total += Number(probe.format.duration);
    }
    // 8 s of frames were sent; what was recorded lasts as long (the first frames set the formats).
    expect(total).toBeGreaterThan(5);
    expect(total).toBeLessThan(9.5);
    expect(Math.abs(total - result.seconds)).toBeLessThan(1);
    expect(progress.some((p) => p.recording?.state === 'live')).toBe(true);
    const chat = fs.readFileSync(path.join(dir, 'chat.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { author: string; text: string });
    expect(chat.map((line) => line.text)).toEqual(messages.map((m) => m.message));
    expect(chat[7]).toMatchObject({ author: 'fan2' });
  });
});

const fail = (): never => {
  throw new Error('not expected');
};

const quietLogger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

function job(progress: ProgressUpdate[] = []): JobHandle {
  return { id: `job-${Date.now()}`, signal: new AbortController().signal, progress: (update) => progress.push(update) };
}

function unusedJoiner(): RoomJoiner {
  return { join: () => Promise.reject(new Error('not expected to join')) };
}

function unusedRecorder() {
  const fail = (): never => {
    throw new Error('not expected to record');
  };
  return { start: fail, startFrames: fail, startRtp: fail, newFolder: fail };
}

/**
 * A room that sends a 320x240 moving test picture at 25 fps and a 440 Hz tone (48 kHz stereo,
 * 10 ms frames) for `ms`, then ends (as when the streamer stops).
 */
function syntheticJoiner(ms: number, joins: { url: string; token: string }[], onEnd: () => void): RoomJoiner {
  return {
    async join(url: string, token: string, handlers: RoomHandlers) {
      joins.push({ url, token });
      const width = 320;
      const height = 240;
      let frame = 0;
      let samples = 0;
      const started = Date.now();
      const video = setInterval(() => {
        const i420 = new Uint8Array((width * height * 3) / 2);
        const bar = (frame++ * 4) % width;
        for (let y = 0; y < height; y++) i420.fill(235, y * width + bar, y * width + Math.min(width, bar + 16));
        i420.fill(128, width * height);
        handlers.video({ track: 'TR_video', width, height, i420 });
      }, 40);
      const audio = setInterval(() => {
        const chunk = new Int16Array(480 * 2);
        for (let i = 0; i < 480; i++, samples++) chunk[2 * i] = chunk[2 * i + 1] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * samples) / 48_000));
        handlers.audio({ track: 'TR_audio', sampleRate: 48_000, channels: 2, samples: chunk });
      }, 10);
      const end = setTimeout(() => {
        clearInterval(video);
        clearInterval(audio);
        onEnd();
        handlers.ended(`the streamer stopped after ${Date.now() - started} ms`);
      }, ms);
      return {
        leave: async () => {
          clearInterval(video);
          clearInterval(audio);
          clearTimeout(end);
        },
      };
    },
  };
}
