import { fileArg, type ProbeInfo, type ProbedStream } from '@haven/sdk';

// The presets: which streams each keeps, ffmpeg's arguments, whether streams fit MP4 as they are.
// Pure, so the tests can check them without ffmpeg.

export const PRESETS = ['mp4-copy', 'mp4-h264', 'webm-vp9', 'mkv-copy', 'audio-m4a', 'audio-opus'] as const;
export type Preset = (typeof PRESETS)[number];
export type Speed = 'balanced' | 'fastest';

export interface PresetInfo {
  kind: 'video' | 'audio';
  /** ffmpeg's muxer (`-f`): the output is written as `.part`, so the name cannot tell ffmpeg. */
  format: string;
  extension: string;
  mime: string;
  label: string;
  /** Encoders it uses (the health check looks for them). */
  encoders: readonly string[];
}

export const PRESET_INFO: Record<Preset, PresetInfo> = {
  'mp4-copy': { kind: 'video', format: 'mp4', extension: 'mp4', mime: 'video/mp4', label: 'MP4 (streams copied)', encoders: ['mov_text', 'libx264', 'aac'] },
  'mp4-h264': { kind: 'video', format: 'mp4', extension: 'mp4', mime: 'video/mp4', label: 'MP4 (H.264/AAC)', encoders: ['libx264', 'aac', 'mov_text'] },
  'webm-vp9': { kind: 'video', format: 'webm', extension: 'webm', mime: 'video/webm', label: 'WebM (VP9/Opus)', encoders: ['libvpx-vp9', 'libopus', 'webvtt'] },
  'mkv-copy': { kind: 'video', format: 'matroska', extension: 'mkv', mime: 'video/x-matroska', label: 'MKV (streams copied)', encoders: ['srt'] },
  'audio-m4a': { kind: 'audio', format: 'mp4', extension: 'm4a', mime: 'audio/mp4', label: 'M4A (AAC 192k)', encoders: ['aac'] },
  'audio-opus': { kind: 'audio', format: 'opus', extension: 'opus', mime: 'audio/ogg', label: 'Opus (128k)', encoders: ['libopus'] },
};

/** Codecs an MP4 holds as they are (what ffmpeg 5.1's mp4 muxer writes without `-strict`). */
export const MP4_VIDEO = new Set(['h264', 'hevc', 'av1', 'vp9', 'mpeg4', 'mpeg2video', 'mpeg1video']);
export const MP4_AUDIO = new Set(['aac', 'mp3', 'mp2', 'ac3', 'eac3', 'opus', 'alac']);
/** Text subtitles ffmpeg turns into MP4's own (mov_text); picture subtitles cannot be. */
export const TEXT_SUBTITLES = new Set(['mov_text', 'subrip', 'srt', 'ass', 'ssa', 'webvtt', 'text']);

const CODEC_NAMES: Record<string, string> = {
  h264: 'H.264',
  hevc: 'H.265',
  av1: 'AV1',
  vp8: 'VP8',
  vp9: 'VP9',
  mpeg4: 'MPEG-4',
  mpeg2video: 'MPEG-2',
  aac: 'AAC',
  mp3: 'MP3',
  opus: 'Opus',
  vorbis: 'Vorbis',
  flac: 'FLAC',
  ac3: 'AC-3',
  eac3: 'E-AC-3',
  alac: 'ALAC',
};

/** A codec's usual name: `h264` → `H.264`. */
export function codecName(codec: string): string {
  return CODEC_NAMES[codec] ?? codec.toUpperCase();
}

/** The real video streams (not cover art). */
export function videoStreams(info: ProbeInfo): ProbedStream[] {
  return info.streams.filter((stream) => stream.type === 'video' && !stream.cover);
}

export function audioStreams(info: ProbeInfo): ProbedStream[] {
  return info.streams.filter((stream) => stream.type === 'audio');
}

/**
 * Whether the item's video and audio go into an MP4 as they are; if not, why (`VP8 video and
 * Vorbis audio do not fit MP4`). Subtitles never decide it: text ones become mov_text, picture
 * ones are left out.
 */
export function mp4Fit(info: ProbeInfo): { fits: true } | { fits: false; reason: string } {
  const misfits = [
    ...videoStreams(info)
      .filter((stream) => !MP4_VIDEO.has(stream.codec))
      .map((stream) => `${codecName(stream.codec)} video`),
    ...audioStreams(info)
      .filter((stream) => !MP4_AUDIO.has(stream.codec))
      .map((stream) => `${codecName(stream.codec)} audio`),
  ];
  const unique = [...new Set(misfits)];
  if (unique.length === 0) return { fits: true };
  return { fits: false, reason: `${unique.join(' and ')} ${unique.length > 1 ? 'do' : 'does'} not fit MP4` };
}

/** What one run makes: the preset used (after a fallback), the streams kept and left out, the label. */
export interface Plan {
  requested: Preset;
  preset: Preset;
  info: PresetInfo;
  label: string;
  /** Input stream indexes, in output order. */
  streams: ProbedStream[];
  /** Streams left out, and why (`stream 3 (hdmv_pgs_subtitle): picture subtitles do not fit MP4`). */
  dropped: string[];
  /** Why mp4-copy re-encodes. */
  fallback?: string;
}

/** The plan for an item, or why the preset does not apply to it. */
export function planFor(requested: Preset, info: ProbeInfo): Plan | { skipped: string } {
  const video = videoStreams(info);
  const audio = audioStreams(info);
  if (video.length === 0 && audio.length === 0) return { skipped: 'the file has no video or audio stream' };
  const wanted = PRESET_INFO[requested];
  if (wanted.kind === 'video' && video.length === 0) {
    return { skipped: `${requested} makes video and this item is audio only: choose audio-m4a or audio-opus for audio items` };
  }
  if (wanted.kind === 'audio' && audio.length === 0) {
    return { skipped: `${requested} makes audio and this item has no audio stream` };
  }
  if (wanted.kind === 'audio') {
    // On a video, an audio preset extracts its sound.
    const label = video.length > 0 ? `${wanted.label}, extracted from the video` : wanted.label;
    return { requested, preset: requested, info: wanted, label, streams: [audio[0]!], dropped: dropNote(info.streams, [audio[0]!], 'only the first audio stream is kept') };
  }

  let preset = requested;
  let fallback: string | undefined;
  if (requested === 'mp4-copy') {
    const fit = mp4Fit(info);
    if (!fit.fits) {
      preset = 'mp4-h264';
      fallback = fit.reason;
    }
  }
  const subtitles = info.streams.filter((stream) => stream.type === 'subtitle');
  const attachments = info.streams.filter((stream) => stream.type === 'attachment');
  let streams: ProbedStream[];
  let why: string;
  if (preset === 'mkv-copy') {
    streams = [...video, ...audio, ...subtitles, ...attachments];
    why = 'Matroska keeps video, audio, subtitles and attachments; cover art and data streams are left out';
  } else if (preset === 'mp4-copy') {
    streams = [...video, ...audio, ...subtitles.filter((stream) => TEXT_SUBTITLES.has(stream.codec))];
    why = 'MP4 keeps video, audio and text subtitles (picture subtitles, cover art, attachments and data are left out)';
  } else {
    // Re-encoding: the first video stream, every audio stream, text subtitles converted.
    streams = [video[0]!, ...audio, ...subtitles.filter((stream) => TEXT_SUBTITLES.has(stream.codec))];
    why = `${preset} keeps the first video stream, every audio stream and text subtitles`;
  }
  const info2 = PRESET_INFO[preset];
  let label = info2.label;
  if (requested === 'mp4-copy' && !fallback) {
    const codecs = [video[0] && codecName(video[0].codec), audio[0] && codecName(audio[0].codec)].filter(Boolean).join('/');
    label = `MP4 (${codecs}, streams copied)`;
  } else if (fallback) {
    label = `MP4 (H.264/AAC, re-encoded: ${fallback})`.slice(0, 200);
  }
  return { requested, preset, info: info2, label, streams, dropped: dropNote(info.streams, streams, why), ...(fallback ? { fallback } : {}) };
}

function dropNote(all: readonly ProbedStream[], kept: readonly ProbedStream[], why: string): string[] {
  const keptIndexes = new Set(kept.map((stream) => stream.index));
  return all.filter((stream) => !keptIndexes.has(stream.index)).map((stream) => `stream ${stream.index} (${stream.type} ${stream.cover ? 'cover art' : stream.codec}): ${why}`);
}

const COMMON = ['-hide_banner', '-nostdin', '-nostats', '-y', '-v', 'error', '-progress', 'pipe:1'];

/** Encoder options of the re-encoding presets. */
export function videoEncoder(preset: 'mp4-h264' | 'webm-vp9', speed: Speed): string[] {
  if (preset === 'mp4-h264') {
    return ['-c:v', 'libx264', '-preset:v', speed === 'fastest' ? 'ultrafast' : 'veryfast', '-crf:v', '23', '-pix_fmt:v', 'yuv420p', '-vf', 'scale=trunc(iw/2)*2:trunc(ih/2)*2'];
  }
  return [
    '-c:v',
    'libvpx-vp9',
    '-crf:v',
    '33',
    '-b:v',
    '0',
    '-pix_fmt:v',
    'yuv420p',
    '-row-mt:v',
    '1',
    ...(speed === 'fastest' ? ['-deadline:v', 'realtime', '-cpu-used:v', '8'] : ['-deadline:v', 'good', '-cpu-used:v', '4']),
  ];
}

/** Opus takes mono, stereo and the usual surround layouts; this picks the nearest (5.1(side) → 5.1). */
const OPUS_LAYOUTS = ['-af', 'aformat=channel_layouts=mono|stereo|3.0|quad|5.0|5.1|6.1|7.1'];

/** ffmpeg's arguments for a plan: read `input`, write `output` (a `.part`) in the plan's container. */
export function ffmpegArgs(input: string, output: string, plan: Plan, speed: Speed): string[] {
  const maps = plan.streams.flatMap((stream) => ['-map', `0:${stream.index}`]);
  const outVideo = plan.streams.filter((stream) => stream.type === 'video');
  const outSubtitles = plan.streams.filter((stream) => stream.type === 'subtitle');
  const codecs: string[] = [];
  switch (plan.preset) {
    case 'mp4-copy':
      codecs.push('-c', 'copy', ...(outSubtitles.length ? ['-c:s', 'mov_text'] : []));
      // Apple players want H.265 in MP4 tagged hvc1.
      outVideo.forEach((stream, i) => stream.codec === 'hevc' && codecs.push(`-tag:v:${i}`, 'hvc1'));
      codecs.push('-movflags', '+faststart');
      break;
    case 'mp4-h264':
      codecs.push(...videoEncoder('mp4-h264', speed), '-c:a', 'aac', '-b:a', '160k', ...(outSubtitles.length ? ['-c:s', 'mov_text'] : []), '-movflags', '+faststart');
      break;
    case 'webm-vp9':
      codecs.push(...videoEncoder('webm-vp9', speed), '-c:a', 'libopus', '-b:a', '128k', ...OPUS_LAYOUTS, ...(outSubtitles.length ? ['-c:s', 'webvtt'] : []));
      break;
    case 'mkv-copy':
      codecs.push('-c', 'copy');
      // Matroska has no mov_text: those become SubRip, the rest are copied.
      outSubtitles.forEach((stream, i) => stream.codec === 'mov_text' && codecs.push(`-c:s:${i}`, 'srt'));
      break;
    case 'audio-m4a':
      codecs.push('-c:a', 'aac', '-b:a', '192k', '-movflags', '+faststart');
      break;
    case 'audio-opus':
      codecs.push('-c:a', 'libopus', '-b:a', '128k', ...OPUS_LAYOUTS);
      break;
  }
  return [...COMMON, '-i', fileArg(input), ...maps, ...codecs, '-map_metadata', '0', '-f', plan.info.format, fileArg(output)];
}

/** The derived file's name: the original's, made safe on every file system, with the preset's extension. */
export function outputName(original: string, extension: string): string {
  const base = original
    .replace(/\.[^./\\]*$/, '')
    .split(/[/\\]/)
    .pop()!
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f<>:"|?*]/g, '_')
    .replace(/^[.\s]+|[.\s]+$/g, '')
    .slice(0, 150);
  return `${base || 'media'}.${extension}`;
}
