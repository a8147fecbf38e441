import { describe, expect, it } from 'vitest';
import { coverArgs, stripArgs, stripTimes, thumbnailArgs, thumbnailTime, THUMBNAIL_CANDIDATES } from './args';
import { configSchema } from './config';
import { lastErrorLine, parseProbe, probeArgs, progressSeconds } from './ffmpeg';

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

  it('asks ffprobe for streams and format as JSON', () => {
    expect(probeArgs('/x.mp4')).toEqual(['-v', 'error', '-hide_banner', '-show_streams', '-show_format', '-of', 'json', 'file:/x.mp4']);
  });
});

describe('parseProbe', () => {
  it('finds the video, audio and duration', () => {
    const json = JSON.stringify({
      streams: [
        { index: 0, codec_type: 'video', width: 640, height: 360, disposition: { attached_pic: 0 } },
        { index: 1, codec_type: 'audio', channels: 2, sample_rate: '48000' },
      ],
      format: { duration: '10.000000' },
    });
    expect(parseProbe(json)).toEqual({ duration: 10, video: { index: 0, width: 640, height: 360 }, audio: { index: 1, channels: 2, sampleRate: 48000 } });
  });

  it('tells cover art from video, and takes a stream duration when the format has none', () => {
    const json = JSON.stringify({
      streams: [
        { index: 0, codec_type: 'audio', duration: '3.5' },
        { index: 1, codec_type: 'video', width: 600, height: 600, disposition: { attached_pic: 1 } },
      ],
      format: {},
    });
    expect(parseProbe(json)).toEqual({ duration: 3.5, audio: { index: 0 }, cover: { index: 1 } });
  });

  it('gives nothing for a file without streams, and refuses output that is not JSON', () => {
    expect(parseProbe('{}')).toEqual({});
    expect(() => parseProbe('Invalid data found')).toThrow(/not media/);
  });
});

describe('helpers', () => {
  it('reads ffmpeg -progress lines', () => {
    expect(progressSeconds('out_time_us=12500000')).toBe(12.5);
    expect(progressSeconds('out_time_ms=2000000\r')).toBe(2);
    expect(progressSeconds('out_time=00:00:12.5')).toBeUndefined();
    expect(progressSeconds('progress=end')).toBeUndefined();
  });

  it('keeps the last line of stderr', () => {
    expect(lastErrorLine('a\nb: No such file\n\n')).toBe('b: No such file');
    expect(lastErrorLine('')).toBe('no output');
  });

  it('has the defaults the issue asks for, and bounds', () => {
    expect(configSchema.parse({})).toEqual({ width: 320, preview_frames: 10, preview_width: 160 });
    expect(configSchema.safeParse({ preview_frames: 0 }).success).toBe(true);
    expect(configSchema.safeParse({ width: 8 }).success).toBe(false);
    expect(configSchema.safeParse({ preview_frames: -1 }).success).toBe(false);
  });
});
