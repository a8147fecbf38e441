import path from 'node:path';
import { HavenError } from '@shared/ipc/errors';
import type { SpawnedProcess, SpawnOptions } from '@shared/sdk/types';
import { segmentListName, segmentPrefix } from './ffmpegArgs';
import type { PipedProcess } from '../launch';
import { type PartInput } from './partInput';

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
    args.push('-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-video_size', `${width}x${height}`, '-framerate', String(fps), '-i', 'pipe:0');
    maps.push('-map', `${index++}:v`);
  }
  if (format.audio) {
    args.push('-f', 's16le', '-ar', String(format.audio.sampleRate), '-ac', String(format.audio.channels), '-i', 'pipe:3');
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

  pushVideo(frame: Uint8Array): void {
    if (!this.options.format.video) throw new HavenError('INVALID_INPUT', 'this recording has no video');
    if (frame.byteLength !== this.frameBytes) throw new HavenError('INVALID_INPUT', `an I420 frame of ${this.options.format.video.width}x${this.options.format.video.height} is ${this.frameBytes} bytes, not ${frame.byteLength}`);
    this.latestVideo = frame;
    this.lastPushAt = Date.now();
  }

  pushAudio(samples: Int16Array | Uint8Array): void {
    const audio = this.options.format.audio;
    if (!audio) throw new HavenError('INVALID_INPUT', 'this recording has no audio');
    const bytes = new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
    this.audioQueue.push(bytes.slice());
    this.audioQueued += bytes.byteLength;
    const limit = audio.sampleRate * audio.channels * 2 * MAX_AUDIO_QUEUE_SECONDS;
    while (this.audioQueued > limit && this.audioQueue.length > 1) this.audioQueued -= this.audioQueue.shift()!.byteLength;
    this.lastPushAt = Date.now();
  }

  spawn(part: number, seconds: number | undefined): SpawnedProcess {
    const { dir, segmentSeconds, format } = this.options;
    const proc = this.deps.spawnPiped('ffmpeg', frameArgs(format, dir, part, segmentSeconds, seconds), { cwd: dir });
    this.proc = proc;
    this.startedAt = Date.now();
    this.videoWritten = 0;
    this.audioWritten = 0;
    this.ticker = setInterval(() => this.feed(), TICK_MS);
    return proc;
  }

  /** Writes what is due by now on the wall clock, while the source is active. */
  private feed(): void {
    const proc = this.proc;
    if (!proc || Date.now() - this.lastPushAt > ACTIVE_MS) return;
    const elapsed = (Date.now() - this.startedAt) / 1000;
    const { video, audio } = this.options.format;
    if (video && this.latestVideo) {
      const due = Math.floor(elapsed * video.fps);
      // Far behind (the process was busy): skip ahead rather than burst.
      if (due - this.videoWritten > video.fps * 2) this.videoWritten = due - 1;
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
      // Audio that did not come in time is silence, so the sound stays in step with the picture.
      if (left > 0) {
        proc.writeAudio(new Uint8Array(left));
        this.audioWritten += left;
      }
    }
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
