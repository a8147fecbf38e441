import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * A file inside a library item that is a folder (a recording's segment, its chat), or undefined
 * when the path leaves the folder (`..`, absolute, a link pointing out) or is not a file.
 */
export function fileInsideItem(root: string, relative: string): string | undefined {
  if (!relative || relative.includes('\0') || path.isAbsolute(relative)) return undefined;
  let realRoot: string;
  try {
    if (!fs.statSync(root).isDirectory()) return undefined;
    realRoot = fs.realpathSync(root);
  } catch {
    return undefined;
  }
  const target = path.resolve(realRoot, relative);
  try {
    const real = fs.realpathSync(target);
    const inside = path.relative(realRoot, real);
    if (!inside || inside.startsWith('..') || path.isAbsolute(inside)) return undefined;
    return fs.statSync(real).isFile() ? real : undefined;
  } catch {
    return undefined;
  }
}

const inflight = new Map<string, Promise<string>>();
const REMUX_TIMEOUT_MS = 120_000;

/**
 * An MP4 copy of an MPEG-TS segment for the browser, which does not play MPEG-TS: remuxed once
 * (no re-encoding) into `cacheDir`, named by the segment's path, size and time, written as .part.
 */
export function playableCopy(file: string, cacheDir: string, ffmpeg = 'ffmpeg'): Promise<string> {
  const stat = fs.statSync(file);
  const key = crypto.createHash('sha256').update(`${file}\0${stat.size}\0${stat.mtimeMs}`).digest('hex').slice(0, 24);
  const target = path.join(cacheDir, `${key}.mp4`);
  if (fs.existsSync(target)) return Promise.resolve(target);
  const running = inflight.get(target);
  if (running) return running;
  const made = new Promise<string>((resolve, reject) => {
    fs.mkdirSync(cacheDir, { recursive: true });
    const part = `${target}.part`;
    const child = spawn(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', '-i', file, '-map', '0:v?', '-map', '0:a?', '-c', 'copy', '-movflags', '+faststart', '-f', 'mp4', part], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), REMUX_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`ffmpeg cannot run: ${error.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) {
        fs.rmSync(part, { force: true });
        reject(new Error(`ffmpeg could not make a playable copy: ${stderr.trim().split('\n').at(-1) ?? `exit ${code}`}`));
        return;
      }
      fs.renameSync(part, target);
      resolve(target);
    });
  }).finally(() => inflight.delete(target));
  inflight.set(target, made);
  return made;
}
