import fs from 'node:fs';
import path from 'node:path';
import type { RecorderDeps } from './recorder';
import type { ManifestStore } from './manifestStore';

export const REMUX_FILE = 'recording.mp4';
const REMUX_TIMEOUT_MS = 30 * 60_000;

/** Runs a tool to its end (or a deadline) and gives its output and exit code. */
export function runTool(deps: Pick<RecorderDeps, 'spawn'>, binary: string, args: string[], cwd: string, timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = deps.spawn(binary, args, { cwd });
  let stdout = '';
  let stderr = '';
  proc.onStdout((chunk) => (stdout += chunk.slice(0, 100_000)));
  proc.onStderr((chunk) => (stderr = (stderr + chunk).slice(-4000)));
  const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
  return proc.exited.then(({ code }) => {
    clearTimeout(timer);
    return { code, stdout, stderr };
  });
}

/**
 * Joins the segments, in order, into one MP4 (`recording.mp4.part`, renamed once ffprobe finds
 * its length within a second or 1% of the segments'), copying without re-encoding. The segments
 * are kept until then; the caller removes them.
 */
export async function remuxRecording(deps: Pick<RecorderDeps, 'spawn'>, store: ManifestStore): Promise<string> {
  const { dir } = store;
  const list = path.join(dir, 'concat.txt');
  fs.writeFileSync(list, store.files().map((file) => `file '${file.replaceAll("'", "'\\''")}'`).join('\n') + '\n');
  const part = path.join(dir, `${REMUX_FILE}.part`);
  try {
    const joined = await runTool(deps, 'ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'concat', '-safe', '0', '-i', list, '-map', '0', '-c', 'copy', '-movflags', '+faststart', '-f', 'mp4', part], dir, REMUX_TIMEOUT_MS);
    if (joined.code !== 0) throw new Error(`ffmpeg could not join the segments: ${joined.stderr.trim().split('\n').slice(-2).join(' ')}`);
    const probed = await runTool(deps, 'ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'default=nw=1:nk=1', part], dir, 60_000);
    const seconds = Number(probed.stdout.trim());
    const expected = store.seconds();
    if (!Number.isFinite(seconds) || Math.abs(seconds - expected) > Math.max(1, expected * 0.01)) {
      throw new Error(`the joined file lasts ${probed.stdout.trim() || 'an unknown time'} s, the segments ${expected.toFixed(1)} s`);
    }
    fs.renameSync(part, path.join(dir, REMUX_FILE));
    return REMUX_FILE;
  } finally {
    fs.rmSync(list, { force: true });
    fs.rmSync(part, { force: true });
  }
}
