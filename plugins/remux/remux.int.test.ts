import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../electron/core/core';
import type { ProgressEvent } from '../../electron/core/plugins/runtime';
import { ffmpeg, ffprobe, homeFiles, processorHarness, sha256, snapshot } from '../../electron/testing/processorHarness';

// RemuxPlugin in one real Core, on short clips ffmpeg makes here: an H.264/AAC MP4 with a
// mov_text subtitle, a VP8/Vorbis WebM (which does not fit MP4) and a FLAC tone.

const harness = processorHarness('remux');
const { itemFor } = harness;

let media: string;
let clip: string;
let webm: string;
let tone: string;
let core: Core;
let home: string;
const progress: ProgressEvent[] = [];

beforeAll(async () => {
  media = harness.tempDir('haven-remux-media-');
  clip = path.join(media, 'clip: with odd name.mp4');
  webm = path.join(media, 'old.webm');
  tone = path.join(media, 'tone.flac');
  const srt = path.join(media, 'make.srt');
  fs.writeFileSync(srt, '1\n00:00:00,200 --> 00:00:01,000\nHello from Haven\n\n2\n00:00:01,100 --> 00:00:01,900\nSecond cue\n');
  const video = ['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25:duration=2', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=2:sample_rate=48000'];
  ffmpeg(...video, '-i', srt, '-map', '0', '-map', '1', '-map', '2', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-c:s', 'mov_text', '-metadata:s:s:0', 'language=eng', clip);
  ffmpeg(...video, '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '300k', '-c:a', 'libvorbis', webm);
  ffmpeg('-f', 'lavfi', '-i', 'sine=frequency=330:duration=3:sample_rate=44100', '-c:a', 'flac', tone);
  fs.rmSync(srt);
  ({ core, home } = await harness.start());
  core.plugins.onProgress((event) => progress.push(event));
});

afterAll(() => harness.cleanup());

interface Probe {
  format: { format_name: string; duration: string };
  streams: { codec_name: string; codec_type: string }[];
}
const probe = (file: string): Probe => ffprobe(file, '-show_format');
const codecs = (file: string): string[] => probe(file).streams.map((stream) => `${stream.codec_type}:${stream.codec_name}`);

async function remux(preset: string, file: string, mime: string, speed = 'fastest') {
  const set = await core.plugins.setConfig('remux', { preset, speed }, false);
  expect(set.ok, JSON.stringify(set)).toBe(true);
  const item = itemFor(file, mime);
  const before = { original: sha256(file), media: snapshot(media), home: homeFiles(home) };
  const jobId = `job-${preset}-${item.id}`;
  const result = await core.plugins.process('remux', item, jobId);
  // The original, its folder and Haven's home are as they were; nothing but the result in derivedDir.
  expect(sha256(file)).toBe(before.original);
  expect(snapshot(media)).toEqual(before.media);
  expect(homeFiles(home)).toEqual(before.home);
  expect(fs.readdirSync(item.derivedDir)).toEqual(result.derived.map((d) => path.basename(d.path)));
  for (const derived of result.derived) expect(path.dirname(derived.path)).toBe(item.derivedDir);
  return { item, result, jobId };
}

function expectDuration(file: string, seconds: number): void {
  expect(Math.abs(Number(probe(file).format.duration) - seconds)).toBeLessThanOrEqual(0.5);
}

describe('RemuxPlugin', () => {
  it('passes its health check (ffmpeg, ffprobe and the encoders found)', async () => {
    const [report] = await core.plugins.health(['remux']);
    expect(report!.result.status, report!.result.output).toBe('pass');
    expect(report!.result.output).toMatch(/ffmpeg/);
  });

  it('mp4-copy copies H.264/AAC and the mov_text subtitle into an MP4, reporting progress', async () => {
    const { result, jobId } = await remux('mp4-copy', clip, 'video/mp4', 'balanced');
    expect(result.skipped).toBeUndefined();
    expect(result.derived).toMatchObject([{ kind: 'video', mime: 'video/mp4', label: 'MP4 (H.264/AAC, streams copied)' }]);
    const out = result.derived[0]!.path;
    expect(path.basename(out)).toBe('clip_ with odd name.mp4');
    expect(probe(out).format.format_name).toMatch(/mp4/);
    expect(codecs(out)).toEqual(['video:h264', 'audio:aac', 'subtitle:mov_text']);
    expectDuration(out, 2);
    expect(result.metadata).toMatchObject({ preset: 'mp4-copy' });
    const updates = progress.filter((event) => event.jobId === jobId).map((event) => event.update);
    expect(updates.map((update) => update.phase)).toContain('done');
  });

  it('mp4-copy falls back to H.264/AAC when the codecs do not fit MP4, and says so', async () => {
    const { result } = await remux('mp4-copy', webm, 'video/webm');
    expect(result.derived).toHaveLength(1);
    expect(result.derived[0]!.label).toBe('MP4 (H.264/AAC, re-encoded: VP8 video and Vorbis audio do not fit MP4)');
    const out = result.derived[0]!.path;
    expect(path.basename(out)).toBe('old.mp4');
    expect(codecs(out)).toEqual(['video:h264', 'audio:aac']);
    expectDuration(out, 2);
    expect(result.metadata).toMatchObject({ preset: 'mp4-h264', requested_preset: 'mp4-copy', fallback_reason: 'VP8 video and Vorbis audio do not fit MP4' });
  });

  it('webm-vp9 makes VP9/Opus with the subtitle as WebVTT', async () => {
    const { result } = await remux('webm-vp9', clip, 'video/mp4');
    expect(result.derived).toMatchObject([{ kind: 'video', mime: 'video/webm', label: 'WebM (VP9/Opus)' }]);
    const out = result.derived[0]!.path;
    expect(probe(out).format.format_name).toMatch(/webm/);
    expect(codecs(out)).toEqual(['video:vp9', 'audio:opus', 'subtitle:webvtt']);
    expectDuration(out, 2);
  });

  it('mkv-copy copies into Matroska, turning mov_text into SubRip', async () => {
    const { result } = await remux('mkv-copy', clip, 'video/mp4');
    expect(result.derived).toMatchObject([{ kind: 'video', mime: 'video/x-matroska', label: 'MKV (streams copied)' }]);
    const out = result.derived[0]!.path;
    expect(probe(out).format.format_name).toMatch(/matroska/);
    expect(codecs(out)).toEqual(['video:h264', 'audio:aac', 'subtitle:subrip']);
    expectDuration(out, 2);
  });

  it('audio-m4a and audio-opus encode an audio item', async () => {
    const m4a = (await remux('audio-m4a', tone, 'audio/flac')).result;
    expect(m4a.derived).toMatchObject([{ kind: 'audio', mime: 'audio/mp4', label: 'M4A (AAC 192k)' }]);
    expect(path.basename(m4a.derived[0]!.path)).toBe('tone.m4a');
    expect(codecs(m4a.derived[0]!.path)).toEqual(['audio:aac']);
    expectDuration(m4a.derived[0]!.path, 3);

    const opus = (await remux('audio-opus', tone, 'audio/flac')).result;
    expect(opus.derived).toMatchObject([{ kind: 'audio', mime: 'audio/ogg', label: 'Opus (128k)' }]);
    expect(probe(opus.derived[0]!.path).format.format_name).toBe('ogg');
    expect(codecs(opus.derived[0]!.path)).toEqual(['audio:opus']);
    expectDuration(opus.derived[0]!.path, 3);
  });

  it('skips a video preset on an audio item, writing nothing, and extracts the sound of a video with an audio preset', async () => {
    const video = (await remux('mp4-h264', tone, 'audio/flac')).result;
    expect(video.derived).toEqual([]);
    expect(video.skipped).toMatch(/audio only/);
    const audio = (await remux('audio-opus', clip, 'video/mp4')).result;
    expect(audio.derived).toHaveLength(1);
    expect(audio.derived[0]!.label).toMatch(/extracted from the video/);
    expect(codecs(audio.derived[0]!.path)).toEqual(['audio:opus']);
  });

  it('stops ffmpeg when the job is cancelled, leaving no .part', async () => {
    const long = path.join(media, 'long.mp4');
    ffmpeg('-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25:duration=60', '-c:v', 'libx264', '-preset', 'ultrafast', long);
    await core.plugins.setConfig('remux', { preset: 'webm-vp9', speed: 'balanced' }, false);
    const item = itemFor(long, 'video/mp4');
    const running = core.plugins.process('remux', item, 'job-cancel');
    const started = Date.now();
    while (!progress.some((event) => event.jobId === 'job-cancel' && event.update.phase === 'encoding' && (event.update.percent ?? 0) > 0) && Date.now() - started < 10_000) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // Progress is a percentage of the duration, from ffmpeg's out_time.
    expect(progress.some((event) => event.jobId === 'job-cancel' && (event.update.percent ?? 0) > 0 && (event.update.percent ?? 0) < 100)).toBe(true);
    expect(await core.plugins.cancel('remux', 'job-cancel')).toBe(true);
    await expect(running).rejects.toThrow(/cancel/i);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(fs.readdirSync(item.derivedDir)).toEqual([]);
    fs.rmSync(long);
  });

  it('fails with the reason on a file that is not media', async () => {
    const broken = path.join(harness.tempDir('haven-remux-broken-'), 'broken.mp4');
    fs.writeFileSync(broken, 'not a video');
    await core.plugins.setConfig('remux', { preset: 'mp4-copy' }, false);
    const item = itemFor(broken, 'video/mp4');
    await expect(core.plugins.process('remux', item, 'job-broken')).rejects.toThrow(/ffprobe failed|not media/);
    expect(fs.readdirSync(item.derivedDir)).toEqual([]);
  });
});
