import { describe, expect, it } from 'vitest';
import { coverArgs, stripArgs, stripTimes, thumbnailArgs, thumbnailTime, THUMBNAIL_CANDIDATES } from './args';
import { configSchema } from './config';

describe('thumbnailTime', () => {
  it('takes 10 % of the duration', () => {
    expect(thumbnailTime(100)).toBe(10);
    expect(thumbnailTime(3600)).toBe(360);
    expect(thumbnailTime(12.345)).toBe(1.235);
  });

  it('stays half a second before the end and takes the start of tiny or unknown durations', () => {
    expect(thumbnailTime(1.2)).toBe(0.12);
    expect(thumbnailTime(0.8)).toBe(0);
    expect(thumbnailTime(1)).toBe(0);
    expect(thumbnailTime(undefined)).toBe(0);
    expect(thumbnailTime(0)).toBe(0);
    expect(thumbnailTime(NaN)).toBe(0);
    expect(thumbnailTime(Infinity)).toBe(0);
  });
});

describe('stripTimes', () => {
  it('takes the middle of equal parts', () => {
    expect(stripTimes(10, 10)).toEqual([0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5]);
    expect(stripTimes(60, 3)).toEqual([10, 30, 50]);
    expect(stripTimes(1, 3)).toEqual([0.167, 0.5, 0.833]);
  });

  it('gives nothing for no frames or an unknown duration', () => {
    expect(stripTimes(10, 0)).toEqual([]);
    expect(stripTimes(undefined, 10)).toEqual([]);
    expect(stripTimes(0, 10)).toEqual([]);
  });
});

describe('ffmpeg arguments', () => {
  it('seeks, scales keeping the aspect, picks a representative frame and writes one JPEG', () => {
    const args = thumbnailArgs('/media/a:b.mp4', '/d/thumbnail.jpg.part', { seconds: 12.5, width: 320, streamIndex: 1 });
    expect(args.slice(args.indexOf('-ss'), args.indexOf('-ss') + 4)).toEqual(['-ss', '12.500', '-i', 'file:/media/a:b.mp4']);
    expect(args[args.indexOf('-map') + 1]).toBe('0:1');
    expect(args[args.indexOf('-vf') + 1]).toBe(`scale=320:trunc(ow/dar/2)*2,setsar=1,thumbnail=${THUMBNAIL_CANDIDATES},format=yuvj420p`);
    expect(args).toEqual(expect.arrayContaining(['-frames:v', '1', '-c:v', 'mjpeg', '-f', 'image2', '-update', '1']));
    expect(args.at(-1)).toBe('file:/d/thumbnail.jpg.part');
    expect(args).toContain('-nostdin');
  });

  it('does not seek for the start, and takes the first video stream without an index', () => {
    const args = thumbnailArgs('/m.mkv', '/d/t.part', { seconds: 0, width: 640 });
    expect(args).not.toContain('-ss');
    expect(args[args.indexOf('-map') + 1]).toBe('0:v:0');
    expect(args[args.indexOf('-vf') + 1]).toMatch(/^scale=640:/);
  });

  it('takes cover art by its stream index', () => {
    const args = coverArgs('/song.mp3', '/d/t.part', { width: 320, streamIndex: 2 });
    expect(args[args.indexOf('-map') + 1]).toBe('0:2');
    expect(args).not.toContain('-ss');
    expect(args.at(-1)).toBe('file:/d/t.part');
  });

  it('builds a strip from one input per frame, each seeked, tiled side by side', () => {
    const args = stripArgs('/v.mp4', '/d/preview.jpg.part', { times: [0, 5, 10], width: 160, streamIndex: 0 });
    expect(args.filter((arg) => arg === '-i')).toHaveLength(3);
    expect(args.filter((arg) => arg === '-ss')).toHaveLength(2);
    const graph = args[args.indexOf('-filter_complex') + 1]!;
    expect(graph.split(';')).toEqual([
      '[0:0]trim=end_frame=1,scale=160:trunc(ow/dar/2)*2,setsar=1,setpts=PTS-STARTPTS[f0]',
      '[1:0]trim=end_frame=1,scale=160:trunc(ow/dar/2)*2,setsar=1,setpts=PTS-STARTPTS[f1]',
      '[2:0]trim=end_frame=1,scale=160:trunc(ow/dar/2)*2,setsar=1,setpts=PTS-STARTPTS[f2]',
      '[f0][f1][f2]concat=n=3:v=1:a=0,tile=3x1,format=yuvj420p[strip]',
    ]);
    expect(args).toEqual(expect.arrayContaining(['-map', '[strip]', '-frames:v', '1']));
    expect(() => stripArgs('/v.mp4', '/o', { times: [], width: 160 })).toThrow();
  });
});

describe('helpers', () => {
  it('has the defaults the issue asks for, and bounds', () => {
    expect(configSchema.parse({})).toEqual({ width: 320, preview_frames: 10, preview_width: 160 });
    expect(configSchema.safeParse({ preview_frames: 0 }).success).toBe(true);
    expect(configSchema.safeParse({ width: 8 }).success).toBe(false);
    expect(configSchema.safeParse({ preview_frames: -1 }).success).toBe(false);
  });
});
