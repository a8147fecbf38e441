import { HavenError } from '../ipc/errors';
import type { PluginContext } from './types';

// Running ffmpeg and ffprobe (or any declared tool) through ctx.spawn, reading ffmpeg's
// `-progress` lines and what ffprobe says about a file: the part every processor plugin that
// uses ffmpeg needs. No Node modules: the SDK runs wherever plugins do.

export interface RunToolOptions {
  /** The job's signal: aborting it stops the program (SIGTERM, then SIGKILL after 2 s). */
  signal: AbortSignal;
  /** Where the program runs: the item's derivedDir, so nothing stray lands anywhere else (default: the plugin's data folder). */
  cwd?: string;
  /** Seconds of media done, from `-progress pipe:1` lines on stdout. */
  onSeconds?: (seconds: number) => void;
  /** How much of the end of stderr to keep, in characters (default 64 Ki); more when the figures a program prints last are wanted (loudnorm's). */
  stderrTail?: number;
}

export interface RunToolResult {
  /** Stdout, up to 8 MiB. */
  stdout: string;
  /** The end of stderr (`stderrTail` characters). */
  stderr: string;
}

export const STDERR_TAIL = 64 * 1024;
const STDOUT_KEEP = 8 * 1024 * 1024;

/** Seconds of media done, from one `-progress` line (`out_time_us=12345678`), or undefined. */
export function progressSeconds(line: string): number | undefined {
  const match = /^out_time_(?:us|ms)=(\d+)\s*$/.exec(line.trim());
  return match ? Number(match[1]) / 1e6 : undefined;
}

/** Percent done (0–99; 100 is reported at the end) of `seconds` out of `duration`, or undefined when the length is unknown. */
export function percentOf(seconds: number, duration: number | undefined): number | undefined {
  if (!duration || !Number.isFinite(duration) || duration <= 0) return undefined;
  return Math.max(0, Math.min(99, Math.round((seconds / duration) * 1000) / 10));
}

/**
 * The line of a program's stderr worth showing a user: the last one that names a problem (ffmpeg
 * ends with a bare "Conversion failed!" after the line that says why), else the last line.
 */
export function lastErrorLine(stderr: string): string {
  const lines = stderr
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
  const telling = lines.filter((line) => !/^Conversion failed!?$/i.test(line) && /error|invalid|failed|cannot|unable|no such|not found|denied|unknown|not supported|too /i.test(line));
  return (telling.at(-1) ?? lines.at(-1) ?? 'no output').slice(0, 500);
}

/** A path as ffmpeg's input or output: `file:` keeps a name with `:` or `|` from being read as a protocol. */
export function fileArg(file: string): string {
  return `file:${file}`;
}

type Spawner = Pick<PluginContext<unknown>, 'spawn'>;
/** shared/'s host-neutral AbortSignal type leaves this out; every host (browser, Electron, Node) has it. */
type RemovableSignal = AbortSignal & { removeEventListener(type: 'abort', listener: () => void): void };

/** Runs a declared tool (ffmpeg, ffprobe) to the end; throws CANCELLED when the signal aborts, INTERNAL when it fails. */
export async function runTool(ctx: Spawner, binary: string, args: readonly string[], options: RunToolOptions): Promise<RunToolResult> {
  if (options.signal.aborted) throw new HavenError('CANCELLED', 'cancelled');
  const keep = options.stderrTail ?? STDERR_TAIL;
  const proc = ctx.spawn(binary, args, { ...(options.cwd ? { cwd: options.cwd } : {}), signal: options.signal });
  let stdout = '';
  let stderr = '';
  let pending = '';
  proc.onStdout((chunk) => {
    if (stdout.length < STDOUT_KEEP) stdout += chunk;
    if (!options.onSeconds) return;
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const seconds = progressSeconds(line);
      if (seconds !== undefined) options.onSeconds(seconds);
    }
  });
  proc.onStderr((chunk) => {
    stderr += chunk;
    if (stderr.length > 2 * keep) stderr = stderr.slice(-keep);
  });
  // ctx.spawn sends SIGTERM on abort; a program that ignores it is killed 2 s later.
  let killTimer: ReturnType<typeof setTimeout> | undefined;
  const onAbort = (): void => {
    proc.kill('SIGTERM');
    killTimer = setTimeout(() => proc.kill('SIGKILL'), 2000);
  };
  options.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const { code, signal } = await proc.exited;
    if (options.signal.aborted) throw new HavenError('CANCELLED', 'cancelled');
    stderr = stderr.slice(-keep);
    if (code !== 0) {
      throw new HavenError('INTERNAL', `${binary} failed (${code === null ? `signal ${signal ?? 'unknown'}` : `exit ${code}`}): ${lastErrorLine(stderr)}`);
    }
    return { stdout, stderr };
  } finally {
    (options.signal as RemovableSignal).removeEventListener('abort', onAbort);
    clearTimeout(killTimer);
  }
}

/** One stream as ffprobe describes it. */
export interface ProbedStream {
  index: number;
  /** `video`, `audio`, `subtitle`, `data`, `attachment`, or `unknown`. */
  type: string;
  /** ffmpeg's codec name (`h264`, `aac`, `mov_text`), or `unknown`. */
  codec: string;
  /** An embedded picture (cover art: `attached_pic`), not a real video stream. */
  cover: boolean;
  /** The stream's `language` tag (`eng`). */
  language?: string;
  /** The stream's `title` tag (`English (SDH)`). */
  title?: string;
  /** Marked forced (only the foreign-language parts). */
  forced?: boolean;
  /** Pixels, for video and pictures. */
  width?: number;
  height?: number;
  /** For audio. */
  channels?: number;
  sampleRate?: number;
}

export interface ProbeInfo {
  /** Seconds, when the container or a stream says. */
  duration?: number;
  streams: ProbedStream[];
}

interface RawStream {
  index?: number;
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  channels?: number;
  sample_rate?: string;
  duration?: string;
  disposition?: { attached_pic?: number; forced?: number };
  tags?: Record<string, string>;
}

const positive = (value: unknown): number | undefined => {
  const number = typeof value === 'string' ? Number(value) : typeof value === 'number' ? value : NaN;
  return Number.isFinite(number) && number > 0 ? number : undefined;
};

/** What `ffprobe -show_streams -show_format -of json` says, reduced to streams and duration. */
export function parseProbe(json: string): ProbeInfo {
  let data: { streams?: RawStream[]; format?: { duration?: string } };
  try {
    data = JSON.parse(json) as typeof data;
  } catch {
    throw new HavenError('INVALID_INPUT', 'ffprobe gave no readable answer: the file is not media ffmpeg can read');
  }
  const raw = Array.isArray(data.streams) ? data.streams : [];
  const streams: ProbedStream[] = [];
  for (const stream of raw) {
    if (typeof stream.index !== 'number') continue;
    const language = stream.tags?.language ?? stream.tags?.LANGUAGE;
    const title = stream.tags?.title ?? stream.tags?.TITLE;
    const [width, height, channels, sampleRate] = [stream.width, stream.height, stream.channels, stream.sample_rate].map(positive);
    streams.push({
      index: stream.index,
      type: stream.codec_type ?? 'unknown',
      codec: stream.codec_name ?? 'unknown',
      cover: stream.disposition?.attached_pic === 1,
      ...(language ? { language } : {}),
      ...(title ? { title } : {}),
      ...(stream.disposition?.forced === 1 ? { forced: true } : {}),
      ...(width ? { width } : {}),
      ...(height ? { height } : {}),
      ...(channels ? { channels } : {}),
      ...(sampleRate ? { sampleRate } : {}),
    });
  }
  const info: ProbeInfo = { streams };
  const duration = positive(data.format?.duration) ?? raw.map((stream) => positive(stream.duration)).find((value) => value !== undefined);
  if (duration !== undefined) info.duration = duration;
  return info;
}

/** ffprobe's arguments for a file's streams and format as JSON. */
export function probeArgs(file: string): string[] {
  return ['-v', 'error', '-hide_banner', '-show_streams', '-show_format', '-of', 'json', fileArg(file)];
}

/** Runs ffprobe on a file; throws INVALID_INPUT when it is not media. */
export async function probe(ctx: Spawner, file: string, options: Omit<RunToolOptions, 'onSeconds'>): Promise<ProbeInfo> {
  return parseProbe((await runTool(ctx, 'ffprobe', probeArgs(file), options)).stdout);
}

/** What a plugin needs of ffmpeg besides the program: filters (`-filters`) and encoders (`-encoders`) by name. */
export interface FfmpegNeeds {
  filters?: readonly string[];
  encoders?: readonly string[];
}

/** AbortSignal.timeout, which shared/'s host-neutral typings leave out. */
function timeoutSignal(ms: number): AbortSignal {
  return (globalThis as unknown as { AbortSignal: { timeout(ms: number): AbortSignal } }).AbortSignal.timeout(ms);
}

/** A health check's answer on ffmpeg and ffprobe: found, running, and with the filters and encoders needed. */
export async function checkTools(
  ctx: Pick<PluginContext<unknown>, 'spawn' | 'which'>,
  needs: FfmpegNeeds,
  componentId: string,
  what: string,
): Promise<{ status: 'pass' | 'fail'; componentId: string; output: string; version?: string }> {
  const [ffmpeg, ffprobe] = await Promise.all([ctx.which('ffmpeg'), ctx.which('ffprobe')]);
  const missing = [!ffmpeg && 'ffmpeg', !ffprobe && 'ffprobe'].filter(Boolean);
  if (missing.length) return { status: 'fail', componentId, output: `${missing.join(' and ')} not found: install ffmpeg (it brings ffprobe)` };
  const signal = timeoutSignal(8000);
  try {
    const version = ((await runTool(ctx, 'ffmpeg', ['-hide_banner', '-version'], { signal })).stdout.split('\n')[0] ?? '').trim().slice(0, 200);
    const lacking: string[] = [];
    for (const [kind, names] of [
      ['filter', needs.filters],
      ['encoder', needs.encoders],
    ] as const) {
      if (!names) continue;
      const listed = (await runTool(ctx, 'ffmpeg', ['-hide_banner', `-${kind}s`], { signal })).stdout;
      const absent = names.filter((name) => !new RegExp(`^\\s*\\S+\\s+${name}\\s`, 'm').test(listed));
      if (absent.length) lacking.push(`the ${absent.join(', ')} ${kind}${absent.length > 1 ? 's' : ''}`);
    }
    if (lacking.length) return { status: 'fail', componentId, output: `this ffmpeg (${ffmpeg}) lacks ${lacking.join(' and ')}`, version };
    return { status: 'pass', componentId, output: `${what} with ${ffmpeg} and ${ffprobe}`, version };
  } catch (error) {
    return { status: 'fail', componentId, output: `ffmpeg does not run: ${(error as Error).message}` };
  }
}
