import path from 'node:path';

export interface PartArgsInput {
  input: string;
  inputArgs: readonly string[];
  dir: string;
  part: number;
  segmentSeconds: number;
  /** Seconds left to record, when the recording has a length. */
  seconds?: number;
  /** Microseconds ffmpeg waits on a silent connection before failing (network inputs). */
  ioTimeoutMicros: number;
  /** Live HLS after a reconnect: start at the newest segment, not three back, so nothing is recorded twice. */
  liveEdge: boolean;
  /** Which tracks to keep: without `all`, ffmpeg's pick (the best video and audio). */
  tracks?: { video?: boolean; audio?: boolean; all?: boolean };
  /** `aac` when the source's sound cannot go into MPEG-TS as it is (G.711 from cameras). */
  audioCodec?: 'copy' | 'aac';
  /** The segments' container: MPEG-TS, or WebM/Matroska for codecs MPEG-TS cannot hold (VP8, VP9, Opus from WebRTC). */
  container?: SegmentContainer;
}

export type SegmentContainer = 'mpegts' | 'webm' | 'matroska';
export const SEGMENT_EXTENSION: Record<SegmentContainer, string> = { mpegts: 'ts', webm: 'webm', matroska: 'mkv' };

/** The output options that pick the tracks and how they are written. */
export function trackArgs(tracks: PartArgsInput['tracks'] = {}, audioCodec: PartArgsInput['audioCodec'] = 'copy'): string[] {
  const video = tracks.video ?? true;
  const audio = tracks.audio ?? true;
  const args: string[] = [];
  if (tracks.all) {
    if (video) args.push('-map', '0:v?');
    if (audio) args.push('-map', '0:a?');
  }
  if (!video) args.push('-vn');
  if (!audio) args.push('-an');
  if (video) args.push('-c:v', 'copy');
  if (audio) args.push('-c:a', audioCodec === 'aac' ? 'aac' : 'copy');
  args.push('-dn', '-sn');
  return args;
}

const NETWORK = /^(https?|rtmps?|rtsp|tcp|udp|srt):/i;

/** The file name pattern of a part's segments: `part001-00000.ts`, in order by name. */
export function segmentPrefix(part: number): string {
  return `part${String(part).padStart(3, '0')}-`;
}

export function segmentListName(part: number): string {
  return `${segmentPrefix(part)}segments.csv`;
}

/**
 * ffmpeg's arguments for one part of a recording: the input copied without re-encoding into
 * MPEG-TS segments (a crash leaves every finished segment, and the last one, playable), with a
 * CSV list of finished segments and machine-readable progress on stdout.
 */
export function partArgs(input: PartArgsInput): string[] {
  const args = ['-hide_banner', '-loglevel', 'warning', '-nostats', '-progress', 'pipe:1'];
  if (/^https?:/i.test(input.input)) args.push('-rw_timeout', String(input.ioTimeoutMicros), '-reconnect', '0');
  // RTSP is a demuxer of its own: its socket timeout is -timeout (rw_timeout would be refused).
  else if (/^rtsps?:/i.test(input.input)) args.push('-timeout', String(input.ioTimeoutMicros));
  else if (NETWORK.test(input.input)) args.push('-rw_timeout', String(input.ioTimeoutMicros));
  if (input.liveEdge && /\.m3u8(\?|$)/i.test(input.input)) args.push('-live_start_index', '-1');
  args.push(...input.inputArgs, '-i', input.input);
  if (input.seconds !== undefined) args.push('-t', input.seconds.toFixed(3));
  args.push(
    ...trackArgs(input.tracks, input.audioCodec),
    '-f', 'segment',
    '-segment_time', String(input.segmentSeconds),
    '-segment_format', input.container ?? 'mpegts',
    '-reset_timestamps', '1',
    '-segment_list', path.join(input.dir, segmentListName(input.part)),
    '-segment_list_type', 'csv',
    '-segment_list_flags', '+live',
    path.join(input.dir, `${segmentPrefix(input.part)}%05d.${SEGMENT_EXTENSION[input.container ?? 'mpegts']}`),
  );
  return args;
}

/** The finished segments a part's CSV list names, with their lengths (`name,start,end` lines). */
export function parseSegmentList(csv: string): { file: string; seconds: number }[] {
  return csv
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .flatMap((line) => {
      const [file, start, end] = line.split(',');
      const seconds = Number(end) - Number(start);
      return file && Number.isFinite(seconds) && seconds >= 0 ? [{ file, seconds }] : [];
    });
}
