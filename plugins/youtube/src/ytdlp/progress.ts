import type { ProgressUpdate } from '@haven/sdk';
import { MARK } from './args';

const POSTPROCESSOR_PHASES: Record<string, string> = { Merger: 'merging', FFmpegMerger: 'merging' };

function numberOf(text: string | undefined): number | undefined {
  if (text === undefined || text === 'NA' || text === 'None') return undefined;
  const value = Number(text);
  return Number.isFinite(value) && value >= 0 ? value : undefined;
}

/**
 * Turns yt-dlp's output lines into job progress. A video and its audio are downloaded one after
 * the other, so bytes are summed over the streams finished so far plus the current one.
 */
export class ProgressTracker {
  /** Final paths yt-dlp printed, in order (the media file last). */
  readonly files: string[] = [];
  private finishedBytes = 0;
  private finishedTotal = 0;
  private streams = 0;

  /** The progress a line means, or undefined when it says nothing new. */
  line(raw: string): ProgressUpdate | undefined {
    const line = raw.trim();
    if (line.startsWith(MARK.file)) {
      this.files.push(line.slice(MARK.file.length).trim());
      return undefined;
    }
    if (line.startsWith(MARK.post)) {
      const [status, name = ''] = line.slice(MARK.post.length).trim().split(/\s+/);
      if (status !== 'started') return undefined;
      return { phase: POSTPROCESSOR_PHASES[name] ?? 'post-processing', message: name.replace(/^FFmpeg/, '') };
    }
    if (line.startsWith('[Merger]')) return { phase: 'merging', message: 'Merging video and audio' };
    if (!line.startsWith(MARK.progress)) return undefined;
    const [status, done, total, estimate, speed, eta, fragment, fragments] = line.slice(MARK.progress.length).trim().split(/\s+/);
    const bytesDone = numberOf(done) ?? 0;
    const streamTotal = numberOf(total) ?? numberOf(estimate);
    if (status === 'finished') {
      this.streams++;
      this.finishedBytes += bytesDone;
      this.finishedTotal += streamTotal ?? bytesDone;
      return { phase: 'downloaded', bytesDone: this.finishedBytes, bytesTotal: this.finishedTotal, percent: 100 };
    }
    if (status !== 'downloading') return undefined;
    const update: ProgressUpdate = { phase: 'downloading', bytesDone: this.finishedBytes + bytesDone };
    if (streamTotal !== undefined) {
      update.bytesTotal = this.finishedTotal + streamTotal;
      update.percent = Math.min(100, (update.bytesDone! / update.bytesTotal) * 100);
    }
    const bps = numberOf(speed);
    if (bps !== undefined) update.speedBps = bps;
    const seconds = numberOf(eta);
    if (seconds !== undefined) update.etaSeconds = seconds;
    const index = numberOf(fragment);
    const count = numberOf(fragments);
    if (index !== undefined && count) update.message = `fragment ${index} of ${count}${this.streams > 0 ? `, stream ${this.streams + 1}` : ''}`;
    else if (this.streams > 0) update.message = `stream ${this.streams + 1}`;
    return update;
  }
}
