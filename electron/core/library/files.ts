import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

export async function sha256File(file: string, signal?: AbortSignal): Promise<{ sha256: string; size: number }> {
  const hash = crypto.createHash('sha256');
  let size = 0;
  await pipeline(
    // 1 MiB reads: with the default 64 KiB, reading costs more than sha256 itself.
    fs.createReadStream(file, { highWaterMark: 1024 * 1024 }),
    async function* (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        size += chunk.length;
        hash.update(chunk);
        yield* [];
      }
    },
    signal ? { signal } : {},
  );
  return { sha256: hash.digest('hex'), size };
}

/**
 * The sha256 of a file, or of a folder (a multi-file torrent): the hash of its sorted list of
 * `relative path, size, sha256` lines, so a changed, added or removed file changes it.
 */
export async function hashPath(target: string, signal?: AbortSignal): Promise<{ sha256: string; size: number; files: number }> {
  const stat = await fs.promises.stat(target);
  if (stat.isFile()) return { ...(await sha256File(target, signal)), files: 1 };
  if (!stat.isDirectory()) throw new Error(`${target} is neither a file nor a folder`);
  const lines: string[] = [];
  let size = 0;
  const walk = async (dir: string): Promise<void> => {
    const entries = (await fs.promises.readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) {
        const file = await sha256File(full, signal);
        size += file.size;
        lines.push(`${path.relative(target, full).split(path.sep).join('/')}\t${file.size}\t${file.sha256}`);
      }
    }
  };
  await walk(target);
  return { sha256: crypto.createHash('sha256').update(lines.join('\n')).digest('hex'), size, files: lines.length };
}

/** Writes a file whole or not at all: `name.part`, then rename. */
export async function writeFileAtomic(file: string, content: string): Promise<void> {
  const part = `${file}.part`;
  await fs.promises.writeFile(part, content);
  await fs.promises.rename(part, file);
}

const MIME: Record<string, string> = {
  '.mp4': 'video/mp4',
  '.m4v': 'video/mp4',
  '.mkv': 'video/x-matroska',
  '.webm': 'video/webm',
  '.mov': 'video/quicktime',
  '.avi': 'video/x-msvideo',
  '.ts': 'video/mp2t',
  '.flv': 'video/x-flv',
  '.mp3': 'audio/mpeg',
  '.m4a': 'audio/mp4',
  '.aac': 'audio/aac',
  '.ogg': 'audio/ogg',
  '.opus': 'audio/opus',
  '.flac': 'audio/flac',
  '.wav': 'audio/wav',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.pdf': 'application/pdf',
  '.srt': 'text/srt',
  '.vtt': 'text/vtt',
  '.json': 'application/json',
  '.torrent': 'application/x-bittorrent',
};

export function mimeFor(file: string): string | undefined {
  return MIME[path.extname(file).toLowerCase()];
}

export function mediaTypeOf(mime: string | undefined, fallback: string): string {
  if (!mime) return fallback;
  const top = mime.split('/')[0]!;
  return ['video', 'audio', 'image'].includes(top) ? top : fallback;
}

export const SIDECAR_SUFFIX = '.haven.json';
