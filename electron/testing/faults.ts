import Database from 'better-sqlite3';
import { createClient, type IpcClient } from '@shared/ipc/client';
import type { HavenContract } from '@shared/ipc/contract';
import { memoryProtocolPair } from '@shared/ipc/transports/memory';
import type { Core } from '../core/core';

/** A client of an in-process Core over the contract, as the desktop app's main process is. */
export function clientOf(core: Core): IpcClient<HavenContract> {
  const [coreSide, clientSide] = memoryProtocolPair();
  core.router.connect(coreSide, 'test');
  return createClient<HavenContract>(clientSide);
}

export interface Responsiveness {
  /** Stops probing; the slowest answer, how many answered, and the probes that failed. */
  stop(): Promise<{ maxMs: number; answered: number; failures: string[] }>;
}

/**
 * Times a cheap call every `everyMs` while a fault runs: how long Core takes to answer is how
 * responsive its event loop is (the UI waits on the same calls). One call at a time; each is
 * bounded by `timeoutMs`, so a Core that stops answering shows as failures, not as a hang.
 */
export function probeResponsiveness(call: () => Promise<unknown>, everyMs = 100, timeoutMs = 5000): Responsiveness {
  let maxMs = 0;
  let answered = 0;
  const failures: string[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      try {
        await Promise.race([call(), new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs).unref())]);
        answered++;
      } catch (error) {
        failures.push(String(error));
      }
      maxMs = Math.max(maxMs, performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { maxMs, answered, failures };
    },
  };
}

/** `PRAGMA integrity_check` of a Haven database, opened read-only beside (or after) its Core. */
export function integrityCheck(file: string): string {
  const db = new Database(file, { readonly: true });
  try {
    return String(db.pragma('integrity_check', { simple: true }));
  } finally {
    db.close();
  }
}
