import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { HavenError } from '@shared/ipc/errors';
import type { ChatMessage, FrameRecording, FrameRecordOptions, Recording, RecordingEnd, RecordingManifest, RecordingPart, RecordingResult, RecordOptions, RtpRecording, RtpRecordOptions } from '@shared/sdk/recording';
import type { HttpResponse, PluginLogger, ProgressUpdate, SpawnedProcess, SpawnOptions } from '@shared/sdk/types';
import { CHAT_FILE, ChatLog } from './chatLog';
import { FfmpegProgressParser } from './ffmpegProgress';
import { FrameInput, type PipedProcess } from './frameInput';
import { ManifestStore } from './manifestStore';
import type { PartInput } from './partInput';
import { remuxRecording, runTool } from './remux';
import { RtpInput } from './rtpInput';
import { UrlInput, withoutUserinfo } from './urlInput';
import { isUnloading } from '../unloading';

export interface RecorderDeps {
  spawn(binary: string, args: readonly string[], options?: SpawnOptions): SpawnedProcess;
  /** ffmpeg with a second input pipe, for frames pushed by the plugin. */
  spawnPiped(binary: string, args: readonly string[], options?: SpawnOptions): PipedProcess;
  http(url: string, init?: { signal?: AbortSignal }): Promise<HttpResponse>;
  logger: PluginLogger;
  emit(name: string, payload: unknown): void;
}

const PID_FILE = 'ffmpeg.pid';
const QUIT_GRACE_MS = 5000;
const KILL_GRACE_MS = 5000;

type PartOutcome = { kind: 'stopped' | 'duration' | 'ended' | 'stalled' | 'failed'; media: boolean; error: string };
type SessionOptions = Omit<RecordOptions, 'input' | 'inputArgs'>;

/** Starts a recording of a stream ffmpeg reads (see RecorderApi in the SDK). */
export function startRecording(deps: RecorderDeps, options: RecordOptions): Recording {
  const input = new UrlInput(deps, {
    input: options.input,
    inputArgs: options.inputArgs ?? [],
    dir: options.dir,
    segmentSeconds: options.segmentSeconds,
    ioTimeoutMicros: (options.watchdogSeconds ?? 30) * 1e6,
    ...(options.tracks ? { tracks: options.tracks } : {}),
    ...(options.audioCodec ? { audioCodec: options.audioCodec } : {}),
    ...(options.container ? { container: options.container } : {}),
    ...(options.label ? { label: options.label } : {}),
  });
  return begin(deps, options, input);
}

/** Starts a recording of frames the plugin pushes (decoded WebRTC). */
export function startFrameRecording(deps: RecorderDeps, options: FrameRecordOptions): FrameRecording {
  const input = new FrameInput(deps, { dir: options.dir, segmentSeconds: options.segmentSeconds, format: { ...(options.video ? { video: options.video } : {}), ...(options.audio ? { audio: options.audio } : {}) }, label: options.label });
  const recording = begin(deps, options, input);
  return { ...recording, pushVideo: (frame, size) => input.pushVideo(frame, size), pushAudio: (samples) => input.pushAudio(samples) };
}

/** Starts a recording of RTP packets the plugin pushes (WebRTC, SIP), copied as they are. */
export function startRtpRecording(deps: RecorderDeps, options: RtpRecordOptions): RtpRecording {
  const input = new RtpInput(deps, {
    dir: options.dir,
    segmentSeconds: options.segmentSeconds,
    streams: options.streams,
    label: options.label,
    ioTimeoutMicros: (options.watchdogSeconds ?? 30) * 1e6,
    ...(options.onKeyframeNeeded ? { onPartStarted: options.onKeyframeNeeded } : {}),
  });
  const recording = begin(deps, options, input);
  return { ...recording, pushRtp: (index, packet) => input.push(index, packet), sourceChanged: () => input.restart() };
}

/** A new, empty folder for a recording (`name`, or `name (2)`, … when taken). */
export function newRecordingFolder(parent: string, name: string): string {
  fs.mkdirSync(parent, { recursive: true });
  for (let n = 1; n < 1000; n++) {
    const dir = path.join(parent, n === 1 ? name : `${name} (${n})`);
    try {
      fs.mkdirSync(dir);
      return dir;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  throw new HavenError('CONFLICT', `no free folder name for ${name} in ${parent}`);
}

function begin(deps: RecorderDeps, options: SessionOptions, input: PartInput): Recording {
  const store = ManifestStore.open(options.dir, input.label);
  const stop = new AbortController();
  let stopReason: 'stopped' | 'stream-ended' | 'unreachable' = 'stopped';
  // The job's signal also aborts when the plugin unloads (Haven quits): that interrupts, it does not stop.
  const interrupted = (): boolean => isUnloading(options.job.signal.reason);
  const onJobAbort = (): void => stop.abort();
  if (options.job.signal.aborted) stop.abort();
  else options.job.signal.addEventListener('abort', onJobAbort, { once: true });
  let chat: ChatLog | undefined;
  const done = new Session(deps, options, input, store, stop.signal, () => stopReason, interrupted).run().finally(() => {
    options.job.signal.removeEventListener('abort', onJobAbort);
    input.close();
    chat?.close();
  });
  return {
    chat(message: ChatMessage) {
      chat ??= new ChatLog(
        options.dir,
        Date.parse(store.manifest.startedAt),
        (messages) => store.chatCounted(CHAT_FILE, messages),
        (error) => deps.logger.warn('recording: chat cannot be written', { error: String(error) }),
      );
      chat.add(message);
    },
    stop: (reason = 'stopped') => {
      if (!stop.signal.aborted) stopReason = reason;
      stop.abort();
    },
    done: done.then((result) => {
      // The last second of chat is in the file before the recording is handed over.
      chat?.close();
      return chat ? { ...result, manifest: store.manifest } : result;
    }),
  };
}

class Session {
  private readonly watchdogMs: number;
  private readonly windowMs: number;
  private lastMediaAt: number | undefined;
  private lastError = '';
  private state: 'connecting' | 'live' | 'reconnecting' | 'finishing' | 'ended' = 'connecting';
  private announced = false;
  private liveSeconds = 0;
  private bitrateKbps = 0;
  private writeError: string | undefined;

  constructor(
    private readonly deps: RecorderDeps,
    private readonly options: SessionOptions,
    private readonly input: PartInput,
    private readonly store: ManifestStore,
    private readonly stopSignal: AbortSignal,
    private readonly stopReason: () => 'stopped' | 'stream-ended' | 'unreachable' = () => 'stopped',
    private readonly interrupted: () => boolean = () => false,
  ) {
    this.watchdogMs = (options.watchdogSeconds ?? 30) * 1000;
    this.windowMs = (options.reconnectWindowSeconds ?? 120) * 1000;
  }

  async run(): Promise<RecordingResult> {
    this.killOrphan();
    await this.recoverInterrupted();
    if (this.store.manifest.state === 'ended') return this.result();
    // Haven stopped while it was joining the segments: the recording itself was over.
    if (this.store.manifest.state === 'finishing') return this.finish(this.store.manifest.endedBy ?? 'stopped');
    const startedAt = Date.now();
    let failures = 0;
    let endedBy: RecordingEnd | undefined;
    let lastClean = false;
    while (!endedBy) {
      if (this.writeError) throw new HavenError('UNAVAILABLE', `cannot write the recording into ${this.store.dir}: ${this.writeError}`);
      if (this.stopSignal.aborted) {
        endedBy = this.stopReason();
        break;
      }
      const remaining = this.remaining();
      if (remaining !== undefined && remaining < 0.5) {
        endedBy = 'duration';
        break;
      }
      const since = this.lastMediaAt ?? startedAt;
      if (Date.now() - since > this.windowMs) {
        if (this.store.segmentCount() === 0) {
          throw new HavenError('UNAVAILABLE', `the stream cannot be recorded: ${this.lastError || 'no media arrived'} (tried for ${Math.round(this.windowMs / 1000)} s)`);
        }
        endedBy = lastClean ? 'stream-ended' : 'unreachable';
        break;
      }
      if (failures > 0) {
        this.state = this.store.segmentCount() > 0 ? 'reconnecting' : 'connecting';
        this.report();
      }
      const ready = await this.input.ready(failures, this.stopSignal);
      if (ready === 'ended' && this.store.segmentCount() > 0) {
        endedBy = 'stream-ended';
        break;
      }
      if (ready !== 'go') {
        failures = Math.max(1, failures + 1);
        continue;
      }
      if (this.stopSignal.aborted) continue;
      const outcome = await this.runPart(this.store.nextPartNumber(), this.remaining(), failures > 0 || this.store.manifest.parts.length > 0);
      lastClean = outcome.kind === 'ended';
      if (outcome.kind === 'stopped') endedBy = this.stopReason();
      else if (outcome.kind === 'duration') endedBy = 'duration';
      else if (outcome.kind === 'ended' && (await this.input.ended())) endedBy = 'stream-ended';
      else {
        if (outcome.error) this.lastError = outcome.error;
        await this.input.partEnded();
        if (outcome.media) {
          failures = 1;
          this.store.reconnected();
        } else failures++;
        this.deps.logger.warn(`recording: the stream ${outcome.kind === 'stalled' ? 'stalled' : outcome.kind === 'ended' ? 'closed' : 'failed'}; reconnecting`, { input: this.input.label, error: outcome.error.slice(0, 500) });
      }
    }
    if (this.interrupted()) {
      // Haven (or the plugin) is stopping: nothing is finished; the next run goes on as a new part.
      throw new HavenError('CANCELLED', 'Haven stopped while recording; the recording goes on as a new part when the job runs again');
    }
    if (this.store.segmentCount() === 0) {
      throw new HavenError(endedBy === 'stopped' ? 'CANCELLED' : 'UNAVAILABLE', endedBy === 'stopped' ? 'stopped before any media arrived' : 'the stream ended before any media arrived');
    }
    return this.finish(endedBy);
  }

  /** A write into the folder failed (a full disk): the part ends; the loop reports it. */
  private writeFailed(error: unknown): void {
    this.writeError ??= error instanceof Error ? error.message : String(error);
    this.deps.logger.error('recording: cannot write into the recording folder', { dir: this.store.dir, error: this.writeError });
  }

  private remaining(): number | undefined {
    const max = this.options.maxSeconds ?? 0;
    return max > 0 ? Math.max(0, max - this.store.seconds()) : undefined;
  }

  /** One ffmpeg run: records until it ends, stalls, fails, reaches the length, or is stopped. */
  private async runPart(part: number, seconds: number | undefined, liveEdge: boolean): Promise<PartOutcome> {
    const { dir } = this.store;
    const startedAt = new Date();
    const proc = this.input.spawn(part, seconds, liveEdge);
    try {
      fs.writeFileSync(path.join(dir, PID_FILE), `${proc.pid ?? ''}\n`);
    } catch (error) {
      // Without it a crash could leave this ffmpeg running unseen: do not start.
      proc.kill('SIGKILL');
      await proc.exited;
      throw new HavenError('UNAVAILABLE', `cannot write into ${dir}: ${(error as Error).message}`);
    }
    const stderr: string[] = [];
    proc.onStderr((chunk) => {
      stderr.push(...chunk.split('\n').filter((line) => line.trim()));
      if (stderr.length > 20) stderr.splice(0, stderr.length - 20);
    });
    let lastAdvance = Date.now();
    let outSeconds = 0;
    let media = false;
    let ending: 'stopped' | 'stalled' | undefined;
    const base = this.store.seconds();
    const parser = new FfmpegProgressParser((progress) => {
      if (progress.outSeconds !== undefined && progress.outSeconds > outSeconds) {
        outSeconds = progress.outSeconds;
        lastAdvance = Date.now();
        this.lastMediaAt = lastAdvance;
        this.liveSeconds = base + outSeconds;
        if (!media) {
          media = true;
          try {
            this.mediaArrived(part, startedAt);
          } catch (error) {
            this.writeFailed(error);
          }
        }
      }
      if (progress.bitrateKbps !== undefined) this.bitrateKbps = progress.bitrateKbps;
    });
    proc.onStdout((chunk) => parser.push(chunk));
    let quitTimer: ReturnType<typeof setTimeout> | undefined;
    let killTimer: ReturnType<typeof setTimeout> | undefined;
    const quit = (why: 'stopped' | 'stalled'): void => {
      if (ending) return;
      ending = why;
      // ffmpeg closes the segment it is writing and lists it; then SIGINT, then SIGKILL.
      this.input.quit(proc);
      quitTimer = setTimeout(() => proc.kill('SIGINT'), QUIT_GRACE_MS);
      killTimer = setTimeout(() => proc.kill('SIGKILL'), QUIT_GRACE_MS + KILL_GRACE_MS);
    };
    const onStop = (): void => {
      this.state = 'finishing';
      this.report();
      quit('stopped');
    };
    this.stopSignal.addEventListener('abort', onStop, { once: true });
    if (this.stopSignal.aborted) onStop();
    let ticks = 0;
    const tick = setInterval(() => {
      if (!ending && Date.now() - lastAdvance > this.watchdogMs) quit('stalled');
      if (this.store.listChanged(part)) void this.refreshPart(part, startedAt, false).catch((error: unknown) => this.writeFailed(error));
      // Progress every 2 s is enough for a clock that counts seconds.
      if (++ticks % 2 === 0) this.report();
    }, 1000);
    const exit = await proc.exited;
    clearInterval(tick);
    clearTimeout(quitTimer);
    clearTimeout(killTimer);
    this.stopSignal.removeEventListener('abort', onStop);
    fs.rmSync(path.join(dir, PID_FILE), { force: true });
    // ffmpeg names the input in its errors: no password goes into a job's error or a log.
    const error = withoutUserinfo(stderr.filter((line) => !/^\s*(frame|size)=/.test(line)).slice(-3).join(' | '));
    const reason = ending ?? (exit.code === 0 ? 'ended' : `failed (${exit.signal ?? `exit ${exit.code}`})`);
    // A stalled part ended when its media stopped, not when the watchdog noticed.
    await this.refreshPart(part, startedAt, true, reason, media ? new Date(lastAdvance) : undefined).catch((error: unknown) => this.writeFailed(error));
    const wrote = this.store.manifest.parts.some((p) => p.part === part && p.segments.length > 0);
    if (ending) return { kind: ending, media: wrote, error };
    if (exit.code === 0) {
      const reached = seconds !== undefined && outSeconds >= seconds - 0.5;
      return { kind: reached ? 'duration' : 'ended', media: wrote, error };
    }
    return { kind: 'failed', media: wrote, error: error || `ffmpeg exited with ${exit.signal ?? exit.code}` };
  }

  /** The part's segments into the manifest: those ffmpeg listed, and at the end any it wrote but did not list. */
  private async refreshPart(part: number, startedAt: Date, final: boolean, endReason?: string, endedAt?: Date, recovered = false): Promise<void> {
    const { listed, unlisted } = this.store.segmentsOnDisk(part);
    const segments: RecordingPart['segments'] = [...listed];
    if (final) {
      for (const file of unlisted) {
        const full = path.join(this.store.dir, file);
        const size = fs.statSync(full).size;
        if (size === 0) {
          fs.rmSync(full, { force: true });
          continue;
        }
        // Measured when ffprobe can; otherwise estimated from the bytes per second of the others, and kept either way.
        const seconds = await this.probeSeconds(full);
        if (seconds !== undefined && seconds > 0) segments.push({ file, seconds });
        else segments.push({ file, seconds: this.estimateSeconds(size, segments), estimated: true });
      }
    }
    const existing = this.store.manifest.parts.find((p) => p.part === part);
    if (segments.length === 0 && !existing) return;
    if (!final && existing && existing.segments.length === segments.length) return;
    const end = final ? (endedAt ?? this.lastWriteOf(segments) ?? new Date()) : undefined;
    const seconds = segments.reduce((sum, seg) => sum + seg.seconds, 0);
    // A part found on disk after a crash began its media's length before its last write.
    const begun = existing?.startedAt ?? (recovered && end ? new Date(end.getTime() - seconds * 1000) : startedAt).toISOString();
    const entry: RecordingPart = { part, startedAt: begun, segments, ...(end ? { endedAt: end.toISOString(), endReason: endReason ?? 'ended' } : {}) };
    this.store.putPart(entry);
  }

  /** When the newest of these segments was last written. */
  private lastWriteOf(segments: { file: string }[]): Date | undefined {
    const times = segments.flatMap((seg) => {
      try {
        return [fs.statSync(path.join(this.store.dir, seg.file)).mtimeMs];
      } catch {
        return [];
      }
    });
    return times.length ? new Date(Math.max(...times)) : undefined;
  }

  private estimateSeconds(bytes: number, known: { file: string; seconds: number }[]): number {
    let size = 0;
    let seconds = 0;
    for (const seg of [...known, ...this.store.manifest.parts.flatMap((p) => p.segments)]) {
      if (seg.seconds <= 0) continue;
      try {
        size += fs.statSync(path.join(this.store.dir, seg.file)).size;
        seconds += seg.seconds;
      } catch {
        // Gone: not a reference.
      }
    }
    return size > 0 ? (bytes / size) * seconds : this.options.segmentSeconds;
  }

  private async probeSeconds(file: string): Promise<number | undefined> {
    try {
      const { code, stdout } = await runTool(this.deps, 'ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'default=nw=1:nk=1', file], this.store.dir, 20_000);
      const text = stdout.trim();
      const seconds = Number(text);
      return code === 0 && text !== '' && Number.isFinite(seconds) ? seconds : undefined;
    } catch {
      return undefined;
    }
  }

  /** The first media of a part: the stream is live (again); a gap since the previous part is recorded. */
  private mediaArrived(part: number, startedAt: Date): void {
    const previous = this.store.manifest.parts.filter((p) => p.part < part && p.endedAt).at(-1);
    if (previous?.endedAt) {
      const from = previous.endedAt;
      const to = startedAt.toISOString();
      this.store.addGap({ afterPart: previous.part, from, to, seconds: Math.max(0, (startedAt.getTime() - Date.parse(from)) / 1000), reason: previous.endReason ?? 'the stream dropped' });
    }
    this.state = 'live';
    this.report();
    if (!this.announced) {
      this.announced = true;
      this.deps.emit('stream.started', { input: this.input.label, dir: this.store.dir, jobId: this.options.job.id });
    }
  }

  private report(update: Partial<ProgressUpdate> = {}): void {
    const seconds = Math.max(this.liveSeconds, this.store.seconds());
    this.options.job.progress({
      phase: this.state === 'live' ? 'recording' : this.state,
      bytesDone: this.store.bytes(),
      ...(this.bitrateKbps > 0 ? { speedBps: (this.bitrateKbps * 1000) / 8 } : {}),
      ...(this.options.maxSeconds ? { percent: Math.min(100, (seconds / this.options.maxSeconds) * 100), etaSeconds: Math.max(0, this.options.maxSeconds - seconds) } : {}),
      message: `${formatClock(seconds)} recorded, ${this.store.segmentCount()} segments${this.store.manifest.reconnects ? `, ${this.store.manifest.reconnects} reconnects` : ''}`,
      recording: { seconds, segments: this.store.segmentCount(), reconnects: this.store.manifest.reconnects, state: this.state },
      ...update,
    });
  }

  private async finish(endedBy: RecordingEnd): Promise<RecordingResult> {
    this.state = 'finishing';
    this.report();
    this.store.finishing(endedBy);
    let remuxed: string | undefined;
    if (this.options.remux && this.store.segmentCount() > 0) {
      this.report({ phase: 'remuxing', message: 'joining the segments into one MP4' });
      try {
        remuxed = await remuxRecording(this.deps, this.store);
      } catch (error) {
        // The segments stay; the recording is whole without the joined file.
        this.deps.logger.warn('recording: the segments could not be joined into one MP4; they are kept', { error: String(error) });
      }
    }
    const tracks = await this.probeTracks(this.store.files()[0]);
    this.store.finish(endedBy, remuxed, tracks);
    if (remuxed) this.store.removeSegments();
    this.state = 'ended';
    this.report();
    this.deps.emit('stream.ended', { input: this.input.label, dir: this.store.dir, jobId: this.options.job.id, endedBy, seconds: this.store.seconds() });
    return this.result();
  }

  /** The tracks in a segment (kind, codec, picture size, sound format), for the library item. */
  private async probeTracks(file: string | undefined): Promise<RecordingManifest['tracks']> {
    if (!file) return undefined;
    try {
      const { code, stdout } = await runTool(this.deps, 'ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type,codec_name,width,height,sample_rate,channels', '-of', 'json', path.join(this.store.dir, file)], this.store.dir, 20_000);
      if (code !== 0) return undefined;
      const { streams } = JSON.parse(stdout) as { streams?: { codec_type?: string; codec_name?: string; width?: number; height?: number; sample_rate?: string; channels?: number }[] };
      return (streams ?? []).map((stream) => ({
        kind: stream.codec_type ?? 'unknown',
        codec: stream.codec_name ?? 'unknown',
        ...(stream.width ? { width: stream.width } : {}),
        ...(stream.height ? { height: stream.height } : {}),
        ...(stream.sample_rate ? { sampleRate: Number(stream.sample_rate) } : {}),
        ...(stream.channels ? { channels: stream.channels } : {}),
      }));
    } catch {
      // Without ffprobe the recording is whole; only this description is missing.
      return undefined;
    }
  }

  private result(): RecordingResult {
    return { dir: this.store.dir, manifest: this.store.manifest, seconds: this.store.seconds(), bytes: this.store.bytes(), segments: this.store.segmentCount() };
  }

  /** A crash leaves ffmpeg running on its own (it does not die with its parent): stop it before going on. */
  private killOrphan(): void {
    const file = path.join(this.store.dir, PID_FILE);
    if (!fs.existsSync(file)) return;
    const pid = Number(fs.readFileSync(file, 'utf8').trim());
    fs.rmSync(file, { force: true });
    if (!Number.isInteger(pid) || pid <= 1) return;
    // Only an ffmpeg writing into this folder is ours (its command line says so).
    const command = commandLineOf(pid);
    if (command === undefined) {
      if (process.platform === 'win32') this.deps.logger.warn('recording: an ffmpeg from before may still run; Haven cannot check its command line on Windows', { pid });
      return;
    }
    if (command.includes('ffmpeg') && command.includes(this.store.dir)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone meanwhile.
      }
    }
  }

  /**
   * A recording Haven was writing when it stopped (a crash, a kill): each part it did not end is
   * ended now with what is on disk, the unlisted last segment measured; the next part follows it.
   */
  private async recoverInterrupted(): Promise<void> {
    if (this.store.manifest.state === 'ended') return;
    for (let part = 1; part < this.store.nextPartNumber(); part++) {
      const known = this.store.manifest.parts.find((p) => p.part === part);
      if (known?.endedAt) continue;
      const started = known ? new Date(known.startedAt) : new Date();
      await this.refreshPart(part, started, true, 'interrupted (Haven stopped)', undefined, !known);
    }
  }
}

/** A running process's command line (Linux: /proc; macOS and BSDs: ps), or undefined. */
function commandLineOf(pid: number): string | undefined {
  try {
    if (process.platform === 'linux') return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    if (process.platform !== 'win32') return execFileSync('ps', ['-p', String(pid), '-o', 'command='], { encoding: 'utf8', timeout: 5000 }).trim() || undefined;
  } catch {
    // Not running.
  }
  return undefined;
}

function formatClock(seconds: number): string {
  const s = Math.floor(seconds);
  return `${Math.floor(s / 3600)}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}
