import fs from 'node:fs';
import path from 'node:path';
import { HavenError } from '@shared/ipc/errors';
import type { ChatMessage, Recording, RecordingEnd, RecordingPart, RecordingResult, RecordOptions } from '@shared/sdk/recording';
import type { HttpResponse, PluginLogger, ProgressUpdate, SpawnedProcess, SpawnOptions } from '@shared/sdk/types';
import { CHAT_FILE, ChatLog } from './chatLog';
import { partArgs } from './ffmpegArgs';
import { FfmpegProgressParser } from './ffmpegProgress';
import { parseHlsPlaylist, type HlsPlaylist } from './hlsPlaylist';
import { ManifestStore } from './manifestStore';
import { remuxRecording, runTool } from './remux';

export interface RecorderDeps {
  spawn(binary: string, args: readonly string[], options?: SpawnOptions): SpawnedProcess;
  http(url: string, init?: { signal?: AbortSignal }): Promise<HttpResponse>;
  logger: PluginLogger;
  emit(name: string, payload: unknown): void;
}

const PID_FILE = 'ffmpeg.pid';
const QUIT_GRACE_MS = 5000;
const KILL_GRACE_MS = 5000;
const BACKOFF_MS = [1000, 2000, 4000, 8000, 15_000];

type PartOutcome = { kind: 'stopped' | 'duration' | 'ended' | 'stalled' | 'failed'; media: boolean; error: string };

const isHls = (input: string): boolean => /\.m3u8(\?|$)/i.test(input);

/** Starts a recording (see RecorderApi in the SDK). */
export function startRecording(deps: RecorderDeps, options: RecordOptions): Recording {
  const store = ManifestStore.open(options.dir, options.input);
  const stop = new AbortController();
  const onJobAbort = (): void => stop.abort();
  if (options.job.signal.aborted) stop.abort();
  else options.job.signal.addEventListener('abort', onJobAbort, { once: true });
  let chat: ChatLog | undefined;
  const done = new Session(deps, options, store, stop.signal).run().finally(() => {
    options.job.signal.removeEventListener('abort', onJobAbort);
    chat?.close();
  });
  return {
    chat(message: ChatMessage) {
      chat ??= new ChatLog(options.dir, Date.parse(store.manifest.startedAt), (messages) => store.chatCounted(CHAT_FILE, messages));
      chat.add(message);
    },
    stop: () => stop.abort(),
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
  /** The newest HLS segment when the stream stalled: a reconnect waits until the playlist moves on. */
  private staleSegment: string | undefined;
  private liveSeconds = 0;
  private bitrateKbps = 0;

  constructor(
    private readonly deps: RecorderDeps,
    private readonly options: RecordOptions,
    private readonly store: ManifestStore,
    private readonly stopSignal: AbortSignal,
  ) {
    this.watchdogMs = (options.watchdogSeconds ?? 30) * 1000;
    this.windowMs = (options.reconnectWindowSeconds ?? 120) * 1000;
  }

  async run(): Promise<RecordingResult> {
    this.killOrphan();
    await this.recoverInterrupted();
    if (this.store.manifest.state === 'ended') return this.result();
    const startedAt = Date.now();
    let failures = 0;
    let endedBy: RecordingEnd | undefined;
    let lastClean = false;
    while (!endedBy) {
      if (this.stopSignal.aborted) {
        endedBy = 'stopped';
        break;
      }
      const remaining = this.remaining();
      if (remaining !== undefined && remaining < 0.5) {
        endedBy = 'duration';
        break;
      }
      if (failures > 0) {
        const since = this.lastMediaAt ?? startedAt;
        if (Date.now() - since > this.windowMs) {
          if (this.store.segmentCount() === 0) {
            throw new HavenError('UNAVAILABLE', `the stream cannot be recorded: ${this.lastError || 'no media arrived'} (tried for ${Math.round(this.windowMs / 1000)} s)`);
          }
          endedBy = lastClean ? 'stream-ended' : 'unreachable';
          break;
        }
        this.state = this.store.segmentCount() > 0 ? 'reconnecting' : 'connecting';
        this.report();
        await sleep(BACKOFF_MS[Math.min(failures - 1, BACKOFF_MS.length - 1)]!, this.stopSignal);
        if (this.stopSignal.aborted) continue;
        if (isHls(this.options.input) && this.staleSegment !== undefined) {
          const newest = await this.newestHlsSegment().catch(() => undefined);
          if (newest === undefined || newest === this.staleSegment) {
            failures++;
            continue;
          }
        }
      }
      const outcome = await this.runPart(this.store.nextPartNumber(), this.remaining(), failures > 0 || this.store.manifest.parts.length > 0);
      lastClean = outcome.kind === 'ended';
      if (outcome.kind === 'stopped') endedBy = 'stopped';
      else if (outcome.kind === 'duration') endedBy = 'duration';
      else if (outcome.kind === 'ended' && (await this.hlsEnded())) endedBy = 'stream-ended';
      else {
        if (outcome.error) this.lastError = outcome.error;
        if (isHls(this.options.input)) this.staleSegment = await this.newestHlsSegment().catch(() => undefined);
        if (outcome.media) {
          failures = 1;
          this.store.reconnected();
        } else failures++;
        this.deps.logger.warn(`recording: the stream ${outcome.kind === 'stalled' ? 'stalled' : outcome.kind === 'ended' ? 'closed' : 'failed'}; reconnecting`, { input: this.options.input, error: outcome.error.slice(0, 500) });
      }
    }
    return this.finish(endedBy);
  }

  private remaining(): number | undefined {
    const max = this.options.maxSeconds ?? 0;
    return max > 0 ? Math.max(0, max - this.store.seconds()) : undefined;
  }

  /** One ffmpeg run: records until it ends, stalls, fails, reaches the length, or is stopped. */
  private async runPart(part: number, seconds: number | undefined, liveEdge: boolean): Promise<PartOutcome> {
    const { dir } = this.store;
    const args = partArgs({
      input: this.options.input,
      inputArgs: this.options.inputArgs ?? [],
      dir,
      part,
      segmentSeconds: this.options.segmentSeconds,
      ...(seconds !== undefined ? { seconds } : {}),
      ioTimeoutMicros: this.watchdogMs * 1000,
      liveEdge,
    });
    const startedAt = new Date();
    const proc = this.deps.spawn('ffmpeg', args, { cwd: dir });
    fs.writeFileSync(path.join(dir, PID_FILE), `${proc.pid ?? ''}\n`);
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
          this.mediaArrived(part, startedAt);
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
      // `q` lets ffmpeg close the segment it is writing and list it; then SIGINT, then SIGKILL.
      proc.write('q');
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
      if (this.store.listChanged(part)) void this.refreshPart(part, startedAt, false);
      // Progress every 2 s is enough for a clock that counts seconds.
      if (++ticks % 2 === 0) this.report();
    }, 1000);
    const exit = await proc.exited;
    clearInterval(tick);
    clearTimeout(quitTimer);
    clearTimeout(killTimer);
    this.stopSignal.removeEventListener('abort', onStop);
    fs.rmSync(path.join(dir, PID_FILE), { force: true });
    const error = stderr.filter((line) => !/^\s*(frame|size)=/.test(line)).slice(-3).join(' | ');
    const reason = ending ?? (exit.code === 0 ? 'ended' : `failed (${exit.signal ?? `exit ${exit.code}`})`);
    await this.refreshPart(part, startedAt, true, reason);
    const wrote = this.store.manifest.parts.some((p) => p.part === part && p.segments.length > 0);
    if (ending) return { kind: ending, media: wrote, error };
    if (exit.code === 0) {
      const reached = seconds !== undefined && outSeconds >= seconds - 0.5;
      return { kind: reached ? 'duration' : 'ended', media: wrote, error };
    }
    return { kind: 'failed', media: wrote, error: error || `ffmpeg exited with ${exit.signal ?? exit.code}` };
  }

  /** The part's segments into the manifest: those ffmpeg listed, and at the end any it wrote but did not list. */
  private async refreshPart(part: number, startedAt: Date, final: boolean, endReason?: string): Promise<void> {
    const { listed, unlisted } = this.store.segmentsOnDisk(part);
    const segments = [...listed];
    if (final) {
      for (const file of unlisted) {
        const full = path.join(this.store.dir, file);
        const seconds = fs.statSync(full).size > 0 ? await this.probeSeconds(full) : undefined;
        if (seconds === undefined || seconds <= 0) fs.rmSync(full, { force: true });
        else segments.push({ file, seconds });
      }
    }
    const existing = this.store.manifest.parts.find((p) => p.part === part);
    if (segments.length === 0 && !existing) return;
    if (!final && existing && existing.segments.length === segments.length) return;
    const entry: RecordingPart = { part, startedAt: existing?.startedAt ?? startedAt.toISOString(), segments, ...(final ? { endedAt: new Date().toISOString(), endReason: endReason ?? 'ended' } : {}) };
    this.store.putPart(entry);
  }

  private async probeSeconds(file: string): Promise<number | undefined> {
    try {
      const { stdout } = await runTool(this.deps, 'ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'default=nw=1:nk=1', file], this.store.dir, 20_000);
      const seconds = Number(stdout.trim());
      return Number.isFinite(seconds) ? seconds : undefined;
    } catch {
      return undefined;
    }
  }

  /** The newest segment of the HLS media playlist (through a master playlist's best variant). */
  private async newestHlsSegment(): Promise<string | undefined> {
    const media = await this.mediaPlaylist();
    return media?.kind === 'media' ? media.lastSegment : undefined;
  }

  /** Whether the HLS playlist says the stream is over (#EXT-X-ENDLIST); other inputs: ffmpeg's clean end says so. */
  private async hlsEnded(): Promise<boolean> {
    if (!isHls(this.options.input)) return true;
    const media = await this.mediaPlaylist().catch(() => undefined);
    return media?.kind === 'media' && media.ended;
  }

  private async mediaPlaylist(): Promise<HlsPlaylist | undefined> {
    let url = this.options.input;
    for (let depth = 0; depth < 2; depth++) {
      const response = await this.deps.http(url, { signal: AbortSignal.timeout(10_000) });
      if (!response.ok) return undefined;
      const playlist = parseHlsPlaylist(await response.text());
      if (playlist.kind === 'media') return playlist;
      const best = [...playlist.variants].sort((a, b) => b.bandwidth - a.bandwidth)[0];
      if (!best) return undefined;
      url = new URL(best.uri, url).href;
    }
    return undefined;
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
      this.deps.emit('stream.started', { input: this.options.input, dir: this.store.dir, jobId: this.options.job.id });
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
    this.store.finish(endedBy, remuxed);
    if (remuxed) this.store.removeSegments();
    this.state = 'ended';
    this.report();
    this.deps.emit('stream.ended', { input: this.options.input, dir: this.store.dir, jobId: this.options.job.id, endedBy, seconds: this.store.seconds() });
    return this.result();
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
    try {
      // Only an ffmpeg writing into this folder is ours.
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmdline.includes('ffmpeg') && cmdline.includes(this.store.dir)) process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already, or not Linux (there ffmpeg ends when its stdin closes).
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
      await this.refreshPart(part, started, true, 'interrupted (Haven stopped)');
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

function formatClock(seconds: number): string {
  const s = Math.floor(seconds);
  return `${Math.floor(s / 3600)}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}
