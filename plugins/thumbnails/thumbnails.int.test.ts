import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ProgressEvent } from '../../electron/core/plugins/runtime';
import { ffmpeg, ffprobe, homeFiles, processorHarness, sha256, snapshot } from '../../electron/testing/processorHarness';

// ThumbnailsPlugin in a real Core, on files ffmpeg makes here: a video whose first frames are
// black, an audio file with cover art and one without.

const harness = processorHarness('thumbnails');
const { itemFor, start } = harness;
afterEach(() => harness.cores.disposeAll());
afterAll(() => harness.cleanup());

let media: string;
let video: string;
let song: string;
let coverSong: string;

beforeAll(() => {
  media = harness.tempDir('haven-thumbnails-media-');
  video = path.join(media, 'clip with: odd name.mp4');
  song = path.join(media, 'song.m4a');
  coverSong = path.join(media, 'cover.mp3');
  // 20 s of test pattern (its first 1.5 s black) with a tone.
  ffmpeg(
    '-f', 'lavfi', '-i', "testsrc=size=640x360:rate=25:duration=20,drawbox=x=0:y=0:w=iw:h=ih:color=black:t=fill:enable='lt(t,1.5)'",
    '-f', 'lavfi', '-i', 'sine=frequency=440:duration=20:sample_rate=48000',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', video,
  );
  ffmpeg('-f', 'lavfi', '-i', 'sine=frequency=440:duration=3', '-c:a', 'aac', song);
  ffmpeg(
    '-f', 'lavfi', '-i', 'sine=frequency=440:duration=3', '-f', 'lavfi', '-i', 'color=c=red:s=600x600:d=1',
    '-map', '0:a', '-map', '1:v', '-c:a', 'libmp3lame', '-c:v', 'png', '-frames:v', '1', '-disposition:v:0', 'attached_pic', coverSong,
  );
});

function probe(file: string): { streams: { codec_name: string; codec_type: string; width?: number; height?: number }[] } {
  return ffprobe(file);
}

/** Mean luma (0..255) of a picture. */
function meanLuma(file: string): number {
  const out = execFileSync('ffmpeg', ['-v', 'error', '-nostdin', '-i', file, '-vf', 'signalstats,metadata=print:key=lavfi.signalstats.YAVG:file=-', '-f', 'null', '-']).toString();
  return Number(/YAVG=([\d.]+)/.exec(out)![1]);
}

describe('ThumbnailsPlugin', () => {
  it('passes its health check (ffmpeg and ffprobe found)', async () => {
    const { core } = await start();
    const [report] = await core.plugins.health(['thumbnails']);
    expect(report!.result.status, report!.result.output).toBe('pass');
    expect(report!.result.output).toMatch(/ffmpeg/);
  });

  it('makes a 320 px JPEG thumbnail past the black start and a 10-frame strip, in derivedDir only, leaving the original alone', async () => {
    const { core, home } = await start();
    const item = itemFor(video, 'video/mp4', { duration: 20 });
    const before = sha256(video);
    const mediaBefore = snapshot(media);
    const homeBefore = homeFiles(home);
    const progress: ProgressEvent[] = [];
    core.plugins.onProgress((event) => progress.push(event));

    const result = await core.plugins.process('thumbnails', item, 'job-thumb-1');

    expect(result.skipped).toBeUndefined();
    expect(result.derived.map((d) => [d.kind, d.mime, path.relative(item.derivedDir, d.path)])).toEqual([
      ['thumbnail', 'image/jpeg', 'thumbnail.jpg'],
      ['preview', 'image/jpeg', 'preview.jpg'],
    ]);
    expect(result.derived.map((d) => d.label)).toEqual(['Thumbnail (320 px)', 'Preview strip (10 frames)']);
    expect(result.metadata).toMatchObject({ thumbnail_seconds: 2, width: 320 });

    const thumbnail = path.join(item.derivedDir, 'thumbnail.jpg');
    expect(fs.readFileSync(thumbnail).subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    expect(probe(thumbnail).streams).toMatchObject([{ codec_name: 'mjpeg', codec_type: 'video', width: 320, height: 180 }]);
    // Not one of the black first frames.
    expect(meanLuma(thumbnail)).toBeGreaterThan(60);
    const preview = path.join(item.derivedDir, 'preview.jpg');
    expect(probe(preview).streams).toMatchObject([{ codec_name: 'mjpeg', width: 1600, height: 90 }]);

    // Only the two files, no .part left; the original and its folder untouched.
    expect(fs.readdirSync(item.derivedDir).sort()).toEqual(['preview.jpg', 'thumbnail.jpg']);
    expect(sha256(video)).toBe(before);
    expect(snapshot(media)).toEqual(mediaBefore);
    // Nothing written in Haven's home by the plugin (its data folder stays as it was).
    const homeAfter = homeFiles(home);
    expect(homeAfter).toEqual(homeBefore);

    const phases = progress.filter((event) => event.jobId === 'job-thumb-1').map((event) => event.update.phase);
    expect(phases).toContain('done');
  });

  it('follows its configuration: another width, no strip', async () => {
    const { core } = await start({ width: 480, preview_frames: 0 });
    const item = itemFor(video, 'video/mp4');
    const result = await core.plugins.process('thumbnails', item, 'job-thumb-2');
    expect(result.derived.map((d) => d.kind)).toEqual(['thumbnail']);
    expect(probe(result.derived[0]!.path).streams[0]).toMatchObject({ width: 480, height: 270 });
    expect(fs.readdirSync(item.derivedDir)).toEqual(['thumbnail.jpg']);
  });

  it('skips an audio file without cover art, with the reason, writing nothing', async () => {
    const { core } = await start();
    const item = itemFor(song, 'audio/mp4');
    const before = sha256(song);
    const result = await core.plugins.process('thumbnails', item, 'job-thumb-3');
    expect(result.derived).toEqual([]);
    expect(result.skipped).toMatch(/audio only/);
    expect(fs.readdirSync(item.derivedDir)).toEqual([]);
    expect(sha256(song)).toBe(before);
  });

  it("makes an audio file's thumbnail from its cover art", async () => {
    const { core } = await start();
    const item = itemFor(coverSong, 'audio/mpeg');
    const result = await core.plugins.process('thumbnails', item, 'job-thumb-4');
    expect(result.derived).toMatchObject([{ kind: 'thumbnail', mime: 'image/jpeg', label: 'Cover art (320 px)' }]);
    expect(probe(result.derived[0]!.path).streams[0]).toMatchObject({ codec_name: 'mjpeg', width: 320, height: 320 });
    expect(fs.readdirSync(item.derivedDir)).toEqual(['thumbnail.jpg']);
  });

  it('fails with the reason on a file that is not media', async () => {
    const { core } = await start();
    const broken = path.join(media, 'broken.mp4');
    fs.writeFileSync(broken, 'not a video');
    const item = itemFor(broken, 'video/mp4');
    await expect(core.plugins.process('thumbnails', item, 'job-thumb-5')).rejects.toThrow(/ffprobe failed|not media/);
    expect(fs.readdirSync(item.derivedDir)).toEqual([]);
    fs.rmSync(broken);
  });
});
