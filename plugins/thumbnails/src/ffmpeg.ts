import { HavenError, type PluginContext } from '@haven/sdk';

// Running ffmpeg and ffprobe through ctx.spawn, and reading what ffprobe says about a file.
// (The same small helper lives in plugins/loudness: each plugin is bundled on its own.)

export interface RunOptions {
  /** The job's signal: aborting it stops the program (SIGTERM, then SIGKILL after 2 s). */
  signal: AbortSignal;
  /** Where the program runs: the item's derivedDir, so nothing stray lands anywhere else (default: the plugin's data folder). */
  cwd?: string;
  /** Seconds of media done, from `-progress pipe:1` lines on stdout. */
  onSeconds?: (seconds: number) => void;
}

export interface RunResult {
  stdout: string;
  /** The last 256 KiB of stderr (loudnorm prints its figures at the very end). */
  stderr: string;
}

const STDERR_KEEP = 256 * 1024;
const STDOUT_KEEP = 8 * 1024 * 1024;

/** Seconds of media done, from one `-progress` line (`out_time_us=12345678`), or undefined. */
export function progressSeconds(line: string): number | undefined {
  const match = /^out_time_(?:us|ms)=(\d+)\s*$/.exec(line.trim());
  return match ? Number(match[1]) / 1e6 : undefined;
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
  const telling = lines.filter((line) => !/^Conversion failed!?$/i.test(line) && /error|invalid|failed|cannot|unable|no such|not found|denied|unknown|too /i.test(line));
  return (telling.at(-1) ?? lines.at(-1) ?? 'no output').slice(0, 500);
}

/** A path as ffmpeg's input or output: `file:` keeps a name with `:` or `|` from being read as a protocol. */
export function fileArg(file: string): string {
  return `file:${file}`;
}

type Runner = Pick<PluginContext<unknown>, 'spawn'>;

/** Runs ffmpeg or ffprobe to the end; throws CANCELLED when the signal aborts, INTERNAL when it fails. */
export async function run(ctx: Runner, binary: 'ffmpeg' | 'ffprobe', args: readonly string[], options: RunOptions): Promise<RunResult> {
  if (options.signal.aborted) throw new HavenError('CANCELLED', 'cancelled');
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
    if (stderr.length > 2 * STDERR_KEEP) stderr = stderr.slice(-STDERR_KEEP);
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
    stderr = stderr.slice(-STDERR_KEEP);
    if (code !== 0) {
      throw new HavenError('INTERNAL', `${binary} failed (${code === null ? `signal ${signal ?? 'unknown'}` : `exit ${code}`}): ${lastErrorLine(stderr)}`);
    }
    return { stdout, stderr };
  } finally {
    options.signal.removeEventListener('abort', onAbort);
    clearTimeout(killTimer);
  }
}

export interface ProbeInfo {
  /** Seconds, when the container or a stream says. */
  duration?: number;
  /** The first real video stream (not cover art). */
  video?: { index: number; width?: number; height?: number };
  /** An embedded picture (cover art: `attached_pic`). */
  cover?: { index: number };
  /** The first audio stream. */
  audio?: { index: number; channels?: number; sampleRate?: number };
}

interface RawStream {
  index?: number;
  codec_type?: string;
  width?: number;
  height?: number;
  channels?: number;
  sample_rate?: string;
  duration?: string;
  disposition?: { attached_pic?: number };
}

const positive = (value: unknown): number | undefined => {
  const number = typeof value === 'string' ? Number(value) : typeof value === 'number' ? value : NaN;
  return Number.isFinite(number) && number > 0 ? number : undefined;
};

/** What `ffprobe -show_streams -show_format -of json` says, reduced to what the processors need. */
export function parseProbe(json: string): ProbeInfo {
  let data: { streams?: RawStream[]; format?: { duration?: string } };
  try {
    data = JSON.parse(json) as typeof data;
  } catch {
    throw new HavenError('INVALID_INPUT', 'ffprobe gave no readable answer: the file is not media ffmpeg can read');
  }
  const streams = Array.isArray(data.streams) ? data.streams : [];
  const info: ProbeInfo = {};
  for (const stream of streams) {
    if (typeof stream.index !== 'number') continue;
    if (stream.codec_type === 'video') {
      if (stream.disposition?.attached_pic === 1) info.cover ??= { index: stream.index };
      else info.video ??= { index: stream.index, ...(stream.width ? { width: stream.width } : {}), ...(stream.height ? { height: stream.height } : {}) };
    } else if (stream.codec_type === 'audio') {
      const sampleRate = positive(stream.sample_rate);
      info.audio ??= { index: stream.index, ...(stream.channels ? { channels: stream.channels } : {}), ...(sampleRate ? { sampleRate } : {}) };
    }
  }
  const duration = positive(data.format?.duration) ?? streams.map((stream) => positive(stream.duration)).find((value) => value !== undefined);
  if (duration !== undefined) info.duration = duration;
  return info;
}

/** ffprobe's arguments for a file's streams and format as JSON. */
export function probeArgs(file: string): string[] {
  return ['-v', 'error', '-hide_banner', '-show_streams', '-show_format', '-of', 'json', fileArg(file)];
}

export async function probe(ctx: Runner, file: string, options: Omit<RunOptions, 'onSeconds'>): Promise<ProbeInfo> {
  return parseProbe((await run(ctx, 'ffprobe', probeArgs(file), options)).stdout);
}

/** The health of ffmpeg and ffprobe, and which of the needed filters this ffmpeg lacks. */
export async function checkTools(
  ctx: Pick<PluginContext<unknown>, 'spawn' | 'which'>,
  filters: readonly string[],
  componentId: string,
  what: string,
): Promise<{ status: 'pass' | 'fail'; componentId: string; output: string; version?: string }> {
  const [ffmpeg, ffprobe] = await Promise.all([ctx.which('ffmpeg'), ctx.which('ffprobe')]);
  const missing = [!ffmpeg && 'ffmpeg', !ffprobe && 'ffprobe'].filter(Boolean);
  if (missing.length) return { status: 'fail', componentId, output: `${missing.join(' and ')} not found: install ffmpeg (it brings ffprobe)` };
  const signal = AbortSignal.timeout(8000);
  try {
    const version = lastErrorLine((await run(ctx, 'ffmpeg', ['-hide_banner', '-version'], { signal })).stdout.split('\n')[0] ?? '');
    const listed = (await run(ctx, 'ffmpeg', ['-hide_banner', '-filters'], { signal })).stdout;
    const lacking = filters.filter((filter) => !new RegExp(`^\\s*\\S+\\s+${filter}\\s`, 'm').test(listed));
    if (lacking.length) return { status: 'fail', componentId, output: `this ffmpeg (${ffmpeg}) lacks the ${lacking.join(', ')} filter${lacking.length > 1 ? 's' : ''}`, version };
    return { status: 'pass', componentId, output: `${what} with ${ffmpeg} and ${ffprobe}`, version };
  } catch (error) {
    return { status: 'fail', componentId, output: `ffmpeg does not run: ${(error as Error).message}` };
  }
}
