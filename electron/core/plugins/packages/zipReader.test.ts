import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HELLO_ENTRY, HELLO_MANIFEST, rawZip, type RawEntry } from '../../../testing/rawZip';
import { unsafePathReason } from './limits';
import { readZipEntries } from './zipReader';

function zipFile(entries: RawEntry[]): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'haven-zip-')), 'p.havenplugin');
  fs.writeFileSync(file, rawZip(entries));
  return file;
}

const base: RawEntry[] = [
  { name: 'plugin.json', data: JSON.stringify(HELLO_MANIFEST) },
  { name: 'index.js', data: HELLO_ENTRY },
];

async function rejection(entries: RawEntry[]): Promise<string> {
  try {
    const { zip } = await readZipEntries(zipFile(entries));
    zip.close();
  } catch (error) {
    return (error as Error).message;
  }
  return 'accepted';
}

describe('readZipEntries refuses unsafe packages before writing anything', () => {
  it('accepts an honest package', async () => {
    const { entries, zip } = await readZipEntries(zipFile(base));
    zip.close();
    expect(entries.map((e) => e.name)).toEqual(['plugin.json', 'index.js']);
  });

  it.each([
    ['zip-slip', [{ name: '../../evil.js', data: 'x' }], /leaves the plugin folder|invalid relative path/],
    ['zip-slip inside a folder', [{ name: 'lib/../../evil.js', data: 'x' }], /leaves the plugin folder|invalid relative path/],
    ['an absolute path', [{ name: '/etc/cron.d/evil', data: 'x' }], /absolute path/],
    ['a drive letter', [{ name: 'C:/evil.js', data: 'x' }], /absolute path|invalid characters/],
    ['backslashes', [{ name: 'a\\..\\..\\evil.js', data: 'x' }], /invalid relative path|leaves the plugin folder/],
    ['a symlink', [{ name: 'link', data: '/etc/passwd', mode: 0o120777 }], /symbolic link/],
    ['an encrypted entry', [{ name: 'secret.js', data: 'x', encrypted: true }], /is encrypted/],
    ['a Windows device name', [{ name: 'CON.txt', data: 'x' }], /Windows device name/],
    ['a name appearing twice', [{ name: 'index.js', data: 'again' }], /appears twice/],
    ['names differing only in case', [{ name: 'PLUGIN.JSON', data: '{}' }], /PLUGIN\.JSON appears twice \(names differing only in case/],
    ['a flood of folders', Array.from({ length: 4001 }, (_, i) => ({ name: `d${i}/`, data: '' })), /entries; the limit is 2000 files/],
    ['a zip bomb', [{ name: 'zeros.bin', data: Buffer.alloc(20 * 1024 * 1024), deflate: true }], /expands \d+ times/],
  ])('refuses %s', async (_label, extra, message) => {
    expect(await rejection([...base, ...(extra as RawEntry[])])).toMatch(message);
  });

  it('refuses too many files', async () => {
    const many = Array.from({ length: 2001 }, (_, i) => ({ name: `f/${i}.txt`, data: 'x' }));
    expect(await rejection([...base, ...many])).toMatch(/more than 2000 files/);
  });

  it('refuses something that is not a zip', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'haven-zip-')), 'p.havenplugin');
    fs.writeFileSync(file, 'PK but not really');
    await expect(readZipEntries(file)).rejects.toThrow(/not a zip file/);
  });
});

describe('unsafePathReason', () => {
  it.each([
    ['plugin.json', undefined],
    ['dist/index.js', undefined],
    ['folder/', undefined],
    ['../x', 'leaves the plugin folder (..)'],
    ['a/../../x', 'leaves the plugin folder (..)'],
    ['/abs', 'is an absolute path'],
    ['D:/abs', 'is an absolute path'],
    ['a\\b', 'uses backslashes'],
    ['nul', 'uses the Windows device name nul'],
    ['com1.log', 'uses the Windows device name com1.log'],
    ['what?.js', 'has characters that are not allowed in file names'],
    ['trailing.', 'ends with a dot or a space'],
  ])('%s → %s', (name, reason) => {
    expect(unsafePathReason(name)).toBe(reason);
  });
});
