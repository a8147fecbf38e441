import { describe, expect, it } from 'vitest';
import type { RecordingManifest } from '@shared/sdk/recording';
import { chatUpTo, recordingTimeline, wallTimeAt } from './recordingTimeline';

const manifest: RecordingManifest = {
  version: 1,
  input: 'http://x/live.m3u8',
  startedAt: '2026-11-29T06:00:00.000Z',
  state: 'ended',
  parts: [
    { part: 2, startedAt: '2026-11-29T06:01:00.000Z', segments: [{ file: 'part002-00000.ts', seconds: 10 }] },
    { part: 1, startedAt: '2026-11-29T06:00:00.000Z', segments: [{ file: 'part001-00000.ts', seconds: 10 }, { file: 'part001-00001.ts', seconds: 8 }] },
  ],
  gaps: [],
  reconnects: 1,
};

describe('recordingTimeline', () => {
  it('plays the parts in order, back to back, each segment placed on the wall clock', () => {
    expect(recordingTimeline(manifest)).toEqual([
      { file: 'part001-00000.ts', part: 1, start: 0, seconds: 10, wallStart: 0 },
      { file: 'part001-00001.ts', part: 1, start: 10, seconds: 8, wallStart: 10 },
      { file: 'part002-00000.ts', part: 2, start: 18, seconds: 10, wallStart: 60 },
    ]);
  });

  it('maps media time to the chat clock across a gap', () => {
    const timeline = recordingTimeline(manifest);
    expect(wallTimeAt(timeline, 5)).toBe(5);
    expect(wallTimeAt(timeline, 17)).toBe(17);
    // After the gap between the parts, the chat clock jumps ahead with the second part.
    expect(wallTimeAt(timeline, 20)).toBe(62);
    expect(wallTimeAt([], 3)).toBe(0);
  });
});

describe('chatUpTo', () => {
  it('counts the lines said up to a time', () => {
    const lines = [{ t: 0.5 }, { t: 2 }, { t: 2 }, { t: 9 }];
    expect(chatUpTo(lines, 0)).toBe(0);
    expect(chatUpTo(lines, 2)).toBe(3);
    expect(chatUpTo(lines, 100)).toBe(4);
  });
});
