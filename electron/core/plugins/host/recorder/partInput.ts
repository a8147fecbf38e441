import type { SpawnedProcess } from '@shared/sdk/types';

/** Where a recording's media comes from, as the recorder's part loop sees it. */
export interface PartInput {
  /** Names the input in logs, events and recording.json. */
  readonly label: string;
  /** Starts ffmpeg for one part. */
  spawn(part: number, seconds: number | undefined, liveEdge: boolean): SpawnedProcess;
  /** Asks ffmpeg to finish the segment it writes and exit. */
  quit(proc: SpawnedProcess): void;
  /** Before the first part (`failures` 0) and after one stalled or failed: start the next one now (`go`), wait more, or the stream is over (`ended`). */
  ready(failures: number, signal: AbortSignal): Promise<'go' | 'wait' | 'ended'>;
  /** Notes why a part ended (the HLS playlist's newest segment, for `ready`). */
  partEnded(): Promise<void>;
  /** Whether a clean ffmpeg exit means the stream is over. */
  ended(): Promise<boolean>;
  close(): void;
}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
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
