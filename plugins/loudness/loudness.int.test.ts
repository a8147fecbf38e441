import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ProgressEvent } from '../../electron/core/plugins/runtime';
import { waitFor } from '../../electron/testing/fixtures';
import { ffmpeg, ffprobe, homeFiles, processorHarness, sha256, snapshot } from '../../electron/testing/processorHarness';

// LoudnessPlugin in a real Core, on files ffmpeg makes here; the result is measured again by a
// separate ffmpeg pass (the ebur128 filter, not loudnorm).

const harness = processorHarness('loudness');
const { itemFor, start } = harness;
afterEach(() => harness.cores.disposeAll());
afterAll(() => harness.cleanup());

let media: string;
let video: string;
let quietSong: string;
let silentVideo: string;
let long: string;

beforeAll(() => {
  media = harness.tempDir('haven-loudness-media-');
  video = path.join(media, 'talk.mp4');
  quietSong = path.join(media, 'quiet song.flac');
  silentVideo = path.join(media, 'no sound.mp4');
  long = path.join(media, 'long.flac');
  // A 440 Hz tone at ffmpeg's default amplitude (about -21.8 LUFS), with a test pattern.
  ffmpeg(
    '-f', 'lavfi', '-i', 'testsrc=size=320x180:rate=25:duration=12',
    '-f', 'lavfi', '-i', 'sine=frequency=440:duration=12:sample_rate=44100',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '128k', '-shortest', video,
  );
  // Two tones, stereo, about -34 LUFS: far from any target.
  ffmpeg('-f', 'lavfi', '-i', 'sine=frequency=220:duration=10:sample_rate=48000', '-f', 'lavfi', '-i', 'sine=frequency=330:duration=10:sample_rate=48000', '-filter_complex', '[0][1]amerge=inputs=2,volume=0.25', '-c:a', 'flac', quietSong);
  ffmpeg('-f', 'lavfi', '-i', 'testsrc=size=320x180:rate=25:duration=3', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', silentVideo);
  // Ten minutes of tone: long enough to cancel in the middle of a pass.
  ffmpeg('-f', 'lavfi', '-i', 'sine=frequency=440:duration=600:sample_rate=48000', '-c:a', 'flac', long);
});

/** Integrated loudness (LUFS) by the ebur128 filter: a measurement independent of loudnorm. */
function loudnessOf(file: string): number {
  const result = spawnSync('ffmpeg', ['-hide_banner', '-nostdin', '-nostats', '-i', file, '-map', '0:a:0', '-af', 'ebur128', '-f', 'null', '-'], { encoding: 'utf8' });
  expect(result.status, result.stderr).toBe(0);
  const summary = result.stderr.slice(result.stderr.lastIndexOf('Summary:'));
  return Number(/I:\s+(-?[\d.]+) LUFS/.exec(summary)![1]);
}

function probe(file: string): { streams: { codec_name: string; codec_type: string; sample_rate?: string }[] } {
  return ffprobe(file);
}

/** Pids of running ffmpeg processes reading `file` (Linux: /proc). */
function ffmpegsReading(file: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (path.basename(args[0] ?? '') === 'ffmpeg' && args.includes(`file:${file}`)) pids.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

describe('LoudnessPlugin', () => {
  it('passes its health check (ffmpeg with loudnorm, ffprobe)', async () => {
    const { core } = await start();
    const [report] = await core.plugins.health(['loudness']);
    expect(report!.result.status, report!.result.output).toBe('pass');
  });

  it("normalises a video's sound to -16 LUFS (two passes) into AAC 48 kHz, in derivedDir only", async () => {
    const { core, home } = await start();
    const item = itemFor(video, 'video/mp4', { duration: 12 });
    const before = sha256(video);
    const mediaBefore = snapshot(media);
    const homeBefore = homeFiles(home);
    const inputLoudness = loudnessOf(video);
    const progress: ProgressEvent[] = [];
    core.plugins.onProgress((event) => event.jobId === 'job-loud-1' && progress.push(event));

    const result = await core.plugins.process('loudness', item, 'job-loud-1');

    expect(result.skipped).toBeUndefined();
    expect(result.derived).toEqual([{ path: path.join(item.derivedDir, 'normalised.m4a'), kind: 'audio', mime: 'audio/mp4', label: 'Normalised to -16 LUFS' }]);
    const output = result.derived[0]!.path;
    expect(probe(output).streams).toMatchObject([{ codec_type: 'audio', codec_name: 'aac', sample_rate: '48000' }]);
    const outputLoudness = loudnessOf(output);
    expect(Math.abs(outputLoudness - -16)).toBeLessThanOrEqual(1);
    expect(result.metadata).toMatchObject({ target_i: -16, target_tp: -1.5, target_lra: 11, normalization_type: 'linear' });
    expect(Math.abs((result.metadata!.input_i as number) - inputLoudness)).toBeLessThan(0.5);
    expect(typeof result.metadata!.input_tp).toBe('number');
    expect(typeof result.metadata!.input_lra).toBe('number');

    expect(fs.readdirSync(item.derivedDir)).toEqual(['normalised.m4a']);
    expect(sha256(video)).toBe(before);
    expect(snapshot(media)).toEqual(mediaBefore);
    expect(homeFiles(home)).toEqual(homeBefore);
    const phases = progress.map((event) => event.update.phase);
    expect(phases).toContain('measuring');
    expect(phases).toContain('done');
  });

  it('follows its configuration: a quiet stereo file to -23 LUFS', async () => {
    const { core } = await start({ target_lufs: -23, true_peak: -2, lra: 7 });
    const item = itemFor(quietSong, 'audio/flac');
    const inputLoudness = loudnessOf(quietSong);
    const result = await core.plugins.process('loudness', item, 'job-loud-2');
    expect(result.derived).toMatchObject([{ kind: 'audio', label: 'Normalised to -23 LUFS' }]);
    const outputLoudness = loudnessOf(result.derived[0]!.path);
    expect(Math.abs(outputLoudness - -23)).toBeLessThanOrEqual(1);
    expect(result.metadata).toMatchObject({ target_i: -23, target_tp: -2, target_lra: 7, normalization_type: 'linear' });
    // The plugin measured the input as ffmpeg's ebur128 does, independently.
    expect(Math.abs((result.metadata!.input_i as number) - inputLoudness)).toBeLessThan(0.5);
  });

  it('skips a video without sound, with the reason', async () => {
    const { core } = await start();
    const item = itemFor(silentVideo, 'video/mp4');
    const result = await core.plugins.process('loudness', item, 'job-loud-3');
    expect(result).toMatchObject({ derived: [], skipped: 'the file has no audio stream' });
    expect(fs.readdirSync(item.derivedDir)).toEqual([]);
  });

  it('stops ffmpeg when the job is cancelled, leaving no .part behind', { timeout: 90_000 }, async () => {
    const { core } = await start();
    const item = itemFor(long, 'audio/flac', { duration: 600 });
    const before = sha256(long);
    let percent = 0;
    core.plugins.onProgress((event) => {
      if (event.jobId === 'job-loud-4' && event.update.phase === 'measuring') percent = event.update.percent ?? percent;
    });
    const running = core.plugins.process('loudness', item, 'job-loud-4');
    running.catch(() => undefined);
    await waitFor(() => (percent > 0 ? true : undefined), 30_000, 'the first pass to report progress');
    if (process.platform === 'linux') expect(ffmpegsReading(long)).toHaveLength(1);

    expect(await core.plugins.cancel('loudness', 'job-loud-4')).toBe(true);
    await expect(running).rejects.toThrow(/cancel/i);
    if (process.platform === 'linux') await waitFor(() => (ffmpegsReading(long).length === 0 ? true : undefined), 5000, 'ffmpeg to end');
    expect(percent).toBeLessThan(45);
    expect(fs.readdirSync(item.derivedDir)).toEqual([]);
    expect(sha256(long)).toBe(before);
    // The plugin still works after a cancel.
    const again = await core.plugins.process('loudness', itemFor(video, 'video/mp4'), 'job-loud-5');
    expect(again.derived).toHaveLength(1);
  });
});
