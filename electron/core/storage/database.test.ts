import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { PAGE_CACHE_KIB, openDatabase } from './database';

const dirs: string[] = [];
function tempFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'haven-db-'));
  dirs.push(dir);
  return path.join(dir, 'haven.db');
}

afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('openDatabase page cache', () => {
  it('caps SQLite page cache at 2 MB, not the 16 MB better-sqlite3 builds in', () => {
    const file = tempFile();
    // better-sqlite3's own default, which Core's resident memory grew into as its database grew.
    const plain = new Database(file);
    expect(plain.pragma('cache_size', { simple: true })).toBe(-16000);
    plain.close();

    const db = openDatabase(file);
    try {
      expect(PAGE_CACHE_KIB).toBe(2000);
      expect(db.pragma('cache_size', { simple: true })).toBe(-2000);
    } finally {
      db.close();
    }
  });

  it('sets it on every connection (the pragma is not stored in the file)', () => {
    const file = tempFile();
    openDatabase(file).close();
    const again = openDatabase(file);
    try {
      expect(again.pragma('cache_size', { simple: true })).toBe(-PAGE_CACHE_KIB);
    } finally {
      again.close();
    }
  });
});
