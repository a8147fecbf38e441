import { HavenError } from '@haven/sdk';
import YTDlpWrapModule from 'yt-dlp-wrap';

// yt-dlp-wrap is CommonJS: from ESM its class is `.default` (or the module itself once bundled).
const YTDlpWrap = ((YTDlpWrapModule as unknown as { default?: typeof YTDlpWrapModule }).default ?? YTDlpWrapModule) as typeof YTDlpWrapModule;

export interface RunOptions {
  env: Record<string, string>;
  cwd: string;
  signal?: AbortSignal;
  /** Each line yt-dlp writes, stdout and stderr alike. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  cancelled: boolean;
}

const MAX_KEPT = 256 * 1024;
const KILL_GRACE_MS = 3000;

/** Every yt-dlp run in this process, so unloading the plugin can stop them all. */
const running = new Set<() => void>();

export function stopAll(): void {
  for (const stop of [...running]) stop();
}

/**
 * Runs yt-dlp through yt-dlp-wrap, in its own process group, so that cancelling stops yt-dlp and
 * the ffmpeg it started alike (SIGTERM, then SIGKILL after a grace period). Lines are split here:
 * yt-dlp-wrap's own parsing works per chunk and would cut lines in two.
 */
export function runYtDlp(binary: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  const wrap = new YTDlpWrap(binary);
  const group = process.platform !== 'win32';
  const emitter = wrap.exec([...args], { env: options.env, cwd: options.cwd, detached: group, windowsHide: true });
  const child = emitter.ytDlpProcess!;
  let stdout = '';
  let stderr = '';
  let cancelled = false;
  const keep = (kept: string, chunk: string): string => (kept.length + chunk.length > MAX_KEPT ? (kept + chunk).slice(-MAX_KEPT) : kept + chunk);
  const split = (stream: 'stdout' | 'stderr') => {
    let partial = '';
    return (chunk: Buffer | string) => {
      const text = partial + chunk.toString();
      const lines = text.split(/\r?\n|\r/);
      partial = lines.pop() ?? '';
      for (const line of lines) if (line) options.onLine?.(line, stream);
    };
  };
  child.stdout?.on('data', (chunk: Buffer) => (stdout = keep(stdout, chunk.toString())));
  child.stdout?.on('data', split('stdout'));
  child.stderr?.on('data', (chunk: Buffer) => (stderr = keep(stderr, chunk.toString())));
  child.stderr?.on('data', split('stderr'));

  // The group outlives its leader when ffmpeg lingers after yt-dlp has gone, so it is signalled
  // even then (ESRCH when nothing is left).
  const signalGroup = (signal: NodeJS.Signals): void => {
    if (child.pid === undefined) return;
    try {
      if (group) process.kill(-child.pid, signal);
      else if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    } catch {
      // already gone
    }
  };
  let killTimer: ReturnType<typeof setTimeout> | undefined;
  const stop = (): void => {
    cancelled = true;
    signalGroup('SIGTERM');
    killTimer ??= setTimeout(() => signalGroup('SIGKILL'), KILL_GRACE_MS);
  };
  running.add(stop);
  if (options.signal?.aborted) stop();
  options.signal?.addEventListener('abort', stop, { once: true });

  return new Promise<RunResult>((resolve, reject) => {
    // yt-dlp-wrap reports a non-zero exit as an 'error' event; the exit code tells us the same.
    emitter.on('error', () => undefined);
    child.on('error', (error: NodeJS.ErrnoException) => {
      finish();
      reject(new HavenError('NOT_FOUND', `yt-dlp is not installed or cannot start (${binary}: ${error.code ?? error.message})`));
    });
    child.on('close', (code) => {
      finish();
      resolve({ code, stdout, stderr, cancelled });
    });
    const finish = (): void => {
      running.delete(stop);
      options.signal?.removeEventListener('abort', stop);
      // After a cancel the grace period still ends in SIGKILL for whatever is left of the group.
      if (killTimer && !cancelled) clearTimeout(killTimer);
      killTimer?.unref();
    };
  });
}

/** yt-dlp's version, through yt-dlp-wrap. */
export async function ytDlpVersion(binary: string, env: Record<string, string>): Promise<string> {
  return (await new YTDlpWrap(binary).execPromise(['--version'], { env, timeout: 60_000 })).trim();
}
