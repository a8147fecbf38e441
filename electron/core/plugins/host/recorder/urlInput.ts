import type { HttpResponse, SpawnedProcess, SpawnOptions } from '@shared/sdk/types';
import { partArgs, type SegmentContainer } from './ffmpegArgs';
import { parseHlsPlaylist, type HlsPlaylist } from './hlsPlaylist';
import { sleep, type PartInput } from './partInput';

const BACKOFF_MS = [1000, 2000, 4000, 8000, 15_000];

const isHls = (input: string): boolean => /\.m3u8(\?|$)/i.test(input);

/** A stream ffmpeg reads itself (HLS, DASH, RTMP, HTTP): reconnects wait with backoff, HLS until the playlist moves on. */
export class UrlInput implements PartInput {
  /** The newest HLS segment when a part ended: the next part waits until the playlist has a newer one. */
  private staleSegment: string | undefined;

  constructor(
    private readonly deps: { spawn(binary: string, args: readonly string[], options?: SpawnOptions): SpawnedProcess; http(url: string, init?: { signal?: AbortSignal }): Promise<HttpResponse> },
    private readonly options: { input: string; inputArgs: readonly string[]; dir: string; segmentSeconds: number; ioTimeoutMicros: number; tracks?: { video?: boolean; audio?: boolean; all?: boolean }; audioCodec?: 'copy' | 'aac'; container?: SegmentContainer; label?: string },
  ) {}

  get label(): string {
    return this.options.label ?? withoutUserinfo(this.options.input);
  }

  spawn(part: number, seconds: number | undefined, liveEdge: boolean): SpawnedProcess {
    const args = partArgs({ ...this.options, part, ...(seconds !== undefined ? { seconds } : {}), liveEdge });
    return this.deps.spawn('ffmpeg', args, { cwd: this.options.dir });
  }

  quit(proc: SpawnedProcess): void {
    proc.write('q');
  }

  async ready(failures: number, signal: AbortSignal): Promise<'go' | 'wait' | 'ended'> {
    if (failures === 0) return 'go';
    await sleep(BACKOFF_MS[Math.min(failures - 1, BACKOFF_MS.length - 1)]!, signal);
    if (signal.aborted || !isHls(this.options.input)) return 'go';
    const media = await this.mediaPlaylist(signal).catch(() => undefined);
    // A finished playlist would be read again from its first segment: the stream is over.
    if (media?.kind === 'media' && media.ended) return 'ended';
    if (this.staleSegment === undefined) return 'go';
    const newest = media?.kind === 'media' ? media.lastSegment : undefined;
    return newest === undefined || newest === this.staleSegment ? 'wait' : 'go';
  }

  async partEnded(): Promise<void> {
    if (isHls(this.options.input)) this.staleSegment = await this.newestHlsSegment().catch(() => undefined);
  }

  /** HLS says so with #EXT-X-ENDLIST. Other inputs cannot tell an end from a drop: they are tried again until the window passes. */
  async ended(): Promise<boolean> {
    if (!isHls(this.options.input)) return false;
    const media = await this.mediaPlaylist().catch(() => undefined);
    return media?.kind === 'media' && media.ended;
  }

  close(): void {
    // Nothing held between parts.
  }

  private async newestHlsSegment(): Promise<string | undefined> {
    const media = await this.mediaPlaylist();
    return media?.kind === 'media' ? media.lastSegment : undefined;
  }

  /** The media playlist (through a master playlist's best variant). */
  private async mediaPlaylist(stop?: AbortSignal): Promise<HlsPlaylist | undefined> {
    let url = this.options.input;
    const signal = stop ? AbortSignal.any([stop, AbortSignal.timeout(10_000)]) : AbortSignal.timeout(10_000);
    for (let depth = 0; depth < 2; depth++) {
      const response = await this.deps.http(url, { signal });
      if (!response.ok) return undefined;
      const playlist = parseHlsPlaylist(await response.text());
      if (playlist.kind === 'media') return playlist;
      const best = [...playlist.variants].sort((a, b) => b.bandwidth - a.bandwidth)[0];
      if (!best) return undefined;
      url = new URL(best.uri, url).href;
    }
    return undefined;
  }
}

/** An address without its `user:password@` (for anything shown or saved). */
export function withoutUserinfo(text: string): string {
  return text.replace(/(\/\/|sip:)[^@\s/]*:[^@\s/]*@/gi, '$1');
}
