import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { HavenError } from '@shared/ipc/errors';
import { FUZZ, hostileText, hostileToken, mutatedBytes } from '@shared/testing/fuzz';
import { HELLO_ENTRY, HELLO_MANIFEST, rawZip, type RawEntry } from '../../../testing/rawZip';
import { unsafePathReason } from './limits';
import { extractEntries, readZipEntries } from './zipReader';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'haven-zip-fuzz-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));
let counter = 0;

const BASE: RawEntry[] = [
  { name: 'plugin.json', data: JSON.stringify(HELLO_MANIFEST) },
  { name: 'index.js', data: HELLO_ENTRY },
  { name: 'lib/', data: '' },
  { name: 'lib/util.js', data: 'export const x = 1;\n', deflate: true },
];
const VALID_ZIP = new Uint8Array(rawZip(BASE));

/** Windows' reserved names (Microsoft's "Naming Files, Paths, and Namespaces"), with any extension. */
const RESERVED = new Set(['con', 'prn', 'aux', 'nul', 'conin$', 'conout$', ...[...'0123456789¹²³'].flatMap((d) => [`com${d}`, `lpt${d}`])]);
const reservedOnWindows = (segment: string): boolean => RESERVED.has(segment.split('.')[0]!.replace(/ +$/, '').toLowerCase());

/** A name the check lets through lands inside the plugin folder on POSIX and on Windows, under a name Windows can hold. */
function expectSafeName(name: string): void {
  const posix = path.posix.resolve('/plugins/p', name);
  expect(posix === '/plugins/p' || posix.startsWith('/plugins/p/'), name).toBe(true);
  const win = path.win32.resolve('C:\\plugins\\p', name);
  expect(win === 'C:\\plugins\\p' || win.startsWith('C:\\plugins\\p\\'), name).toBe(true);
  for (const segment of name.split('/')) {
    expect(reservedOnWindows(segment), `${name}: ${segment} is a device on Windows`).toBe(false);
    // A colon names an NTFS stream (`file.js:evil`), a backslash is a separator there.
    expect(/[:\\\0]/.test(segment), name).toBe(false);
  }
}

/** Reads the package, and extracts it when it is accepted: nothing may land outside the target or throw untyped. */
async function readAndExtract(bytes: Uint8Array, extract: boolean): Promise<void> {
  const sandbox = path.join(work, String(counter++));
  const target = path.join(sandbox, 'a', 'b', 'target');
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const file = path.join(sandbox, 'p.havenplugin');
  fs.writeFileSync(file, bytes);
  try {
    let read: Awaited<ReturnType<typeof readZipEntries>>;
    try {
      read = await readZipEntries(file);
    } catch (error) {
      expect(error, String(error)).toBeInstanceOf(HavenError);
      return;
    }
    try {
      for (const entry of read.entries) expectSafeName(entry.name);
      if (!extract) return;
      try {
        await extractEntries(read.zip, read.raw, target, '');
      } catch (error) {
        expect(error, String(error)).toBeInstanceOf(HavenError);
      }
    } finally {
      read.zip.close();
    }
    // Only the target's own folders exist beside the package.
    expect(fs.readdirSync(sandbox).sort()).toEqual(['a', 'p.havenplugin']);
    expect(fs.readdirSync(path.join(sandbox, 'a'))).toEqual(['b']);
    expect(fs.readdirSync(path.join(sandbox, 'a', 'b')).filter((n) => n !== 'target')).toEqual([]);
  } finally {
    fs.rmSync(sandbox, { recursive: true, force: true });
  }
}

const segment = fc.oneof(hostileToken, fc.constantFrom('a', 'lib', 'x.js', 'COM\u00b9', 'lpt\u00b3.txt', 'CONIN$', 'conout$', 'nul .txt', 'con.', 'C:', 'file.js:stream', '..', '.', ''), hostileText(3));
const hostileName = fc.array(segment, { minLength: 1, maxLength: 4 }).chain((parts) => fc.constantFrom('/', '\\', '//').map((sep) => parts.join(sep)));
const hostileEntry = fc.record({
  name: fc.oneof(hostileName, hostileText(10)),
  data: fc.oneof(fc.string({ maxLength: 20 }), fc.constant('')),
  mode: fc.constantFrom(undefined, 0o100644, 0o120777, 0o040755, 0o020644, 0o010644),
  encrypted: fc.boolean(),
  deflate: fc.boolean(),
  claimedSize: fc.option(fc.nat({ max: 300 }), { nil: undefined }),
});

describe('unsafePathReason', () => {
  // Found by this suite: COM¹-COM³, LPT¹-LPT³, CONIN$ and CONOUT$ (devices on Windows) and
  // "nul .txt" passed as ordinary names.
  it('lets through only names that stay inside the plugin folder and that Windows can hold', () => {
    fc.assert(
      fc.property(fc.oneof(hostileName, hostileText(16)), (name) => {
        if (unsafePathReason(name) === undefined) expectSafeName(name);
      }),
      { ...FUZZ, numRuns: 500 },
    );
    for (const name of ['../x', 'a/../../x', '/x', 'C:/x', 'c:x', 'a\\b', 'CON', 'com\u00b2.txt', 'CONOUT$', 'nul .txt', 'a/./b', 'x:y']) expect(unsafePathReason(name), name).toBeDefined();
    for (const name of ['plugin.json', 'dist/index.js', 'assets/', 'console.js', 'com10.txt', 'nul-hypothesis.md']) expect(unsafePathReason(name), name).toBeUndefined();
  });
});

describe('readZipEntries and extractEntries under hostile packages', () => {
  it('refuse arbitrary bytes with a HavenError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 60 }).map((tail) => new Uint8Array([0x50, 0x4b, 0x05, 0x06, ...tail]))), (bytes) => readAndExtract(bytes, false)),
      { ...FUZZ, numRuns: 200 },
    );
  });

  it('read or refuse mutated packages, and extract only inside the target', async () => {
    await fc.assert(fc.asyncProperty(mutatedBytes(VALID_ZIP, 3), (bytes) => readAndExtract(bytes, true)), { ...FUZZ, numRuns: 200 });
  });

  // Found by this suite: a file "a" beside a file "a/b" passed the checks and the extraction then
  // failed with a bare ENOTDIR/EEXIST from the file system instead of a refusal.
  it('refuse hostile entry names (zip-slip, absolute, drives, devices, backslashes, symlinks) before writing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(hostileEntry, { minLength: 1, maxLength: 3 }), fc.nat(), async (extra, at) => {
        const entries = [...BASE];
        for (const entry of extra) entries.splice(at % (entries.length + 1), 0, entry);
        await readAndExtract(new Uint8Array(rawZip(entries)), true);
      }),
      { ...FUZZ, numRuns: 150 },
    );
  });

  it('refuse a file that another entry uses as a folder, in either order', async () => {
    for (const order of [
      ['lib/util.js', 'lib'],
      ['a', 'a/b/c.js'],
      ['A', 'a/b.js'],
    ]) {
      const entries = [...BASE.slice(0, 2), ...order.map((name) => ({ name, data: 'x' }))];
      const file = path.join(work, `order-${counter++}.havenplugin`);
      fs.writeFileSync(file, rawZip(entries));
      await expect(readZipEntries(file), order.join(' + ')).rejects.toThrow(/is a file and a folder/);
    }
  });
});
