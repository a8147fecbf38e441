import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { HavenError, type HttpResponse } from '@haven/sdk';
import parseTorrent from 'parse-torrent';

/** Larger than any real .torrent (a 1 TiB torrent with 16 MiB pieces has ~1.3 MB of hashes). */
export const MAX_TORRENT_BYTES = 16 * 1024 * 1024;

export type TorrentInput = { kind: 'magnet'; magnet: string; infoHash: string } | { kind: 'file'; torrent: Uint8Array; infoHash: string; name: string };

type Http = (url: string, init?: { signal?: AbortSignal }) => Promise<HttpResponse>;

/** The info hash of a magnet link (hex, or base32 as some clients write it), or undefined. */
export function magnetInfoHash(uri: string): string | undefined {
  if (!/^magnet:\?/i.test(uri)) return undefined;
  const params = new URLSearchParams(uri.slice(uri.indexOf('?') + 1));
  for (const xt of params.getAll('xt')) {
    const match = /^urn:btih:([0-9a-f]{40}|[A-Z2-7]{32})$/i.exec(xt);
    if (!match) continue;
    const hash = match[1]!;
    return hash.length === 40 ? hash.toLowerCase() : base32ToHex(hash);
  }
  return undefined;
}

function base32ToHex(text: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const char of text.toUpperCase()) bits += alphabet.indexOf(char).toString(2).padStart(5, '0');
  return (bits.match(/.{4}/g) ?? []).map((nibble) => parseInt(nibble, 2).toString(16)).join('');
}

/**
 * What a source names: a magnet link, a .torrent file (`file:` URL or path) or a .torrent URL,
 * read with a size cap and parsed; anything else, or a torrent that would write outside its own
 * folder, is refused with the reason.
 */
export async function readTorrentInput(uri: string, http: Http, signal?: AbortSignal): Promise<TorrentInput> {
  if (/^magnet:/i.test(uri)) {
    const infoHash = magnetInfoHash(uri);
    if (!infoHash) throw new HavenError('INVALID_INPUT', `not a valid magnet link (it needs xt=urn:btih: and a 40-hex or 32-base32 info hash): ${uri.slice(0, 200)}`);
    return { kind: 'magnet', magnet: uri, infoHash };
  }
  let bytes: Uint8Array;
  if (/^https?:/i.test(uri)) bytes = await download(uri, http, signal);
  else bytes = readLocal(uri.startsWith('file:') ? fileURLToPath(uri) : uri);
  let parsed: Awaited<ReturnType<typeof parseTorrent>>;
  try {
    parsed = await parseTorrent(bytes);
  } catch (error) {
    throw new HavenError('INVALID_INPUT', `${shortName(uri)} is not a valid .torrent file (${(error as Error).message})`);
  }
  if (!parsed.info) throw new HavenError('INVALID_INPUT', `${shortName(uri)} is not a valid .torrent file (no info dictionary)`);
  const unsafe = unsafePath(parsed.info);
  if (unsafe) throw new HavenError('FORBIDDEN', `${shortName(uri)} names a file outside its own folder (${unsafe}); refused`);
  return { kind: 'file', torrent: bytes, infoHash: parsed.infoHash, name: String(parsed.name ?? parsed.infoHash) };
}

function shortName(uri: string): string {
  return uri.length > 200 ? `${uri.slice(0, 200)}…` : uri;
}

function readLocal(file: string): Uint8Array {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch (error) {
    throw new HavenError('NOT_FOUND', `cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  if (size > MAX_TORRENT_BYTES) throw new HavenError('TOO_LARGE', `${file} is ${size} bytes; a .torrent file is at most ${MAX_TORRENT_BYTES}`);
  return fs.readFileSync(file);
}

async function download(url: string, http: Http, signal?: AbortSignal): Promise<Uint8Array> {
  const response = await http(url, signal ? { signal } : {});
  if (response.status === 404) throw new HavenError('NOT_FOUND', `${url}: HTTP 404`);
  if (!response.ok) throw new HavenError('UNAVAILABLE', `${url}: HTTP ${response.status}`);
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > MAX_TORRENT_BYTES) throw new HavenError('TOO_LARGE', `${url} is ${declared} bytes; a .torrent file is at most ${MAX_TORRENT_BYTES}`);
  const body = new Uint8Array(await response.arrayBuffer());
  if (body.length > MAX_TORRENT_BYTES) throw new HavenError('TOO_LARGE', `${url} is larger than ${MAX_TORRENT_BYTES} bytes; not a .torrent file`);
  return body;
}

const text = (value: unknown): string => (value instanceof Uint8Array ? Buffer.from(value).toString('utf8') : String(value ?? ''));

/**
 * The first name in a torrent's info dictionary that would leave the torrent's folder: `..`,
 * `.`, an empty part, or one holding a slash or a drive. Clients normalise such paths in
 * different ways; Haven refuses the torrent instead.
 */
export function unsafePath(info: unknown): string | undefined {
  const dict = info as { name?: unknown; 'name.utf-8'?: unknown; files?: { path?: unknown[]; 'path.utf-8'?: unknown[] }[] };
  const bad = (part: string): boolean => part === '' || part === '.' || part === '..' || /[\\/]|^[a-zA-Z]:/.test(part) || part.includes('\0');
  const name = text(dict['name.utf-8'] ?? dict.name);
  if (bad(name)) return JSON.stringify(name);
  for (const file of dict.files ?? []) {
    const parts = (file['path.utf-8'] ?? file.path ?? []).map(text);
    if (parts.length === 0 || parts.some(bad)) return JSON.stringify(parts.join('/'));
  }
  return undefined;
}
