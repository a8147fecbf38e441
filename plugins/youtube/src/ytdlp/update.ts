import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { HavenError, type HttpResponse } from '@haven/sdk';
import { managedPath } from './binary';
import { ytDlpVersion } from './run';

const MAX_BYTES = 200 * 1024 * 1024;
/** A stalled download (a network that swallows packets) fails after this long without data. */
const IDLE_MS = 30_000;

export interface UpdateDeps {
  toolsDir: string;
  http: (url: string, init?: { signal?: AbortSignal }) => Promise<HttpResponse>;
  env: Record<string, string>;
}

/**
 * Downloads yt-dlp into the plugin's tools folder (as `.part`, checked against the release's SHA2-256SUMS,
 * renamed once it has run `--version`), keeping
 * the copy it replaces as `yt-dlp.previous` for a rollback. A failure leaves the installed copy
 * as it was.
 */
export async function installYtDlp(url: string, deps: UpdateDeps): Promise<string> {
  const target = managedPath(deps.toolsDir);
  const part = `${target}.part`;
  const kept = `${target}.kept`;
  fs.mkdirSync(deps.toolsDir, { recursive: true });
  // Haven stopped while a new copy was being tried: the one it had is put back first.
  if (fs.existsSync(kept)) {
    fs.rmSync(target, { force: true });
    fs.renameSync(kept, target);
  }
  const idle = new AbortController();
  let timer = setTimeout(() => idle.abort(), IDLE_MS);
  const touch = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => idle.abort(), IDLE_MS);
  };
  try {
    let response: HttpResponse;
    try {
      response = await deps.http(url, { signal: idle.signal });
    } catch (error) {
      throw new HavenError('UNAVAILABLE', `cannot download yt-dlp from ${url}: ${reasonOf(error, idle.signal)}; the installed yt-dlp is unchanged`);
    }
    if (!response.ok || !response.body) throw new HavenError(response.status === 404 ? 'NOT_FOUND' : 'UNAVAILABLE', `cannot download yt-dlp from ${url}: HTTP ${response.status}`);
    let received = 0;
    const hash = crypto.createHash('sha256');
    const body = Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
    body.on('data', (chunk: Buffer) => {
      touch();
      hash.update(chunk);
      received += chunk.length;
      if (received > MAX_BYTES) body.destroy(new HavenError('TOO_LARGE', `the download is larger than ${MAX_BYTES} bytes; that is not yt-dlp`));
    });
    try {
      await pipeline(body, fs.createWriteStream(part, { mode: 0o755 }), { signal: idle.signal });
    } catch (error) {
      if (error instanceof HavenError) throw error;
      throw new HavenError('UNAVAILABLE', `the yt-dlp download from ${url} broke off: ${reasonOf(error, idle.signal)}; the installed yt-dlp is unchanged`);
    }
    // Nothing downloaded is run before it matches the release's published checksum.
    await verifyChecksum(response.url || url, hash.digest('hex'), deps, idle.signal);
    fs.chmodSync(part, 0o755);
    // It runs under its own name (the plugin sandbox lets it start only `yt-dlp`), so it goes in
    // place first and the copy it replaced comes back if it does not run as yt-dlp.
    const previous = `${target}.previous`;
    const hadOne = fs.existsSync(target);
    if (hadOne) fs.renameSync(target, kept);
    fs.renameSync(part, target);
    const restore = (): void => {
      fs.rmSync(target, { force: true });
      if (hadOne) fs.renameSync(kept, target);
    };
    let version: string;
    try {
      version = await ytDlpVersion(target, deps.env);
    } catch (error) {
      restore();
      throw new HavenError('INVALID_INPUT', `the file from ${url} does not run as yt-dlp (${firstLine(error)}); the installed yt-dlp is unchanged`);
    }
    if (!/^\d{4}\.\d{2}\.\d{2}/.test(version)) {
      restore();
      throw new HavenError('INVALID_INPUT', `the file from ${url} says its version is "${version.slice(0, 80)}", not a yt-dlp version; the installed yt-dlp is unchanged`);
    }
    if (hadOne) fs.renameSync(kept, previous);
    return `yt-dlp ${version} is installed in ${target}${fs.existsSync(previous) ? ` (the copy it replaced is kept as ${path.basename(previous)})` : ''}.`;
  } finally {
    clearTimeout(timer);
    fs.rmSync(part, { force: true });
  }
}

/**
 * Checks a download against the `SHA2-256SUMS` file published beside it (as yt-dlp's releases
 * are), by the file's name in the address it finally came from.
 */
async function verifyChecksum(fileUrl: string, actual: string, deps: UpdateDeps, signal: AbortSignal): Promise<void> {
  const sumsUrl = new URL('SHA2-256SUMS', fileUrl).href;
  const name = decodeURIComponent(new URL(fileUrl).pathname.split('/').at(-1) ?? '');
  let text: string;
  try {
    const response = await deps.http(sumsUrl, { signal });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    text = await response.text();
  } catch (error) {
    throw new HavenError('UNAVAILABLE', `cannot check the yt-dlp download: ${sumsUrl} cannot be read (${reasonOf(error, signal)}); the installed yt-dlp is unchanged`);
  }
  const expected = text
    .split(/\r?\n/)
    .map((line) => /^([0-9a-f]{64})\s+\*?(.+)$/i.exec(line.trim()))
    .find((match) => match?.[2] === name)?.[1]
    ?.toLowerCase();
  if (!expected) throw new HavenError('INVALID_INPUT', `cannot check the yt-dlp download: ${sumsUrl} lists no ${name}; the installed yt-dlp is unchanged`);
  if (expected !== actual) throw new HavenError('INVALID_INPUT', `the yt-dlp download does not match its published checksum (${sumsUrl}); the installed yt-dlp is unchanged`);
}

/** Puts back the copy the last update replaced. */
export async function rollbackYtDlp(deps: UpdateDeps): Promise<string> {
  const target = managedPath(deps.toolsDir);
  const previous = `${target}.previous`;
  if (!fs.existsSync(previous)) throw new HavenError('NOT_FOUND', 'there is no previous yt-dlp to go back to (none was replaced yet)');
  const swap = `${target}.swap`;
  if (fs.existsSync(target)) fs.renameSync(target, swap);
  fs.renameSync(previous, target);
  if (fs.existsSync(swap)) fs.renameSync(swap, previous);
  const version = await ytDlpVersion(target, deps.env).catch(() => 'unknown version');
  return `Back to yt-dlp ${version}; the newer copy is kept as ${path.basename(previous)}.`;
}

function reasonOf(error: unknown, idle: AbortSignal): string {
  if (idle.aborted) return `no data for ${IDLE_MS / 1000} s`;
  const cause = (error as { cause?: { code?: string } }).cause;
  return cause?.code ?? (error instanceof Error ? error.message : String(error));
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).trim().split('\n').find(Boolean)?.slice(0, 200) ?? 'no output';
}
