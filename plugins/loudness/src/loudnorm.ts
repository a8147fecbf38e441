import { HavenError, fileArg } from '@haven/sdk';

// The two loudnorm passes (EBU R128): arguments and the figures loudnorm prints. Pure, so the
// tests can check them without ffmpeg.

export interface Target {
  /** Integrated loudness, LUFS. */
  target_lufs: number;
  /** Maximum true peak, dBTP. */
  true_peak: number;
  /** Loudness range, LU. */
  lra: number;
}

/** What loudnorm prints with `print_format=json` (numbers; `-inf` for silence). */
export interface Measurement {
  input_i: number;
  input_tp: number;
  input_lra: number;
  input_thresh: number;
  output_i: number;
  output_tp: number;
  output_lra: number;
  output_thresh: number;
  normalization_type: string;
  target_offset: number;
}

/** The sample rate and codec of the normalised copy. */
export const OUTPUT = { sampleRate: 48_000, codec: 'aac', bitrate: '192k', extension: 'm4a', mime: 'audio/mp4' } as const;

const NUMBER_KEYS = ['input_i', 'input_tp', 'input_lra', 'input_thresh', 'output_i', 'output_tp', 'output_lra', 'output_thresh', 'target_offset'] as const;

/** A loudnorm figure: `"-21.78"`, `"-inf"`, `"inf"`. */
export function loudnormNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return NaN;
  const text = value.trim().toLowerCase();
  if (text === '-inf') return -Infinity;
  if (text === 'inf' || text === '+inf') return Infinity;
  return text === '' ? NaN : Number(text);
}

/**
 * loudnorm's JSON block from ffmpeg's stderr: the last `{…}` after a `[Parsed_loudnorm_N @ …]`
 * line. Throws when there is none (the filter did not run to the end).
 */
export function parseLoudnorm(stderr: string): Measurement {
  const marker = stderr.lastIndexOf('[Parsed_loudnorm');
  const open = marker < 0 ? -1 : stderr.indexOf('{', marker);
  const close = open < 0 ? -1 : stderr.indexOf('}', open);
  if (close < 0) throw new HavenError('INTERNAL', 'ffmpeg printed no loudness figures (loudnorm did not finish)');
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(stderr.slice(open, close + 1)) as Record<string, unknown>;
  } catch {
    throw new HavenError('INTERNAL', 'ffmpeg printed loudness figures that are not JSON');
  }
  const measurement = { normalization_type: typeof raw.normalization_type === 'string' ? raw.normalization_type : 'unknown' } as Measurement;
  for (const key of NUMBER_KEYS) measurement[key] = loudnormNumber(raw[key]);
  if (Number.isNaN(measurement.input_i)) throw new HavenError('INTERNAL', 'ffmpeg printed no integrated loudness (input_i)');
  return measurement;
}

/** Silence (or near it) has no loudness to normalise: loudnorm gates everything below -70 LUFS. */
export function isSilent(measurement: Pick<Measurement, 'input_i'>): boolean {
  return !Number.isFinite(measurement.input_i) || measurement.input_i <= -70;
}

function figure(value: number, min: number, max: number): string {
  const finite = Number.isFinite(value) ? value : value > 0 ? max : min;
  return Math.min(max, Math.max(min, finite)).toFixed(2);
}

/**
 * The loudnorm filter: measuring alone (first pass), or with the first pass's figures, linear
 * (second pass). Figures are clamped to the ranges loudnorm accepts.
 */
export function loudnormFilter(target: Target, measured?: Measurement): string {
  const options = [`I=${figure(target.target_lufs, -70, -5)}`, `TP=${figure(target.true_peak, -9, 0)}`, `LRA=${figure(target.lra, 1, 50)}`];
  if (measured) {
    // loudnorm treats some values as "not measured" and then refuses linear mode: measured_LRA 0
    // (a steady tone), measured_I 0, measured_thresh -70 and measured_TP 99. Nudge them off.
    options.push(
      `measured_I=${figure(measured.input_i, -99, -0.01)}`,
      `measured_TP=${figure(measured.input_tp, -99, 98.99)}`,
      `measured_LRA=${figure(measured.input_lra, 0.01, 99)}`,
      `measured_thresh=${figure(measured.input_thresh === -70 ? -69.99 : measured.input_thresh, -99, 0)}`,
      `offset=${figure(Number.isFinite(measured.target_offset) ? measured.target_offset : 0, -99, 99)}`,
      'linear=true',
    );
  }
  options.push('print_format=json');
  return `loudnorm=${options.join(':')}`;
}

// loudnorm prints its figures at the info level, so no `-v error` here; -nostats keeps the rest short.
const COMMON = ['-hide_banner', '-nostdin', '-nostats', '-progress', 'pipe:1'];

/** The first pass: measure one audio stream (`streamIndex` from ffprobe), write nothing. */
export function measureArgs(input: string, target: Target, streamIndex: number): string[] {
  return [...COMMON, '-i', fileArg(input), '-map', `0:${streamIndex}`, '-vn', '-sn', '-dn', '-af', loudnormFilter(target), '-f', 'null', '-'];
}

/** The second pass: normalise linearly with the measured figures into an AAC `.m4a` (MP4) at 48 kHz. */
export function normalizeArgs(input: string, output: string, target: Target, measured: Measurement, streamIndex: number): string[] {
  return [
    ...COMMON,
    '-y',
    '-i',
    fileArg(input),
    '-map',
    `0:${streamIndex}`,
    '-vn',
    '-sn',
    '-dn',
    '-af',
    // loudnorm may work at 192 kHz; -ar brings the copy to 48 kHz. (An aresample filter after
    // loudnorm in the graph fails to negotiate a channel layout in ffmpeg 5.1.)
    loudnormFilter(target, measured),
    '-c:a',
    OUTPUT.codec,
    '-b:a',
    OUTPUT.bitrate,
    '-ar',
    String(OUTPUT.sampleRate),
    '-movflags',
    '+faststart',
    '-f',
    'mp4',
    fileArg(output),
  ];
}

/** Progress of a two-pass run: the first pass is the first 45 %, the second the rest. */
export function passPercent(pass: 1 | 2, seconds: number, duration: number | undefined): number | undefined {
  if (!duration || duration <= 0 || !Number.isFinite(seconds)) return undefined;
  const done = Math.min(1, Math.max(0, seconds / duration));
  return Math.round((pass === 1 ? done * 45 : 45 + done * 55) * 10) / 10;
}

/** A label for the copy: `Normalised to -16 LUFS`. */
export function labelFor(target: Pick<Target, 'target_lufs'>): string {
  return `Normalised to ${Number(target.target_lufs.toFixed(1))} LUFS`;
}

/** Rounded to hundredths, infinities as text (JSON has no -Infinity). */
export function reported(value: number): number | string {
  if (Number.isNaN(value)) return 'unknown';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  return Math.round(value * 100) / 100;
}
