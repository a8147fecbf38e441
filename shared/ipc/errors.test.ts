import { describe, expect, it } from 'vitest';
import { HavenError, toErrorPayload } from './errors';

const coded = (code: string, message: string): Error => Object.assign(new Error(message), { code });

describe('toErrorPayload', () => {
  it('keeps a HavenError, and wraps any other error as INTERNAL with its message', () => {
    expect(toErrorPayload(new HavenError('NOT_FOUND', 'no job j1'))).toEqual({ code: 'NOT_FOUND', message: 'no job j1' });
    expect(toErrorPayload(new Error('kaboom'))).toEqual({ code: 'INTERNAL', message: 'kaboom' });
    expect(toErrorPayload('kaboom')).toEqual({ code: 'INTERNAL', message: 'kaboom' });
  });

  it("says a full disk is one, from Node's or SQLite's error, and what to do", () => {
    expect(toErrorPayload(coded('ENOSPC', 'ENOSPC: no space left on device, write'))).toEqual({
      code: 'UNAVAILABLE',
      message: 'disk full: nothing more can be saved (ENOSPC: no space left on device, write); free some space on the drive, then try again',
    });
    expect(toErrorPayload(coded('SQLITE_FULL', 'database or disk is full'))).toEqual({
      code: 'UNAVAILABLE',
      message: 'disk full: nothing more can be saved (SQLITE_FULL: database or disk is full); free some space on the drive, then try again',
    });
    expect(toErrorPayload(coded('EDQUOT', 'EDQUOT: disk quota exceeded, write')).message).toMatch(/^disk full: /);
    expect(toErrorPayload(coded('ENOENT', 'ENOENT: no such file')).code).toBe('INTERNAL');
  });
});
