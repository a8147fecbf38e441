import path from 'node:path';
import bencode from 'bencode';
import fc from 'fast-check';
import parseTorrent from 'parse-torrent';
import { describe, expect, it } from 'vitest';
import { HavenError, type HttpResponse } from '@haven/sdk';
import { FUZZ, hostileText, hostileToken, mutatedBytes } from '@shared/testing/fuzz';
import { magnetInfoHash, readTorrentInput, unsafePath } from './torrentInput';

/** Serves `bytes` as the body of any http(s) address. */
const serve = (bytes: Uint8Array) => (): Promise<HttpResponse> =>
  Promise.resolve({
    ok: true,
    status: 200,
    statusText: 'OK',
    url: 'https://t.example/x.torrent',
    headers: { get: () => null },
    body: null,
    text: () => Promise.resolve(Buffer.from(bytes).toString('utf8')),
    json: () => Promise.reject(new Error('not JSON')),
    arrayBuffer: () => Promise.resolve(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer),
  });

const inside = (root: string, relative: string, p: typeof path.posix | typeof path.win32): boolean => {
  const target = p.resolve(root, relative);
  return target.startsWith(root + p.sep);
};

/** Reads the bytes as a downloaded .torrent: a parsed torrent or a HavenError, nothing else. */
async function readOrRefusal(bytes: Uint8Array): Promise<void> {
  let input: Awaited<ReturnType<typeof readTorrentInput>>;
  try {
    input = await readTorrentInput('https://t.example/x.torrent', serve(bytes));
  } catch (error) {
    expect(error, String(error)).toBeInstanceOf(HavenError);
    expect(['INVALID_INPUT', 'FORBIDDEN']).toContain((error as HavenError).code);
    return;
  }
  expect(input.kind).toBe('file');
  expect(input.infoHash).toMatch(/^[0-9a-f]{40}$/);
  // What WebTorrent will write: parse-torrent's name and file paths, under the staging folder.
  const parsed = await parseTorrent(bytes);
  const names = [String(parsed.name), ...(parsed.files ?? []).map((file) => file.path)];
  for (const name of names) {
    expect(inside('/staging/hash', name, path.posix), name).toBe(true);
    expect(inside('C:\\staging\\hash', name, path.win32), name).toBe(true);
  }
  expect(parsed.name).not.toMatch(/^\.{1,2}$|[\\/]|^$/);
}

const PIECES = new Uint8Array(20);
const VALID_SINGLE = bencode.encode({ announce: 'http://t/announce', info: { name: 'one.bin', length: 5, 'piece length': 16384, pieces: PIECES } });
const VALID_MULTI = bencode.encode({ info: { name: 'pack', 'piece length': 16384, pieces: PIECES, files: [{ length: 3, path: ['a', 'b.txt'] }, { length: 4, path: ['c.txt'] }] } });

/** A name or path part as a torrent could carry it: text (bytes), or the wrong type altogether. */
const part = fc.oneof(
  { weight: 4, arbitrary: fc.oneof(hostileToken, hostileText(6), fc.constantFrom('a', 'b.txt', 'ok')).map((text) => new TextEncoder().encode(text)) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(0, 1, -1, [], [new TextEncoder().encode('..')], {}) },
);
const fileEntry = fc.record(
  {
    length: fc.oneof(fc.nat({ max: 100 }), fc.constantFrom<unknown>(-1, 'x')),
    path: fc.oneof(fc.array(part, { maxLength: 4 }), part),
    'path.utf-8': fc.oneof(fc.array(part, { maxLength: 4 }), part),
  },
  { requiredKeys: ['length'] },
);
const hostileTorrent = fc
  .record(
    {
      name: part,
      'name.utf-8': part,
      length: fc.nat({ max: 100 }),
      files: fc.oneof(fc.array(fileEntry, { maxLength: 4 }), fc.constantFrom<unknown>(0, 1, new Uint8Array(0), {})),
    },
    { requiredKeys: [] },
  )
  .map((info) => bencode.encode({ info: { 'piece length': 16384, pieces: PIECES, ...info } }));

describe('readTorrentInput under hostile .torrent files', () => {
  it('reads or refuses arbitrary bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), readOrRefusal),
      { ...FUZZ, numRuns: 300 },
    );
  });

  it('reads or refuses mutated torrents', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(mutatedBytes(VALID_SINGLE), mutatedBytes(VALID_MULTI)), readOrRefusal),
      { ...FUZZ, numRuns: 400 },
    );
  });

  // Found by this suite: with `name.utf-8` or `path.utf-8` present but falsy (the integer 0),
  // parse-torrent falls back to `name`/`path` while the check looked at the 0: `path.utf-8: 0`
  // threw a TypeError, and `name.utf-8: 0` let a `..` name through unchecked; `files: 0` threw too.
  it('refuses torrents whose names would leave their folder, whatever types the fields have', async () => {
    await fc.assert(fc.asyncProperty(hostileTorrent, readOrRefusal), { ...FUZZ, numRuns: 400 });
  });

  it('finds the escape in the field parse-torrent uses', async () => {
    const enc = (text: string) => new TextEncoder().encode(text);
    const refused = async (info: Record<string, unknown>) => {
      const bytes = bencode.encode({ info: { 'piece length': 16384, pieces: PIECES, length: 1, ...info } });
      return (await readTorrentInput('https://t.example/x.torrent', serve(bytes)).catch((error: unknown) => error)) as HavenError;
    };
    expect(await refused({ name: enc('..'), 'name.utf-8': 0 })).toMatchObject({ code: 'FORBIDDEN' });
    expect(await refused({ name: enc('pack'), files: [{ length: 1, path: [enc('..'), enc('x')], 'path.utf-8': 0 }] })).toMatchObject({ code: 'FORBIDDEN' });
    expect(await refused({ name: enc('pack'), files: 0 })).not.toBeInstanceOf(TypeError);
    expect(unsafePath({ name: enc('ok'), files: [{ path: [enc('a')] }] })).toBeUndefined();
  });
});

describe('magnetInfoHash', () => {
  it('gives a 40-hex hash or nothing for any text', () => {
    fc.assert(
      fc.property(
        fc.oneof(hostileText(20), fc.string().map((s) => `magnet:?${s}`), fc.stringMatching(/^[A-Za-z2-7]{32}$/).map((h) => `magnet:?xt=urn:btih:${h}&dn=x`)),
        (uri) => {
          const hash = magnetInfoHash(uri);
          if (hash !== undefined) expect(hash).toMatch(/^[0-9a-f]{40}$/);
        },
      ),
      { ...FUZZ, numRuns: 400 },
    );
  });
});
