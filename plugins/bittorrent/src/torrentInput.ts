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

/** Decoded as parse-torrent decodes names (TextDecoder drops a leading byte-order mark: "\ufeff" is the name ""). */
const decoder = new TextDecoder();
const text = (value: unknown): string => (value instanceof Uint8Array ? decoder.decode(value) : String(value ?? ''));

/**
 * The first name in a torrent's info dictionary that would leave the torrent's folder: `..`,
 * `.`, an empty part, or one holding a slash or a drive. Clients normalise such paths in
 * different ways; Haven refuses the torrent instead. Both spellings of a field are checked
 * (`name` and `name.utf-8`, `path` and `path.utf-8`), whatever their types: parse-torrent takes
 * the `.utf-8` one only when it is truthy, so an integer 0 there must not hide the other.
 */
export function unsafePath(info: unknown): string | undefined {
  const dict = (typeof info === 'object' && info !== null ? info : {}) as Record<string, unknown>;
  const bad = (part: string): boolean => part === '' || part === '.' || part === '..' || /[\\/]|^[a-zA-Z]:/.test(part) || part.includes('\0');
  const spellings = (record: Record<string, unknown>, key: string): unknown[] => [record[`${key}.utf-8`], record[key]].filter((value) => value !== undefined);
  const names = spellings(dict, 'name').map(text);
  if (names.length === 0) return '""';
  for (const name of names) if (bad(name)) return JSON.stringify(name);
  const multi = Boolean(dict.files);
  if (multi && !Array.isArray(dict.files)) return '"files"';
  // A single-file torrent may carry a path too: parse-torrent joins it to the name.
  for (const file of multi ? (dict.files as unknown[]) : [dict]) {
    const record = (typeof file === 'object' && file !== null ? file : {}) as Record<string, unknown>;
    const paths = spellings(record, 'path').map((value) => ([] as unknown[]).concat(value).map(text));
    if (multi && (paths.length === 0 || paths.some((parts) => parts.length === 0))) return JSON.stringify((paths[0] ?? []).join('/'));
    for (const parts of paths) if (parts.some(bad)) return JSON.stringify(parts.join('/'));
  }
  return undefined;
}
