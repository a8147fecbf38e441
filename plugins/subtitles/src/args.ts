import { fileArg, type ProbedStream } from '@haven/sdk';

// ffmpeg's arguments for turning subtitle tracks into SRT and WebVTT. Pure, for the tests.

/** Subtitle codecs ffmpeg can turn into text (picture subtitles need OCR). */
export const TEXT_CODECS = new Set(['subrip', 'srt', 'ass', 'ssa', 'webvtt', 'mov_text', 'text', 'microdvd', 'subviewer', 'subviewer1', 'sami', 'realtext', 'jacosub', 'mpl2', 'pjs', 'stl', 'vplayer']);

export function isTextSubtitle(stream: ProbedStream): boolean {
  return stream.type === 'subtitle' && TEXT_CODECS.has(stream.codec);
}

/** One track to convert: the input stream (`0:3`, or `0:s:0` for a sidecar) and the two `.part` files to write. */
export interface Conversion {
  map: string;
  srt: string;
  vtt: string;
}

const COMMON = ['-hide_banner', '-nostdin', '-nostats', '-y', '-v', 'error', '-progress', 'pipe:1'];

/**
 * One ffmpeg run reading `input` once and writing every track both as SRT and as WebVTT.
 * `charenc` is the character set of a text file that is not UTF-8 (ffmpeg converts it).
 */
export function convertArgs(input: string, conversions: readonly Conversion[], options: { charenc?: string } = {}): string[] {
  if (conversions.length === 0) throw new Error('nothing to convert');
  return [
    ...COMMON,
    ...(options.charenc ? ['-sub_charenc', options.charenc] : []),
    '-i',
    fileArg(input),
    ...conversions.flatMap((conversion) => ['-map', conversion.map, '-c:s', 'srt', '-f', 'srt', fileArg(conversion.srt), '-map', conversion.map, '-c:s', 'webvtt', '-f', 'webvtt', fileArg(conversion.vtt)]),
  ];
}

/**
 * The character set to tell ffmpeg for a sidecar's bytes: none for UTF-8 (or a UTF-16 file with
 * its byte-order mark, which ffmpeg reads itself), else Windows-1252, what old SRT files mostly are.
 */
export function sidecarCharset(bytes: Uint8Array): string | undefined {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) return undefined;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return undefined;
  } catch {
    return 'CP1252';
  }
}

/** A file name part for a language (`en`, `pt-BR`, `und`), unique among `taken` (`en`, `en-2`, …). */
export function uniqueSlug(language: string | undefined, taken: Set<string>): string {
  const base = (language ?? 'und').replace(/[^A-Za-z0-9-]/g, '');
  let slug = base || 'und';
  for (let n = 2; taken.has(slug.toLowerCase()); n += 1) slug = `${base}-${n}`;
  taken.add(slug.toLowerCase());
  return slug;
}
