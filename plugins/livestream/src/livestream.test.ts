import { describe, expect, it } from 'vitest';
import { chatMessageOf } from './chat';
import { recordingFolderName } from './index';

describe('chatMessageOf', () => {
  it('takes author and text from the usual keys, timed by arrival, keeping the payload', () => {
    expect(chatMessageOf('{"user":{"name":"ada"},"message":"hi","ts":1}', 5000)).toEqual({ author: 'ada', text: 'hi', at: 5000, raw: { user: { name: 'ada' }, message: 'hi', ts: 1 } });
    expect(chatMessageOf('{"author":"bob","text":"yo"}', 7)).toMatchObject({ author: 'bob', text: 'yo', at: 7 });
  });

  it('keeps plain text frames, and drops frames without text', () => {
    expect(chatMessageOf('plain words', 1)).toEqual({ text: 'plain words', at: 1 });
    expect(chatMessageOf('{"type":"join","user":"x"}', 1)).toBeUndefined();
    expect(chatMessageOf('[1,2]', 1)).toBeUndefined();
    expect(chatMessageOf('  ', 1)).toBeUndefined();
  });
});

describe('recordingFolderName', () => {
  it('names a recording by its stream and start time, in characters safe everywhere', () => {
    const at = new Date(Date.UTC(2026, 10, 29, 6, 30, 5));
    expect(recordingFolderName('http://127.0.0.1:8080/live/stream.m3u8', undefined, at)).toBe('127.0.0.1 stream 2026-11-29 06-30-05');
    expect(recordingFolderName('rtmp://host/app/key', 'My show: part 1/2', at)).toBe('My show part 1 2 2026-11-29 06-30-05');
  });
});
