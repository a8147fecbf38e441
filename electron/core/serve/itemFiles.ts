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
/** Copies kept for the player; the least recently made go first past this. */
const CACHE_LIMIT_BYTES = 2 * 1024 ** 3;
/** At most this many ffmpeg copies at once; more requests wait their turn. */
const MAX_REMUXES = 2;
let running = 0;
const waiting: (() => void)[] = [];

async function slot<T>(work: () => Promise<T>): Promise<T> {
  if (running >= MAX_REMUXES) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await work();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/** Keeps the cache under its limit, removing the oldest copies first. */
function pruneCache(cacheDir: string, keep: string): void {
  const files = fs
    .readdirSync(cacheDir)
    .filter((name) => name.endsWith('.mp4'))
    .map((name) => {
      const full = path.join(cacheDir, name);
      const stat = fs.statSync(full);
      return { full, size: stat.size, at: stat.mtimeMs };
    })
    .sort((a, b) => a.at - b.at);
  let total = files.reduce((sum, file) => sum + file.size, 0);
  for (const file of files) {
    if (total <= CACHE_LIMIT_BYTES) break;
    if (file.full === keep) continue;
    fs.rmSync(file.full, { force: true });
    total -= file.size;
  }
}

/**
 * An MP4 copy of an MPEG-TS segment for the browser, which does not play MPEG-TS: remuxed once
 * (no re-encoding) into `cacheDir`, named by the segment's path, size and time, written as .part.
 */
export function playableCopy(file: string, cacheDir: string, ffmpeg = 'ffmpeg'): Promise<string> {
  const stat = fs.statSync(file);
  const key = crypto.createHash('sha256').update(`${file}\0${stat.size}\0${stat.mtimeMs}`).digest('hex').slice(0, 24);
  const target = path.join(cacheDir, `${key}.mp4`);
  if (fs.existsSync(target)) return Promise.resolve(target);
  const pending = inflight.get(target);
  if (pending) return pending;
  const made = slot(() => new Promise<string>((resolve, reject) => {
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
      try {
        pruneCache(cacheDir, target);
      } catch {
        // A cache that cannot be pruned now is pruned next time.
      }
      resolve(target);
    });
  })).finally(() => inflight.delete(target));
  inflight.set(target, made);
  return made;
}

/** `/derived/<id>`: a file a processor made (a thumbnail), served like an item's file. */
export const DERIVED_FILE_PATH = /^\/derived\/(\d{1,15})$/;

export const ITEM_FILE_PATH = /^\/files\/(\d{1,15})(?:\/(.{1,1024}))?$/;

/**
 * What `/files/<id>[/<path inside>][?as=mp4]` names, for `haven serve` and the desktop app's
 * protocol alike: the item's file, a file inside a folder item, or an MP4 copy of a segment.
 */
export async function resolveItemRequest(root: string | undefined, encodedInside: string | undefined, asMp4: boolean, cacheDir: string | undefined): Promise<{ file: string } | { status: number; message: string }> {
  let file = root;
  if (root && encodedInside) {
    let inside: string;
    try {
      inside = decodeURIComponent(encodedInside);
    } catch {
      return { status: 400, message: 'bad path.' };
    }
    file = fileInsideItem(root, inside);
  }
  if (!file || !fs.existsSync(file) || !fs.statSync(file).isFile()) return { status: 404, message: 'this item has no such file (any more).' };
  if (asMp4 && /\.ts$/i.test(file) && cacheDir) {
    try {
      return { file: await playableCopy(file, cacheDir) };
    } catch (error) {
      return { status: 500, message: `${error instanceof Error ? error.message : String(error)}.` };
    }
  }
  return { file };
}
