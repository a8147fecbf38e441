import path from 'node:path';
import { HavenError } from '@shared/ipc/errors';
import type { SpawnedProcess, SpawnOptions } from '@shared/sdk/types';
import { segmentListName, segmentPrefix } from './ffmpegArgs';
import type { PipedProcess } from '../launch';
import { type PartInput } from './partInput';
import { scaleI420 } from './scaleI420';

export type { PipedProcess };

export interface FrameFormat {
  video?: { width: number; height: number; fps: number };
  audio?: { sampleRate: number; channels: number };
}

const TICK_MS = 10;
/** Longer than this without a pushed frame, the source counts as gone: nothing more is written. */
const ACTIVE_MS = 1500;
const MAX_AUDIO_QUEUE_SECONDS = 1;

/** ffmpeg's arguments to encode raw frames (I420 video, s16le audio) into the recorder's MPEG-TS segments. */
export function frameArgs(format: FrameFormat, dir: string, part: number, segmentSeconds: number, seconds?: number): string[] {
  const args = ['-hide_banner', '-loglevel', 'warning', '-nostats', '-progress', 'pipe:1'];
  const maps: string[] = [];
  let index = 0;
  if (format.video) {
    const { width, height, fps } = format.video;
    args.push('-thread_queue_size', '512', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-video_size', `${width}x${height}`, '-framerate', String(fps), '-i', 'pipe:0');
    maps.push('-map', `${index++}:v`);
  }
  if (format.audio) {
    args.push('-thread_queue_size', '512', '-f', 's16le', '-ar', String(format.audio.sampleRate), '-ac', String(format.audio.channels), '-i', 'pipe:3');
    maps.push('-map', `${index}:a`);
  }
  if (seconds !== undefined) args.push('-t', seconds.toFixed(3));
  args.push(...maps);
  if (format.video) {
    // A keyframe at each cut, so every segment starts cleanly.
    args.push('-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-pix_fmt', 'yuv420p', '-g', String(Math.max(1, Math.round(format.video.fps * 2))), '-force_key_frames', `expr:gte(t,n_forced*${segmentSeconds})`);
  }
  if (format.audio) args.push('-c:a', 'aac', '-b:a', '128k');
  args.push(
    '-f', 'segment',
    '-segment_time', String(segmentSeconds),
    '-segment_format', 'mpegts',
    '-reset_timestamps', '1',
    '-segment_list', path.join(dir, segmentListName(part)),
    '-segment_list_type', 'csv',
    '-segment_list_flags', '+live',
    path.join(dir, `${segmentPrefix(part)}%05d.ts`),
  );
  return args;
}

/**
 * Frames a plugin pushes (decoded WebRTC video and audio), fed to ffmpeg at the pace of the wall
 * clock: the newest video frame is repeated or skipped to keep the frame rate, audio is padded
 * with silence or trimmed, so both stay in step however irregularly the frames arrive. When
 * frames stop, nothing is written, the recorder's watchdog ends the part, and the next pushed
 * frame starts the next one.
 */
export class FrameInput implements PartInput {
  private latestVideo: Uint8Array | undefined;
  private audioQueue: Uint8Array[] = [];
  private audioQueued = 0;
  private lastPushAt = 0;
  private partEndAt = 0;
  private proc: PipedProcess | undefined;
  private ticker: ReturnType<typeof setInterval> | undefined;
  private startedAt = 0;
  private videoWritten = 0;
  private audioWritten = 0;
  private lastFeedAt = 0;
  /** Bytes of silence written for sound that had not come; that much late sound is dropped. */
  private silenceDebt = 0;
  private readonly frameBytes: number;

  constructor(
    private readonly deps: { spawnPiped(binary: string, args: readonly string[], options?: SpawnOptions): PipedProcess },
    private readonly options: { dir: string; segmentSeconds: number; format: FrameFormat; label: string },
  ) {
    const { video, audio } = options.format;
    if (!video && !audio) throw new HavenError('INVALID_INPUT', 'a frame recording needs video, audio or both');
    this.frameBytes = video ? (video.width * video.height * 3) / 2 : 0;
    if (video && (!Number.isInteger(this.frameBytes) || video.width % 2 || video.height % 2)) throw new HavenError('INVALID_INPUT', `I420 video needs an even width and height, not ${video.width}x${video.height}`);
  }

  get label(): string {
    return this.options.label;
  }

  /** The newest picture; one of another size (given by `size`) is scaled to the recording's. */
  pushVideo(frame: Uint8Array, size?: { width: number; height: number }): void {
    const video = this.options.format.video;
    if (!video) throw new HavenError('INVALID_INPUT', 'this recording has no video');
    if (size && (size.width !== video.width || size.height !== video.height)) {
      if (size.width % 2 || size.height % 2 || frame.byteLength !== (size.width * size.height * 3) / 2) throw new HavenError('INVALID_INPUT', `an I420 frame of ${size.width}x${size.height} cannot be ${frame.byteLength} bytes`);
      frame = scaleI420(frame, size.width, size.height, video.width, video.height);
    }
    if (frame.byteLength !== this.frameBytes) throw new HavenError('INVALID_INPUT', `an I420 frame of ${video.width}x${video.height} is ${this.frameBytes} bytes, not ${frame.byteLength}`);
    this.latestVideo = frame;
    this.lastPushAt = Date.now();
  }

  pushAudio(samples: Int16Array | Uint8Array): void {
    const audio = this.options.format.audio;
    if (!audio) throw new HavenError('INVALID_INPUT', 'this recording has no audio');
    let bytes = new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
    // Sound that came after its moment was already written as silence: it is dropped, not played late.
    if (this.silenceDebt > 0) {
      const drop = Math.min(this.silenceDebt, bytes.byteLength);
      this.silenceDebt -= drop;
      bytes = bytes.subarray(drop);
    }
    if (bytes.byteLength) {
      this.audioQueue.push(bytes.slice());
      this.audioQueued += bytes.byteLength;
    }
    const limit = audio.sampleRate * audio.channels * 2 * MAX_AUDIO_QUEUE_SECONDS;
    while (this.audioQueued > limit && this.audioQueue.length > 1) this.audioQueued -= this.audioQueue.shift()!.byteLength;
    this.lastPushAt = Date.now();
  }

  spawn(part: number, seconds: number | undefined): SpawnedProcess {
    const { dir, segmentSeconds, format } = this.options;
    const proc = this.deps.spawnPiped('ffmpeg', frameArgs(format, dir, part, segmentSeconds, seconds), { cwd: dir });
    this.proc = proc;
    this.startedAt = Date.now();
    this.lastFeedAt = this.startedAt;
    this.videoWritten = 0;
    this.audioWritten = 0;
    this.silenceDebt = 0;
    // Sound queued before this part began belongs to the gap.
    this.audioQueue = [];
    this.audioQueued = 0;
    this.ticker = setInterval(() => this.feed(), TICK_MS);
    return proc;
  }

  /**
   * Writes what is due by now on the part's clock. The clock stands still while the source is
   * quiet or ffmpeg cannot keep up (its input backs up), for both streams alike, so picture and
   * sound stay in step: a pause is left out of the part, not filled.
   */
  private feed(): void {
    const proc = this.proc;
    const now = Date.now();
    const since = now - this.lastFeedAt;
    this.lastFeedAt = now;
    if (!proc) return;
    const { video, audio } = this.options.format;
    if (now - this.lastPushAt > ACTIVE_MS || this.behind(proc)) {
      this.startedAt += since;
      return;
    }
    const elapsed = (now - this.startedAt) / 1000;
    if (video && this.latestVideo) {
      const due = Math.floor(elapsed * video.fps);
      for (; this.videoWritten < due; this.videoWritten++) proc.writeVideo(this.latestVideo);
    }
    if (audio) {
      const target = Math.floor(elapsed * audio.sampleRate) * audio.channels * 2;
      let left = target - this.audioWritten;
      while (left > 0 && this.audioQueue.length) {
        const head = this.audioQueue[0]!;
        const take = Math.min(left, head.byteLength);
        proc.writeAudio(head.subarray(0, take));
        if (take === head.byteLength) this.audioQueue.shift();
        else this.audioQueue[0] = head.subarray(take);
        this.audioQueued -= take;
        this.audioWritten += take;
        left -= take;
      }
      // Sound that did not come in time is silence, so it stays in step with the picture.
      if (left > 0) {
        proc.writeAudio(new Uint8Array(left));
        this.audioWritten += left;
        this.silenceDebt += left;
      }
    }
  }

  /**
   * ffmpeg cannot keep up: every input it has holds over a second unread. (One input backed up
   * alone means ffmpeg waits for the other, which must go on being written.)
   */
  private behind(proc: PipedProcess): boolean {
    const { video, audio } = this.options.format;
    const pending = proc.pendingBytes();
    const videoBehind = !video || pending.video > video.fps * this.frameBytes;
    const audioBehind = !audio || pending.audio > audio.sampleRate * audio.channels * 2;
    return videoBehind && audioBehind;
  }

  quit(proc: SpawnedProcess): void {
    this.stopFeeding();
    (proc as PipedProcess).endInputs();
  }

  async ready(_failures: number, signal: AbortSignal): Promise<'go' | 'wait' | 'ended'> {
    // Frames pushed after the last part ended: the source is back.
    const until = Date.now() + 1000;
    while (!signal.aborted && Date.now() < until) {
      if (this.lastPushAt > this.partEndAt && Date.now() - this.lastPushAt < ACTIVE_MS) return 'go';
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return 'wait';
  }

  async partEnded(): Promise<void> {
    this.stopFeeding();
    this.partEndAt = Date.now();
  }

  /** Only the plugin knows when its stream is over (it stops the recording). */
  async ended(): Promise<boolean> {
    return false;
  }

  close(): void {
    this.stopFeeding();
  }

  private stopFeeding(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
    this.proc = undefined;
  }
}
