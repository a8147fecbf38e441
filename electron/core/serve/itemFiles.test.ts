import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileInsideItem } from './itemFiles';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'haven-item-'));
const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'haven-outside-'));
fs.writeFileSync(path.join(root, 'part001-00000.ts'), 'x');
fs.mkdirSync(path.join(root, 'sub'));
fs.writeFileSync(path.join(root, 'sub', 'chat.jsonl'), '{}');
fs.writeFileSync(path.join(outside, 'secret.txt'), 'no');
fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(root, 'link.txt'));
afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
  fs.rmSync(outside, { recursive: true, force: true });
});

describe('fileInsideItem', () => {
  it('finds files inside the item folder', () => {
    expect(fileInsideItem(root, 'part001-00000.ts')).toBe(fs.realpathSync(path.join(root, 'part001-00000.ts')));
    expect(fileInsideItem(root, 'sub/chat.jsonl')).toBe(fs.realpathSync(path.join(root, 'sub', 'chat.jsonl')));
  });

  it('refuses what leaves the folder, is not a file, or is not a folder item', () => {
    expect(fileInsideItem(root, '../' + path.basename(outside) + '/secret.txt')).toBeUndefined();
    expect(fileInsideItem(root, path.join(outside, 'secret.txt'))).toBeUndefined();
    expect(fileInsideItem(root, 'link.txt')).toBeUndefined();
    expect(fileInsideItem(root, 'sub')).toBeUndefined();
    expect(fileInsideItem(root, 'missing.ts')).toBeUndefined();
    expect(fileInsideItem(root, 'a\0b')).toBeUndefined();
    expect(fileInsideItem(path.join(root, 'part001-00000.ts'), 'x')).toBeUndefined();
  });
});
