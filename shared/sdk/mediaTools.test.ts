import { describe, expect, it, vi } from 'vitest';
import type { Disposable } from '../lifecycle';
import { checkTools, lastErrorLine, parseProbe, percentOf, probeArgs, progressSeconds, runTool, type ProbedStream } from './mediaTools';
import type { SpawnedProcess } from './types';

const s = (index: number, type: string, codec: string, extra: Partial<ProbedStream> = {}): ProbedStream => ({ index, type, codec, cover: false, ...extra });

describe('parseProbe', () => {
  it('finds the video, audio and duration, with their sizes and rates', () => {
    const json = JSON.stringify({
      streams: [
        { index: 0, codec_type: 'video', width: 640, height: 360, disposition: { attached_pic: 0 } },
        { index: 1, codec_type: 'audio', channels: 2, sample_rate: '48000' },
      ],
      format: { duration: '10.000000' },
    });
    expect(parseProbe(json)).toEqual({ duration: 10, streams: [s(0, 'video', 'unknown', { width: 640, height: 360 }), s(1, 'audio', 'unknown', { channels: 2, sampleRate: 48000 })] });
  });

  it('tells cover art from video, and takes a stream duration when the format has none', () => {
    const json = JSON.stringify({
      streams: [
        { index: 0, codec_type: 'audio', duration: '3.5' },
        { index: 1, codec_type: 'video', width: 600, height: 600, disposition: { attached_pic: 1 } },
      ],
      format: {},
    });
    expect(parseProbe(json)).toEqual({ duration: 3.5, streams: [s(0, 'audio', 'unknown'), s(1, 'video', 'unknown', { cover: true, width: 600, height: 600 })] });
  });

  it('reads codecs, cover art, language and duration', () => {
    const json = JSON.stringify({
      streams: [
        { index: 0, codec_type: 'video', codec_name: 'h264', disposition: { attached_pic: 0 } },
        { index: 1, codec_type: 'audio', codec_name: 'aac', tags: { language: 'eng' } },
        { index: 2, codec_type: 'video', codec_name: 'mjpeg', disposition: { attached_pic: 1 } },
      ],
      format: { duration: '12.5' },
    });
    expect(parseProbe(json)).toEqual({ duration: 12.5, streams: [s(0, 'video', 'h264'), s(1, 'audio', 'aac', { language: 'eng' }), s(2, 'video', 'mjpeg', { cover: true })] });
  });

  it('reads a subtitle track’s language, title and forced flag', () => {
    const { streams } = parseProbe(
      JSON.stringify({
        streams: [
          { index: 0, codec_type: 'subtitle', codec_name: 'mov_text', tags: { language: 'eng', title: 'SDH' }, disposition: { forced: 1 } },
          { index: 1, codec_type: 'subtitle', codec_name: 'hdmv_pgs_subtitle', tags: { LANGUAGE: 'ger', TITLE: 'Forced' }, disposition: { forced: 0 } },
          { codec_type: 'data' },
        ],
      }),
    );
    expect(streams).toEqual([
      { index: 0, type: 'subtitle', codec: 'mov_text', cover: false, language: 'eng', title: 'SDH', forced: true },
      { index: 1, type: 'subtitle', codec: 'hdmv_pgs_subtitle', cover: false, language: 'ger', title: 'Forced' },
    ]);
  });

  it('gives no streams for a file without any, and refuses output that is not JSON', () => {
    expect(parseProbe('{}')).toEqual({ streams: [] });
    expect(() => parseProbe('Invalid data found')).toThrow(/not media/);
    expect(() => parseProbe('nope')).toThrow(/not media/);
  });

  it('asks ffprobe for streams and format as JSON', () => {
    expect(probeArgs('/x.mp4')).toEqual(['-v', 'error', '-hide_banner', '-show_streams', '-show_format', '-of', 'json', 'file:/x.mp4']);
  });
});

describe('progress', () => {
  it('reads ffmpeg -progress lines', () => {
    expect(progressSeconds('out_time_us=12500000')).toBe(12.5);
    expect(progressSeconds('out_time_ms=2000000\r')).toBe(2);
    expect(progressSeconds('out_time_us=5000000')).toBe(5);
    expect(progressSeconds('out_time=00:00:12.5')).toBeUndefined();
    expect(progressSeconds('out_time=00:00:05.000000')).toBeUndefined();
    expect(progressSeconds('progress=end')).toBeUndefined();
  });

  it('turns out_time into a percentage of the duration', () => {
    expect(percentOf(5, 10)).toBe(50);
    expect(percentOf(12, 10)).toBe(99);
    expect(percentOf(5, undefined)).toBeUndefined();
    expect(percentOf(5, 0)).toBeUndefined();
  });
});

describe('lastErrorLine', () => {
  it('keeps the last line of stderr', () => {
    expect(lastErrorLine('a\nb: No such file\n\n')).toBe('b: No such file');
    expect(lastErrorLine('')).toBe('no output');
  });

  it('keeps the telling line, not a bare "Conversion failed!"', () => {
    expect(lastErrorLine('x\n[mp4] flac in MP4 support is experimental\nCould not write header: Invalid argument\nConversion failed!\n')).toBe('Could not write header: Invalid argument');
  });
});

/** A SpawnedProcess the test drives: write to its stdout and stderr, then end it. */
function fakeProcess() {
  const listeners = { stdout: [] as ((chunk: string) => void)[], stderr: [] as ((chunk: string) => void)[] };
  let end!: (result: { code: number | null; signal: string | null }) => void;
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => (end = resolve));
  const none: Disposable = { dispose: () => undefined };
  const proc: SpawnedProcess = {
    pid: 1,
    onStdout: (listener) => (listeners.stdout.push(listener), none),
    onStderr: (listener) => (listeners.stderr.push(listener), none),
    write: () => undefined,
    closeStdin: () => undefined,
    kill: vi.fn(),
    exited,
  };
  return {
    proc,
    stdout: (chunk: string) => listeners.stdout.forEach((listener) => listener(chunk)),
    stderr: (chunk: string) => listeners.stderr.forEach((listener) => listener(chunk)),
    end,
  };
}

describe('runTool', () => {
  it('passes cwd and the signal to ctx.spawn, and reports progress split across chunks', async () => {
    const fake = fakeProcess();
    const spawn = vi.fn(() => fake.proc);
    const seconds: number[] = [];
    const signal = new AbortController().signal;
    const running = runTool({ spawn }, 'ffmpeg', ['-i', 'x'], { signal, cwd: '/d', onSeconds: (value) => seconds.push(value) });
    fake.stdout('frame=1\nout_time_us=1000');
    fake.stdout('000\nout_time=00:00:01\nout_time_ms=2500000\n');
    fake.stderr('some log\n');
    fake.end({ code: 0, signal: null });
    expect(await running).toEqual({ stdout: 'frame=1\nout_time_us=1000000\nout_time=00:00:01\nout_time_ms=2500000\n', stderr: 'some log\n' });
    expect(spawn).toHaveBeenCalledWith('ffmpeg', ['-i', 'x'], { cwd: '/d', signal });
    expect(seconds).toEqual([1, 2.5]);
  });

  it('fails with the exit code and the telling stderr line, keeping the tail asked for', async () => {
    const fake = fakeProcess();
    const running = runTool({ spawn: () => fake.proc }, 'ffprobe', [], { signal: new AbortController().signal });
    fake.stderr('x.mp4: Invalid data found when processing input\n');
    fake.end({ code: 1, signal: null });
    await expect(running).rejects.toMatchObject({ code: 'INTERNAL', message: 'ffprobe failed (exit 1): x.mp4: Invalid data found when processing input' });

    const killed = fakeProcess();
    const bySignal = runTool({ spawn: () => killed.proc }, 'ffmpeg', [], { signal: new AbortController().signal });
    killed.end({ code: null, signal: 'SIGKILL' });
    await expect(bySignal).rejects.toThrow('ffmpeg failed (signal SIGKILL): no output');

    const long = fakeProcess();
    const tail = runTool({ spawn: () => long.proc }, 'ffmpeg', [], { signal: new AbortController().signal, stderrTail: 10 });
    for (let i = 0; i < 10; i += 1) long.stderr('0123456789');
    long.stderr('abcdefghij');
    long.end({ code: 0, signal: null });
    expect((await tail).stderr).toBe('abcdefghij');
  });

  it('stops the program when the signal aborts (SIGKILL 2 s after SIGTERM) and throws CANCELLED', async () => {
    vi.useFakeTimers();
    try {
      const fake = fakeProcess();
      const controller = new AbortController();
      const running = runTool({ spawn: () => fake.proc }, 'ffmpeg', [], { signal: controller.signal });
      controller.abort();
      expect(fake.proc.kill).toHaveBeenCalledWith('SIGTERM');
      vi.advanceTimersByTime(2000);
      expect(fake.proc.kill).toHaveBeenLastCalledWith('SIGKILL');
      fake.end({ code: null, signal: 'SIGKILL' });
      await expect(running).rejects.toMatchObject({ code: 'CANCELLED' });
    } finally {
      vi.useRealTimers();
    }
  });

  it('does not start when the signal has already aborted', async () => {
    const spawn = vi.fn();
    await expect(runTool({ spawn }, 'ffmpeg', [], { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(spawn).not.toHaveBeenCalled();
  });
});

describe('checkTools', () => {
  /** ctx.which and ctx.spawn answering as an ffmpeg with the given listings would. */
  function tools(found: string[], listings: Record<string, string> = {}) {
    return {
      which: (binary: string) => Promise.resolve(found.includes(binary) ? `/usr/bin/${binary}` : undefined),
      spawn: (_binary: string, args: readonly string[]) => {
        const fake = fakeProcess();
        queueMicrotask(() => {
          fake.stdout(args.includes('-version') ? 'ffmpeg version 6.1.1 Copyright (c)\nbuilt with gcc\n' : (listings[args.at(-1)!] ?? ''));
          fake.end({ code: 0, signal: null });
        });
        return fake.proc;
      },
    };
  }
  const filters = ' ... scale             V->V       Scale the input video size.\n ... loudnorm          A->A       EBU R128 loudness normalization\n';
  const encoders = ' S..... srt                  SubRip subtitle\n S..... webvtt               WebVTT subtitle\n';

  it('fails when ffmpeg or ffprobe is missing', async () => {
    expect(await checkTools(tools(['ffmpeg']), {}, 'x', 'works')).toEqual({ status: 'fail', componentId: 'x', output: 'ffprobe not found: install ffmpeg (it brings ffprobe)' });
    expect((await checkTools(tools([]), {}, 'x', 'works')).output).toBe('ffmpeg and ffprobe not found: install ffmpeg (it brings ffprobe)');
  });

  it('passes with the version when the filters and encoders needed are there', async () => {
    const ctx = tools(['ffmpeg', 'ffprobe'], { '-filters': filters, '-encoders': encoders });
    expect(await checkTools(ctx, { filters: ['scale', 'loudnorm'], encoders: ['srt', 'webvtt'] }, 'x', 'works')).toEqual({
      status: 'pass',
      componentId: 'x',
      output: 'works with /usr/bin/ffmpeg and /usr/bin/ffprobe',
      version: 'ffmpeg version 6.1.1 Copyright (c)',
    });
  });

  it('names the filters and encoders this ffmpeg lacks', async () => {
    const ctx = tools(['ffmpeg', 'ffprobe'], { '-filters': filters, '-encoders': encoders });
    expect((await checkTools(ctx, { filters: ['scale', 'tile', 'trim'] }, 'x', 'works')).output).toBe('this ffmpeg (/usr/bin/ffmpeg) lacks the tile, trim filters');
    expect((await checkTools(ctx, { encoders: ['srt', 'libopus'] }, 'x', 'works')).output).toBe('this ffmpeg (/usr/bin/ffmpeg) lacks the libopus encoder');
    expect((await checkTools(ctx, { filters: ['tile'], encoders: ['libopus'] }, 'x', 'works')).output).toBe('this ffmpeg (/usr/bin/ffmpeg) lacks the tile filter and the libopus encoder');
  });
});
