import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

export async function sha256File(file: string, signal?: AbortSignal): Promise<{ sha256: string; size: number }> {
  const hash = crypto.createHash('sha256');
  let size = 0;
  await pipeline(
    fs.createReadStream(file),
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
