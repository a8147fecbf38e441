import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { HavenError } from '@haven/sdk';
import type { LinkMode } from './config';
import { numbered } from './layout';

/** Whether `target` is `root` itself or lies inside it (both resolved, as paths; no file is read). */
export function isInside(root: string, target: string): boolean {
  const relative = path.relative(path.resolve(root), path.resolve(target));
  return relative === '' || (!relative.startsWith(`..${path.sep}`) && relative !== '..' && !path.isAbsolute(relative));
}

/** `root` joined with `components`, refused when the result would leave `root`. */
export function insidePath(root: string, ...components: string[]): string {
  const target = path.resolve(root, ...components);
  if (!isInside(root, target) || target === path.resolve(root)) {
    throw new HavenError('FORBIDDEN', `refusing to write ${target}: it is not inside the library folder ${root}`);
  }
  return target;
}

/** The library folder's real path; it must exist (an unmounted drive is not silently replaced by a new folder). */
export async function realLibrary(dir: string): Promise<string> {
  const real = await fs.promises.realpath(path.resolve(dir)).catch(() => undefined);
  if (!real) throw new HavenError('NOT_FOUND', `the library folder ${dir} does not exist: create it (or mount its drive), or change library_dir`);
  if (!(await fs.promises.stat(real)).isDirectory()) throw new HavenError('INVALID_INPUT', `library_dir ${dir} is not a folder`);
  return real;
}

/**
 * Makes `folders` under the real library folder one at a time, checking after each that its real
 * path (a symlink followed) is still inside the library. Returns the last folder's real path.
 */
export async function ensureFolders(realRoot: string, folders: readonly string[]): Promise<string> {
  let current = realRoot;
  for (const folder of folders) {
    const next = insidePath(current, folder);
    await fs.promises.mkdir(next).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
    const real = await fs.promises.realpath(next);
    if (!isInside(realRoot, real) || real === realRoot) {
      throw new HavenError('FORBIDDEN', `refusing to export into ${next}: it leads out of the library folder ${realRoot} (to ${real})`);
    }
    if (!(await fs.promises.stat(real)).isDirectory()) throw new HavenError('INVALID_INPUT', `${next} is in the way: it is not a folder`);
    current = real;
  }
  return current;
}

const PREFIX_BYTES = 1024 * 1024;

async function prefixHash(file: string): Promise<string> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const buffer = Buffer.alloc(PREFIX_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, PREFIX_BYTES, 0);
    return crypto.createHash('sha256').update(buffer.subarray(0, bytesRead)).digest('hex');
  } finally {
    await handle.close();
  }
}

/**
 * Whether `target` already holds `source`: the same file (a hard link), a symlink to it, or a
 * regular file of the same size whose first MiB hashes the same.
 */
export async function sameFile(source: string, target: string): Promise<boolean> {
  const link = await fs.promises.lstat(target).catch(() => undefined);
  if (!link) return false;
  if (link.isSymbolicLink()) {
    const [to, from] = await Promise.all([fs.promises.realpath(target).catch(() => undefined), fs.promises.realpath(source)]);
    return to === from;
  }
  if (!link.isFile()) return false;
  const stat = await fs.promises.stat(source);
  if (stat.dev === link.dev && stat.ino === link.ino) return true;
  if (stat.size !== link.size) return false;
  return (await prefixHash(source)) === (await prefixHash(target));
}

/** Makes a link, throwing an error with the filesystem's `code` when refused. */
export type Linker = (source: string, target: string, symbolic: boolean) => Promise<void>;

/** Links made here directly; in Haven the plugin sandbox refuses them, so `ctx.linkFile` makes them. */
const directLink: Linker = async (source, target, symbolic) => {
  if (symbolic) await fs.promises.symlink(await fs.promises.realpath(source), target);
  else await fs.promises.link(source, target);
};

export interface CopyOptions {
  signal?: AbortSignal | undefined;
  onBytes?: ((bytes: number) => void) | undefined;
  link?: Linker | undefined;
  /** Never replace an existing target (poster.jpg, folder.jpg): false when one was there. */
  exclusive?: boolean;
}

/** Copies through `target.part`, renamed when complete (keeping the source's modification time). */
export async function copyAtomic(source: string, target: string, options: CopyOptions = {}): Promise<boolean> {
  const part = `${target}.part`;
  await fs.promises.rm(part, { force: true });
  let done = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      done += chunk.length;
      options.onBytes?.(done);
      callback(null, chunk);
    },
  });
  try {
    try {
      await pipeline(fs.createReadStream(source), counter, fs.createWriteStream(part, { flags: 'wx' }), ...(options.signal ? [{ signal: options.signal }] : []));
    } catch (error) {
      if (options.signal?.aborted) throw new HavenError('CANCELLED', 'the export was cancelled');
      throw error;
    }
    const stat = await fs.promises.stat(source);
    await fs.promises.utimes(part, stat.atimeMs / 1000, stat.mtimeMs / 1000);
    if (options.exclusive) {
      try {
        await fs.promises.link(part, target);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
        throw error;
      }
    } else {
      await fs.promises.rename(part, target);
    }
    return true;
  } finally {
    await fs.promises.rm(part, { force: true });
  }
}

/** Writes text through `target.part` and a rename; leaves an identical file alone. */
export async function writeAtomic(target: string, content: string): Promise<'written' | 'unchanged'> {
  const existing = await fs.promises.readFile(target, 'utf8').catch(() => undefined);
  if (existing === content) return 'unchanged';
  const part = `${target}.part`;
  await fs.promises.rm(part, { force: true });
  try {
    await fs.promises.writeFile(part, content, { flag: 'wx' });
    await fs.promises.rename(part, target);
  } finally {
    await fs.promises.rm(part, { force: true });
  }
  return 'written';
}

/** Errors of `link` that mean "this filesystem cannot hard-link here", so a copy is made instead. */
const NO_HARDLINK = new Set(['EXDEV', 'EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EMLINK', 'ENOSYS']);

export interface Placed {
  path: string;
  /** The base name used (with ` (2)` … when the first was taken by another file). */
  base: string;
  /** How the file got there: the configured mode, `copy` when a hard link was impossible, or `existing`. */
  mode: LinkMode | 'existing';
  note?: string;
}

/**
 * Puts `source` at `<dir>/<base><ext>`: nothing to do when that already holds it, ` (2)`, ` (3)` …
 * when another file has the name.
 */
export async function placeMedia(source: string, dir: string, base: string, ext: string, mode: LinkMode, options: CopyOptions = {}): Promise<Placed> {
  for (let n = 1; n <= 99; n += 1) {
    const name = numbered(base, n);
    const target = insidePath(dir, `${name}${ext}`);
    if (await fs.promises.lstat(target).catch(() => undefined)) {
      if (await sameFile(source, target)) return { path: target, base: name, mode: 'existing' };
      continue;
    }
    try {
      const link = options.link ?? directLink;
      if (mode === 'symlink') {
        await link(source, target, true);
        return { path: target, base: name, mode };
      }
      if (mode === 'hardlink') {
        try {
          await link(source, target, false);
          return { path: target, base: name, mode };
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code ?? '';
          if (!NO_HARDLINK.has(code)) throw error;
          await copyAtomic(source, target, options);
          const note = code === 'EXDEV' ? 'copied: the library is on another filesystem than the archive' : `copied: the filesystem refused a hard link (${code})`;
          return { path: target, base: name, mode: 'copy', note };
        }
      }
      await copyAtomic(source, target, options);
      return { path: target, base: name, mode };
    } catch (error) {
      // Someone made the name in the meantime: try the next.
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw error;
    }
  }
  throw new HavenError('CONFLICT', `${base}${ext} and 98 numbered variants are taken by other files in ${dir}`);
}
