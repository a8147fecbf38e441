import type { ProbeInfo, ProbedStream } from '@haven/sdk';
import { describe, expect, it } from 'vitest';
import { configSchema } from './config';
import { ffmpegArgs, mp4Fit, outputName, planFor, type Plan } from './presets';

const s = (index: number, type: string, codec: string, extra: Partial<ProbedStream> = {}): ProbedStream => ({ index, type, codec, cover: false, ...extra });
const h264Aac: ProbeInfo = { duration: 10, streams: [s(0, 'video', 'h264'), s(1, 'audio', 'aac'), s(2, 'subtitle', 'mov_text')] };
const vp8Vorbis: ProbeInfo = { duration: 10, streams: [s(0, 'video', 'vp8'), s(1, 'audio', 'vorbis')] };
const audioOnly: ProbeInfo = { duration: 10, streams: [s(0, 'audio', 'flac'), s(1, 'video', 'mjpeg', { cover: true })] };

function plan(preset: Parameters<typeof planFor>[0], info: ProbeInfo): Plan {
  const result = planFor(preset, info);
  if ('skipped' in result) throw new Error(result.skipped);
  return result;
}
/** The value after each occurrence of a flag. */
const after = (args: string[], flag: string): string[] => args.flatMap((arg, i) => (arg === flag ? [args[i + 1]!] : []));

describe('mp4Fit', () => {
  it('takes H.264, H.265, AV1, VP9 with AAC, MP3, AC-3, Opus as they are', () => {
    expect(mp4Fit(h264Aac)).toEqual({ fits: true });
    expect(mp4Fit({ streams: [s(0, 'video', 'hevc'), s(1, 'audio', 'eac3'), s(2, 'audio', 'opus')] })).toEqual({ fits: true });
    expect(mp4Fit({ streams: [s(0, 'video', 'av1'), s(1, 'audio', 'mp3')] })).toEqual({ fits: true });
    expect(mp4Fit({ streams: [s(0, 'video', 'vp9'), s(1, 'audio', 'ac3')] })).toEqual({ fits: true });
  });

  it('refuses VP8, Vorbis, FLAC and names them', () => {
    expect(mp4Fit(vp8Vorbis)).toEqual({ fits: false, reason: 'VP8 video and Vorbis audio do not fit MP4' });
    expect(mp4Fit({ streams: [s(0, 'video', 'h264'), s(1, 'audio', 'flac'), s(2, 'audio', 'flac')] })).toEqual({ fits: false, reason: 'FLAC audio does not fit MP4' });
  });

  it('is not decided by subtitles or cover art', () => {
    expect(mp4Fit({ streams: [s(0, 'video', 'h264'), s(1, 'audio', 'aac'), s(2, 'subtitle', 'hdmv_pgs_subtitle'), s(3, 'video', 'png', { cover: true })] })).toEqual({ fits: true });
  });
});

describe('planFor', () => {
  it('copies into MP4 when the codecs fit, labelled with them', () => {
    const p = plan('mp4-copy', h264Aac);
    expect(p).toMatchObject({ preset: 'mp4-copy', label: 'MP4 (H.264/AAC, streams copied)', dropped: [] });
    expect(p.fallback).toBeUndefined();
    expect(p.streams.map((stream) => stream.index)).toEqual([0, 1, 2]);
  });

  it('falls back to mp4-h264 and says why in the label', () => {
    const p = plan('mp4-copy', vp8Vorbis);
    expect(p).toMatchObject({ requested: 'mp4-copy', preset: 'mp4-h264', fallback: 'VP8 video and Vorbis audio do not fit MP4' });
    expect(p.label).toBe('MP4 (H.264/AAC, re-encoded: VP8 video and Vorbis audio do not fit MP4)');
    expect(p.info.mime).toBe('video/mp4');
  });

  it('leaves out picture subtitles, cover art and data in MP4, with reasons', () => {
    const p = plan('mp4-copy', { streams: [s(0, 'video', 'h264'), s(1, 'audio', 'aac'), s(2, 'subtitle', 'hdmv_pgs_subtitle'), s(3, 'subtitle', 'subrip'), s(4, 'data', 'bin_data'), s(5, 'video', 'png', { cover: true })] });
    expect(p.streams.map((stream) => stream.index)).toEqual([0, 1, 3]);
    expect(p.dropped).toHaveLength(3);
    expect(p.dropped[0]).toMatch(/^stream 2 \(subtitle hdmv_pgs_subtitle\)/);
    expect(p.dropped[2]).toMatch(/^stream 5 \(video cover art\)/);
  });

  it('keeps subtitles and attachments in Matroska', () => {
    const p = plan('mkv-copy', { streams: [s(0, 'video', 'h264'), s(1, 'audio', 'aac'), s(2, 'subtitle', 'ass'), s(3, 'attachment', 'ttf')] });
    expect(p.streams.map((stream) => stream.index)).toEqual([0, 1, 2, 3]);
    expect(p.label).toBe('MKV (streams copied)');
  });

  it('re-encodes the first video stream and every audio stream', () => {
    const p = plan('webm-vp9', { streams: [s(0, 'video', 'h264'), s(1, 'video', 'h264'), s(2, 'audio', 'aac'), s(3, 'audio', 'ac3')] });
    expect(p.streams.map((stream) => stream.index)).toEqual([0, 2, 3]);
    expect(p.label).toBe('WebM (VP9/Opus)');
  });

  it('skips a video preset on an audio-only item (cover art is not video); an audio preset extracts a video\'s sound', () => {
    for (const preset of ['mp4-copy', 'mp4-h264', 'webm-vp9', 'mkv-copy'] as const) {
      expect(planFor(preset, audioOnly)).toEqual({ skipped: expect.stringMatching(/audio only: choose audio-m4a or audio-opus/) });
    }
    expect(planFor('audio-m4a', h264Aac)).toMatchObject({ label: expect.stringMatching(/extracted from the video$/) });
    expect(planFor('audio-m4a', { streams: [s(0, 'video', 'h264')] })).toEqual({ skipped: 'audio-m4a makes audio and this item has no audio stream' });
    expect(planFor('audio-m4a', { streams: [s(0, 'data', 'bin_data')] })).toEqual({ skipped: 'the file has no video or audio stream' });
  });

  it('takes the first audio stream of an audio item', () => {
    const p = plan('audio-opus', { streams: [s(0, 'audio', 'flac'), s(1, 'audio', 'aac')] });
    expect(p.streams.map((stream) => stream.index)).toEqual([0]);
    expect(p.info).toMatchObject({ kind: 'audio', format: 'opus', extension: 'opus', mime: 'audio/ogg' });
  });
});

describe('ffmpegArgs', () => {
  const common = ['-hide_banner', '-nostdin', '-nostats', '-y', '-v', 'error', '-progress', 'pipe:1', '-i', 'file:/in/a:b.mkv'];

  it('mp4-copy: copies, converts text subtitles to mov_text, faststart, explicit muxer for the .part', () => {
    const args = ffmpegArgs('/in/a:b.mkv', '/d/a.mp4.part', plan('mp4-copy', h264Aac), 'balanced');
    expect(args).toEqual([...common, '-map', '0:0', '-map', '0:1', '-map', '0:2', '-c', 'copy', '-c:s', 'mov_text', '-movflags', '+faststart', '-map_metadata', '0', '-f', 'mp4', 'file:/d/a.mp4.part']);
  });

  it('mp4-copy tags H.265 as hvc1', () => {
    const args = ffmpegArgs('/i', '/o', plan('mp4-copy', { streams: [s(0, 'video', 'hevc'), s(1, 'audio', 'aac')] }), 'balanced');
    expect(after(args, '-tag:v:0')).toEqual(['hvc1']);
  });

  it('mp4-h264: libx264 veryfast crf 23 yuv420p, AAC 160k, faststart; ultrafast when fastest', () => {
    const args = ffmpegArgs('/i', '/o', plan('mp4-h264', vp8Vorbis), 'balanced');
    expect(after(args, '-c:v')).toEqual(['libx264']);
    expect(after(args, '-preset:v')).toEqual(['veryfast']);
    expect(after(args, '-crf:v')).toEqual(['23']);
    expect(after(args, '-pix_fmt:v')).toEqual(['yuv420p']);
    expect(after(args, '-c:a')).toEqual(['aac']);
    expect(after(args, '-b:a')).toEqual(['160k']);
    expect(after(args, '-movflags')).toEqual(['+faststart']);
    expect(after(args, '-f')).toEqual(['mp4']);
    expect(args).not.toContain('-c:s');
    expect(after(ffmpegArgs('/i', '/o', plan('mp4-h264', vp8Vorbis), 'fastest'), '-preset:v')).toEqual(['ultrafast']);
  });

  it('webm-vp9: libvpx-vp9 crf 33 b:v 0, Opus 128k, WebVTT subtitles; realtime cpu-used 8 when fastest', () => {
    const args = ffmpegArgs('/i', '/o', plan('webm-vp9', h264Aac), 'balanced');
    expect(after(args, '-c:v')).toEqual(['libvpx-vp9']);
    expect(after(args, '-crf:v')).toEqual(['33']);
    expect(after(args, '-b:v')).toEqual(['0']);
    expect(after(args, '-deadline:v')).toEqual(['good']);
    expect(after(args, '-c:a')).toEqual(['libopus']);
    expect(after(args, '-b:a')).toEqual(['128k']);
    expect(after(args, '-c:s')).toEqual(['webvtt']);
    expect(after(args, '-f')).toEqual(['webm']);
    const fast = ffmpegArgs('/i', '/o', plan('webm-vp9', h264Aac), 'fastest');
    expect([after(fast, '-deadline:v'), after(fast, '-cpu-used:v')]).toEqual([['realtime'], ['8']]);
  });

  it('mkv-copy: copies everything, mov_text becomes SubRip', () => {
    const args = ffmpegArgs('/i', '/o', plan('mkv-copy', { streams: [s(0, 'video', 'h264'), s(1, 'subtitle', 'ass'), s(2, 'subtitle', 'mov_text')] }), 'balanced');
    expect(after(args, '-c')).toEqual(['copy']);
    expect(after(args, '-c:s:1')).toEqual(['srt']);
    expect(args).not.toContain('-c:s:0');
    expect(after(args, '-f')).toEqual(['matroska']);
  });

  it('audio presets: AAC 192k in MP4, Opus 128k in Ogg', () => {
    const flac: ProbeInfo = { streams: [s(0, 'audio', 'flac')] };
    const m4a = ffmpegArgs('/i', '/o', plan('audio-m4a', flac), 'balanced');
    expect([after(m4a, '-c:a'), after(m4a, '-b:a'), after(m4a, '-f'), after(m4a, '-map')]).toEqual([['aac'], ['192k'], ['mp4'], ['0:0']]);
    const opus = ffmpegArgs('/i', '/o', plan('audio-opus', flac), 'balanced');
    expect([after(opus, '-c:a'), after(opus, '-b:a'), after(opus, '-f')]).toEqual([['libopus'], ['128k'], ['opus']]);
  });
});

describe('helpers', () => {
  it('names the output after the original, safely', () => {
    expect(outputName('/a/My clip [abc].webm', 'mp4')).toBe('My clip [abc].mp4');
    expect(outputName('/a/what: "now"?.mkv', 'mp4')).toBe('what_ _now__.mp4');
    expect(outputName('/a/.hidden', 'mkv')).toBe('media.mkv');
    expect(outputName('/a/noext', 'opus')).toBe('noext.opus');
    expect(outputName(`/a/${'x'.repeat(300)}.mp4`, 'mp4')).toHaveLength(154);
  });

  it('defaults to mp4-copy, balanced, and refuses unknown presets', () => {
    expect(configSchema.parse({})).toEqual({ preset: 'mp4-copy', speed: 'balanced' });
    expect(configSchema.safeParse({ preset: 'avi' }).success).toBe(false);
  });
});
