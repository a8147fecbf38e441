import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { HavenError } from '@shared/ipc/errors';
import type { Disposable } from '@shared/lifecycle';

/** What the owner of a HAVEN_HOME writes into its lock, so other commands can find it. */
export const LockInfo = z.object({
  pid: z.number().int(),
  host: z.string(),
  startedAt: z.string(),
  /** Where a running `haven serve` answers, for CLI commands that talk to it. */
  url: z.string().optional(),
});
export type LockInfo = z.infer<typeof LockInfo>;

export function readLock(file: string): LockInfo | undefined {
  try {
    const parsed = LockInfo.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Locks this process holds, so a second Core in the same process is refused too. */
const heldHere = new Set<string>();

/** Whether a process with this pid exists (EPERM: it does, owned by someone else). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isRecent(file: string): boolean {
  try {
    return Date.now() - fs.statSync(file).mtimeMs < 10_000;
  } catch {
    return false;
  }
}

export interface HeldLock extends Disposable {
  update(info: Partial<LockInfo>): void;
}

/**
 * One Core owns a HAVEN_HOME (and its database) at a time. A lock left by a process that died
 * is taken over; a live owner is reported by pid.
 */
export function acquireLock(file: string, info: Omit<LockInfo, 'pid'>): HeldLock {
  const content: LockInfo = { pid: process.pid, ...info };
  for (let attempt = 0; attempt < 3; attempt++) {
    // Write the content first, then link it into place: the lock never exists half-written.
    const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
    fs.writeFileSync(temp, JSON.stringify(content), { mode: 0o600 });
    try {
      fs.linkSync(temp, file);
      heldHere.add(file);
      return makeHeld(file, content);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const existing = readLock(file);
      if (!existing && isRecent(file)) {
        throw new HavenError('CONFLICT', `HAVEN_HOME ${path.dirname(file)} is being opened by another Haven Core right now; try again`);
      }
      const liveOwner = existing && (existing.pid === process.pid ? heldHere.has(file) : isProcessAlive(existing.pid));
      if (existing && liveOwner) {
        throw new HavenError(
          'CONFLICT',
          `HAVEN_HOME ${path.dirname(file)} is in use by another Haven Core (pid ${existing.pid}, ${existing.host} since ${existing.startedAt}). Stop it or set another HAVEN_HOME.`,
        );
      }
      fs.rmSync(file, { force: true });
    } finally {
      fs.rmSync(temp, { force: true });
    }
  }
  throw new HavenError('CONFLICT', `could not take the lock ${file}`);
}

function makeHeld(file: string, content: LockInfo): HeldLock {
  let released = false;
  return {
    update(patch) {
      Object.assign(content, patch);
      const temp = `${file}.${process.pid}.update.tmp`;
      fs.writeFileSync(temp, JSON.stringify(content), { mode: 0o600 });
      fs.renameSync(temp, file);
    },
    dispose() {
      if (released) return;
      released = true;
      heldHere.delete(file);
      const current = readLock(file);
      if (current?.pid === process.pid) fs.rmSync(file, { force: true });
    },
  };
}
