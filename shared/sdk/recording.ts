import { z } from 'zod';
import type { JobHandle } from './types';

/** A live recording's figures, part of a job's progress. */
export const RecordingProgress = z.object({
  /** Seconds of media written so far, over all parts. */
  seconds: z.number().nonnegative(),
  segments: z.number().int().nonnegative(),
  reconnects: z.number().int().nonnegative(),
  state: z.enum(['connecting', 'live', 'reconnecting', 'finishing', 'ended']),
});
export type RecordingProgress = z.infer<typeof RecordingProgress>;

/** Why a recording ended. */
export const RecordingEnd = z.enum(['stream-ended', 'duration', 'stopped', 'unreachable']);
export type RecordingEnd = z.infer<typeof RecordingEnd>;

export const RecordedSegment = z.object({
  file: z.string(),
  seconds: z.number().nonnegative(),
  /** The length could not be measured (ffprobe failed); it is estimated from the bytes. */
  estimated: z.boolean().optional(),
});
export const RecordingPart = z.object({
  part: z.number().int().positive(),
  startedAt: z.string(),
  endedAt: z.string().optional(),
  /** Why this part ended: the stream ended, stalled, failed, was stopped, or Haven stopped (interrupted). */
  endReason: z.string().optional(),
  segments: z.array(RecordedSegment),
});
export type RecordingPart = z.infer<typeof RecordingPart>;
export const RecordingGap = z.object({ afterPart: z.number().int().positive(), from: z.string(), to: z.string(), seconds: z.number().nonnegative(), reason: z.string() });
export type RecordingGap = z.infer<typeof RecordingGap>;

/** `recording.json` in the recording's folder: what it holds, kept current while it records. */
export const RecordingManifest = z.object({
  version: z.literal(1),
  input: z.string(),
  startedAt: z.string(),
  endedAt: z.string().optional(),
  state: z.enum(['recording', 'finishing', 'ended']),
  endedBy: RecordingEnd.optional(),
  parts: z.array(RecordingPart),
  gaps: z.array(RecordingGap),
  reconnects: z.number().int().nonnegative(),
  /** `chat.jsonl` when chat was recorded, with its message count. */
  chat: z.object({ file: z.string(), messages: z.number().int().nonnegative() }).optional(),
  /** The segments joined into one file once the recording ended (and checked). */
  remuxed: z.string().optional(),
  /** The tracks recorded, as ffprobe finds them in the first segment. */
  tracks: z
    .array(z.object({ kind: z.string(), codec: z.string(), width: z.number().optional(), height: z.number().optional(), sampleRate: z.number().optional(), channels: z.number().optional() }))
    .optional(),
});
export type RecordingManifest = z.infer<typeof RecordingManifest>;

export interface RecordOptions {
  /** What ffmpeg reads: an HLS or DASH playlist, an RTMP address, an HTTP-FLV/TS stream. */
  input: string;
  /** How the recording names its source in recording.json, logs and events (default: `input` without any user:password). */
  label?: string;
  /** The recording's own folder: segments, recording.json, chat.jsonl. A folder holding an unfinished recording continues it as a new part. */
  dir: string;
  /** Seconds per segment file (cuts land on keyframes). */
  segmentSeconds: number;
  /** Seconds without new media before reconnecting (default 30). */
  watchdogSeconds?: number;
  /** Stop after this many seconds of media; 0 or absent: until the stream ends. */
  maxSeconds?: number;
  /** How long a stream that dropped is tried again before the recording ends (default 120 s). */
  reconnectWindowSeconds?: number;
  /** Join the segments into one MP4 at the end, keeping them until the joined file is checked. */
  remux?: boolean;
  /** Extra ffmpeg options placed before `-i` (headers, protocol options). */
  inputArgs?: string[];
  /** Which tracks to keep (default: the best video and audio); `all` keeps every one of the kinds kept. */
  tracks?: { video?: boolean; audio?: boolean; all?: boolean };
  /** `aac` when the source's sound cannot be kept as it is in MPEG-TS (G.711 from cameras and phones). */
  audioCodec?: 'copy' | 'aac';
  /** The segments' container (default MPEG-TS; Matroska holds any codec, WebM VP8/VP9/Opus). */
  container?: 'mpegts' | 'webm' | 'matroska';
  /** Progress and cancellation: cancelling the job stops the recording gracefully and keeps it. */
  job: JobHandle;
}

export interface ChatMessage {
  author?: string;
  text: string;
  /** When it was said (epoch ms); now when absent. */
  at?: number;
  /** The payload as the source sent it. */
  raw?: unknown;
}

export interface RecordingResult {
  dir: string;
  manifest: RecordingManifest;
  /** Seconds of media over all parts. */
  seconds: number;
  bytes: number;
  segments: number;
}

/** A recording in progress: chat can be added while it runs; `done` settles when it ends. */
export interface Recording {
  chat(message: ChatMessage): void;
  /** Ends the recording gracefully (as cancelling the job does); `stream-ended` when the source says it is over, `unreachable` when it cannot be reached again. */
  stop(reason?: 'stopped' | 'stream-ended' | 'unreachable'): void;
  readonly done: Promise<RecordingResult>;
}

/** A recording of frames the plugin decodes itself (WebRTC): encoded by ffmpeg into the same segments. */
export interface FrameRecordOptions extends Omit<RecordOptions, 'input' | 'inputArgs'> {
  /** What the frames come from, for recording.json and events. */
  label: string;
  /** I420 (yuv420p) frames of this size, recorded at this rate (frames are repeated or skipped to keep it). */
  video?: { width: number; height: number; fps: number };
  /** Interleaved signed 16-bit PCM. */
  audio?: { sampleRate: number; channels: number };
}

export interface FrameRecording extends Recording {
  /** The newest video frame (width × height × 1.5 bytes of I420); with `size`, a frame of another size, scaled to the recording's. */
  pushVideo(frame: Uint8Array, size?: { width: number; height: number }): void;
  /** Audio samples as they arrive; gaps become silence. */
  pushAudio(samples: Int16Array | Uint8Array): void;
}

/** One RTP stream as negotiated (WebRTC's answer, SIP's SDP). */
export interface RtpStream {
  kind: 'audio' | 'video';
  /** The codec's name as in SDP: VP8, VP9, H264, opus, PCMU, PCMA, … */
  codec: string;
  payloadType: number;
  clockRate: number;
  channels?: number;
  /** The SDP `a=fmtp` parameters, when the codec needs them (H264's packetization-mode). */
  fmtp?: string;
  /** Other codecs the answer allowed on this stream: the one whose payload type arrives is recorded. */
  alternatives?: Omit<RtpStream, 'kind' | 'alternatives'>[];
}

/** A recording of RTP packets the plugin receives, copied without re-encoding (WebM/Matroska segments). */
export interface RtpRecordOptions extends Omit<RecordOptions, 'input' | 'inputArgs' | 'tracks' | 'audioCodec'> {
  label: string;
  streams: RtpStream[];
  /** Called when a part starts: the source should send a keyframe now (WebRTC: a PLI). */
  onKeyframeNeeded?: () => void;
}

export interface RtpRecording extends Recording {
  /** One RTP packet of `streams[index]`, as received. */
  pushRtp(index: number, packet: Uint8Array): void;
  /** The source was replaced (a new WebRTC session: new SSRC, sequence and timestamps): the next packets start a new part. */
  sourceChanged(): void;
}

export interface RecorderApi {
  /** Records a live stream into crash-safe MPEG-TS segments through ffmpeg (the plugin must declare ffmpeg and ffprobe). */
  start(options: RecordOptions): Recording;
  /** Records frames the plugin pushes, into the same segments; when frames stop, the part ends and the next frame starts the next. */
  startFrames(options: FrameRecordOptions): FrameRecording;
  /** Records RTP packets the plugin pushes, copied as they are; parts and gaps as for streams. */
  startRtp(options: RtpRecordOptions): RtpRecording;
  /** A new, empty folder for a recording: `parent/name`, or `name (2)`, … when taken. */
  newFolder(parent: string, name: string): string;
}

/** What a `record` hook returns for a finished recording: its folder, size, length and a summary. */
export function recordingArchiveResult(result: RecordingResult, metadata: Record<string, unknown> = {}) {
  const { manifest } = result;
  return {
    success: true,
    outputPath: result.dir,
    fileSize: result.bytes,
    duration: result.seconds,
    metadata: {
      ...metadata,
      endedBy: manifest.endedBy,
      parts: manifest.parts.length,
      segments: result.segments,
      gaps: manifest.gaps,
      reconnects: manifest.reconnects,
      ...(manifest.chat ? { chatMessages: manifest.chat.messages } : {}),
      ...(manifest.remuxed ? { remuxed: manifest.remuxed } : {}),
      ...(manifest.tracks ? { tracks: manifest.tracks } : {}),
    },
  };
}
