/** One block of ffmpeg's `-progress` output. */
export interface FfmpegProgress {
  /** Output time in seconds (of the whole run, not the segment). */
  outSeconds?: number;
  totalBytes?: number;
  /** kbit/s as ffmpeg computes it. */
  bitrateKbps?: number;
  /** `end` in the last block. */
  ended: boolean;
}

/**
 * Reads ffmpeg's `-progress pipe:1` stream (key=value lines, each block closed by `progress=`)
 * and reports each block. Chunks may split lines anywhere.
 */
export class FfmpegProgressParser {
  private pending = '';
  private block: Record<string, string> = {};

  constructor(private readonly onBlock: (progress: FfmpegProgress) => void) {}

  push(chunk: string): void {
    const lines = (this.pending + chunk).split('\n');
    this.pending = lines.pop() ?? '';
    // A runaway line (no newline ever) must not grow without bound.
    if (this.pending.length > 4096) this.pending = '';
    for (const raw of lines) {
      const line = raw.trim();
      const eq = line.indexOf('=');
      if (eq <= 0) continue;
      const key = line.slice(0, eq);
      const value = line.slice(eq + 1).trim();
      if (key !== 'progress') {
        this.block[key] = value;
        continue;
      }
      this.onBlock(parseBlock(this.block, value === 'end'));
      this.block = {};
    }
  }
}

function parseBlock(block: Record<string, string>, ended: boolean): FfmpegProgress {
  const micros = numberOf(block.out_time_us) ?? numberOf(block.out_time_ms);
  const bytes = numberOf(block.total_size);
  const bitrate = numberOf(block.bitrate?.replace(/kbits\/s$/, ''));
  return {
    ...(micros !== undefined && micros >= 0 ? { outSeconds: micros / 1e6 } : {}),
    ...(bytes !== undefined && bytes >= 0 ? { totalBytes: bytes } : {}),
    ...(bitrate !== undefined && bitrate >= 0 ? { bitrateKbps: bitrate } : {}),
    ended,
  };
}

function numberOf(value: string | undefined): number | undefined {
  if (value === undefined || value === '' || value === 'N/A') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}
