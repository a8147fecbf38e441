import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_DROPPED_FILE_BYTES } from '@shared/domain/jobs';
import { errorOf } from '@shared/testing/errorOf';
import { keepDroppedFile, safeDroppedName } from './droppedFiles';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
const tempDir = (): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'haven-dropped-'));
  dirs.push(dir);
  return dir;
};

describe('safeDroppedName', () => {
  it('keeps the extension and drops path parts and unsafe characters', () => {
    expect(safeDroppedName('Big Buck Bunny [1080p].torrent')).toBe('Big Buck Bunny _1080p_.torrent');
    expect(safeDroppedName('../../etc/passwd')).toBe('passwd');
    expect(safeDroppedName('C:\\Users\\me\\show:s01.torrent')).toBe('show_s01.torrent');
    expect(safeDroppedName('...torrent')).toBe('torrent');
    expect(safeDroppedName('..')).toBe('dropped');
    expect(safeDroppedName(`${'x'.repeat(300)}.torrent`)).toBe(`${'x'.repeat(100)}.torrent`);
  });
});

describe('keepDroppedFile', () => {
  it('writes the bytes once under the folder and returns their file: URL', () => {
    const dir = tempDir();
    const data = Buffer.from('d8:announce0:e');
    const url = keepDroppedFile(dir, 'a.torrent', data);
    const file = fileURLToPath(url);
    expect(path.dirname(file)).toBe(dir);
    expect(file.endsWith('-a.torrent')).toBe(true);
    expect(fs.readFileSync(file)).toEqual(data);
    expect(keepDroppedFile(dir, 'a.torrent', data)).toBe(url);
    expect(fs.readdirSync(dir)).toHaveLength(1);
  });

  it('refuses empty and oversized files', async () => {
    const dir = tempDir();
    expect(await errorOf(Promise.resolve().then(() => keepDroppedFile(dir, 'e.torrent', Buffer.alloc(0))))).toMatchObject({ code: 'INVALID_INPUT' });
    expect(await errorOf(Promise.resolve().then(() => keepDroppedFile(dir, 'big.torrent', Buffer.alloc(MAX_DROPPED_FILE_BYTES + 1))))).toMatchObject({ code: 'TOO_LARGE' });
    expect(fs.readdirSync(dir)).toHaveLength(0);
  });
});
