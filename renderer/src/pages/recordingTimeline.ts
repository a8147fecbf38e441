import type { RecordingManifest } from '@shared/sdk/recording';

/** One segment on the recording's media timeline, and where it sits on the wall clock. */
export interface TimelineSegment {
  file: string;
  part: number;
  /** Seconds of media before it (the segments are played back to back). */
  start: number;
  seconds: number;
  /** Seconds from the recording's start (the chat's clock) when it began. */
  wallStart: number;
}

/** The segments in playing order, each placed on the recording's clock by its part's start. */
export function recordingTimeline(manifest: RecordingManifest): TimelineSegment[] {
  const origin = Date.parse(manifest.startedAt);
  const segments: TimelineSegment[] = [];
  let start = 0;
  for (const part of [...manifest.parts].sort((a, b) => a.part - b.part)) {
    let wall = (Date.parse(part.startedAt) - origin) / 1000;
    for (const segment of part.segments) {
      segments.push({ file: segment.file, part: part.part, start, seconds: segment.seconds, wallStart: wall });
      start += segment.seconds;
      wall += segment.seconds;
    }
  }
  return segments;
}

/** The chat clock (seconds since the recording started) at a point of the media timeline. */
export function wallTimeAt(timeline: readonly TimelineSegment[], mediaSeconds: number): number {
  const segment = [...timeline].reverse().find((s) => s.start <= mediaSeconds) ?? timeline[0];
  if (!segment) return 0;
  return segment.wallStart + (mediaSeconds - segment.start);
}

/** The chat lines said up to `wall` seconds: their count (the lines are in time order). */
export function chatUpTo(lines: readonly { t: number }[], wall: number): number {
  let low = 0;
  let high = lines.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (lines[mid]!.t <= wall) low = mid + 1;
    else high = mid;
  }
  return low;
}
