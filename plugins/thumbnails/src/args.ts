import { fileArg } from '@haven/sdk';

// ffmpeg's arguments for the thumbnail and the preview strip, and the times their frames come from.
// Pure, so the tests can check them without ffmpeg.

/** Frames the thumbnail filter compares to pick the most representative one (black and fading frames lose). */
export const THUMBNAIL_CANDIDATES = 30;

/**
 * Where the thumbnail comes from: 10 % into the item, past the black frames and logos many videos
 * start with, but at least half a second before the end. Unknown or tiny durations: the start.
 */
export function thumbnailTime(duration: number | undefined): number {
  if (!duration || !Number.isFinite(duration) || duration <= 1) return 0;
  return round3(Math.max(0, Math.min(duration * 0.1, duration - 0.5)));
}

/** The times of a preview strip's frames: the middles of `count` equal parts of the item. */
export function stripTimes(duration: number | undefined, count: number): number[] {
  if (!duration || !Number.isFinite(duration) || duration <= 0 || count <= 0) return [];
  return Array.from({ length: count }, (_, i) => round3(((i + 0.5) * duration) / count));
}

/**
 * A width in pixels and the height that keeps the display aspect ratio (even, as encoders want),
 * square pixels, full-range YUV (what a JPEG is).
 */
export function scaleFilter(width: number): string {
  return `scale=${width}:trunc(ow/dar/2)*2,setsar=1`;
}

const JPEG_OUT = ['-c:v', 'mjpeg', '-q:v', '3', '-f', 'image2', '-update', '1'];
const COMMON = ['-hide_banner', '-nostdin', '-nostats', '-y', '-v', 'error'];

/**
 * One JPEG from a video: seek (fast, by keyframe, then exact) to `seconds`, scale, and let the
 * thumbnail filter pick the most representative of the next frames, so a black or fading frame
 * at that instant is not the one chosen.
 */
export function thumbnailArgs(input: string, output: string, options: { seconds: number; width: number; streamIndex?: number }): string[] {
  return [
    ...COMMON,
    ...(options.seconds > 0 ? ['-ss', options.seconds.toFixed(3)] : []),
    '-i',
    fileArg(input),
    '-map',
    options.streamIndex === undefined ? '0:v:0' : `0:${options.streamIndex}`,
    '-an',
    '-sn',
    '-dn',
    '-vf',
    `${scaleFilter(options.width)},thumbnail=${THUMBNAIL_CANDIDATES},format=yuvj420p`,
    '-frames:v',
    '1',
    ...JPEG_OUT,
    fileArg(output),
  ];
}

/** One JPEG from an embedded picture (an audio file's cover art), scaled to `width`. */
export function coverArgs(input: string, output: string, options: { width: number; streamIndex: number }): string[] {
  return [...COMMON, '-i', fileArg(input), '-map', `0:${options.streamIndex}`, '-an', '-sn', '-dn', '-vf', `${scaleFilter(options.width)},format=yuvj420p`, '-frames:v', '1', ...JPEG_OUT, fileArg(output)];
}

/**
 * A strip of frames side by side (`count`x1), each `width` wide: the file is opened once per
 * frame with an input seek, so only a few frames are decoded however long the video is.
 */
export function stripArgs(input: string, output: string, options: { times: readonly number[]; width: number; streamIndex?: number }): string[] {
  const count = options.times.length;
  if (count === 0) throw new Error('a preview strip needs at least one frame');
  const stream = options.streamIndex === undefined ? 'v:0' : String(options.streamIndex);
  const inputs = options.times.flatMap((seconds) => [...(seconds > 0 ? ['-ss', seconds.toFixed(3)] : []), '-i', fileArg(input)]);
  const frames = options.times.map((_, i) => `[${i}:${stream}]trim=end_frame=1,${scaleFilter(options.width)},setpts=PTS-STARTPTS[f${i}]`);
  const joined = `${options.times.map((_, i) => `[f${i}]`).join('')}concat=n=${count}:v=1:a=0,tile=${count}x1,format=yuvj420p[strip]`;
  return [...COMMON, ...inputs, '-filter_complex', [...frames, joined].join(';'), '-map', '[strip]', '-frames:v', '1', ...JPEG_OUT, fileArg(output)];
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
