import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger, fileSink, rotateLogFile } from './log';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function tempLog(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'haven-log-'));
  dirs.push(dir);
  return path.join(dir, 'core.log');
}

describe('fileSink', () => {
  it('keeps the file under its size by moving it to .1, one previous file kept', () => {
    const file = tempLog();
    const sink = fileSink(file, 1000);
    const line = 'x'.repeat(99); // 100 bytes with its newline
    for (let i = 0; i < 25; i++) sink.write(`${String(i).padStart(2, '0')}${line.slice(2)}`);
    sink.close();
    expect(fs.statSync(file).size).toBe(500);
    expect(fs.statSync(`${file}.1`).size).toBe(1000);
    // The newest lines are in the file, the ten before them in .1; older ones are gone.
    expect(fs.readFileSync(file, 'utf8').slice(0, 2)).toBe('20');
    expect(fs.readFileSync(`${file}.1`, 'utf8').slice(0, 2)).toBe('10');
  });

  it('moves a large file aside when it opens', () => {
    const file = tempLog();
    fs.writeFileSync(file, 'y'.repeat(2000));
    const sink = fileSink(file, 1000);
    sink.write('first');
    sink.close();
    expect(fs.readFileSync(file, 'utf8')).toBe('first\n');
    expect(fs.statSync(`${file}.1`).size).toBe(2000);
    expect(rotateLogFile(file, 1000)).toBe(false);
  });

  it.skipIf(!fs.existsSync('/dev/full'))('drops lines on a full disk instead of failing the caller', () => {
    const sink = fileSink('/dev/full');
    const logger = createLogger({ sinks: [sink], stderrLevel: 'off' });
    expect(() => {
      for (let i = 0; i < 3; i++) logger.error('the disk is full', { i });
    }).not.toThrow();
    sink.close();
  });
});

describe('fileSink when the file cannot be moved aside', () => {
  it('tries again only once the file has grown by the limit again, not on every line', () => {
    const file = tempLog();
    // A folder named core.log.1 makes every rename to it fail.
    fs.mkdirSync(`${file}.1`);
    fs.writeFileSync(path.join(`${file}.1`, 'keep'), '');
    const sink = fileSink(file, 1000);
    const renames = vi.spyOn(fs, 'renameSync');
    for (let i = 0; i < 40; i++) sink.write('z'.repeat(99));
    sink.close();
    // 4,000 bytes written: a try at 1,000 and at 2,000, 3,000 (each failing), never on every line.
    expect(renames.mock.calls.length).toBeGreaterThanOrEqual(2);
    expect(renames.mock.calls.length).toBeLessThanOrEqual(4);
    renames.mockRestore();
    expect(fs.statSync(file).size).toBe(4000);
  });
});

describe('createLogger printing to stderr', () => {
  it('survives a stderr that refuses writes (serve.log on a full disk)', () => {
    const logger = createLogger({ sinks: [], stderrLevel: 'warn' });
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => {
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    });
    try {
      expect(() => logger.error('the disk is full')).not.toThrow();
      expect(write).toHaveBeenCalledTimes(1);
      // Node reports a failed asynchronous write to a file stderr as an 'error' event: it is handled.
      expect(process.stderr.listenerCount('error')).toBeGreaterThan(0);
    } finally {
      write.mockRestore();
    }
  });
});
