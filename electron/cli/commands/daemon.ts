import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { HavenError } from '@shared/ipc/errors';
import { havenPaths, resolveHavenHome } from '../../core/home';
import { rotateLogFile } from '../../core/log';
import { isProcessAlive, readLock } from '../../core/storage/lockfile';
import type { AppLayout } from '../appRoot';

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 20_000;
const POLL_MS = 100;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The last lines of a log, for the error when the background server did not start. */
function tail(file: string, lines = 15): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/**
 * `haven serve --daemon`: starts `haven serve` (the same flags, without --daemon) detached from the
 * terminal, its output appended to HAVEN_HOME/logs/serve.log, and returns once it answers (the
 * lock names its address) with the address and pid. Under systemd, run `haven serve` in the
 * foreground instead (docs/headless.md).
 */
export async function startDaemon(serveArgs: readonly string[], layout: AppLayout): Promise<void> {
  const paths = havenPaths(resolveHavenHome());
  const owner = readLock(paths.lock);
  if (owner && isRunning(owner.pid)) {
    throw new HavenError('CONFLICT', `Haven already runs for ${paths.home} (pid ${owner.pid}, ${owner.host})${owner.url ? ` at ${owner.url}` : ''}`);
  }
  fs.mkdirSync(paths.logs, { recursive: true });
  const logFile = path.join(paths.logs, 'serve.log');
  // Only warnings, errors and crash reports reach this file; a new start moves a large one aside.
  rotateLogFile(logFile);
  const log = fs.openSync(logFile, 'a', 0o600);
  const child = spawn(process.execPath, [path.join(layout.root, 'electron', 'cli', 'haven.mjs'), 'serve', ...serveArgs], {
    detached: true,
    stdio: ['ignore', log, log],
    cwd: paths.home,
    env: { ...process.env, HAVEN_HOME: paths.home },
  });
  fs.closeSync(log);
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const lock = readLock(paths.lock);
    if (lock && lock.pid === child.pid && lock.url) {
      child.unref();
      process.stdout.write(`Haven UI: ${lock.url}\nRunning in the background as pid ${child.pid}; log: ${logFile}\nStop it with \`haven stop\`.\n`);
      return;
    }
    if (exited !== undefined) break;
    await sleep(POLL_MS);
  }
  if (exited === undefined) child.kill('SIGTERM');
  throw new HavenError('UNAVAILABLE', `haven serve did not start${exited !== undefined ? ` (exit code ${exited})` : ` within ${START_TIMEOUT_MS / 1000} s`}; the end of ${logFile}:\n${tail(logFile)}`);
}

/** Alive and not a zombie (a container whose init does not reap leaves exited children as zombies). */
function isRunning(pid: number): boolean {
  if (!isProcessAlive(pid)) return false;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/**
 * Whether the pid is still Haven: after a crash, a stale lock's pid may belong to another
 * program by now. Checked on Linux (its command line); elsewhere the lock is trusted.
 */
function isHaven(pid: number): boolean {
  try {
    return /haven/i.test(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  } catch {
    return process.platform !== 'linux';
  }
}

/** `haven stop`: asks the `haven serve` of this HAVEN_HOME to shut down (SIGTERM) and waits for it. */
export async function stopCommand(): Promise<void> {
  const paths = havenPaths(resolveHavenHome());
  const owner = readLock(paths.lock);
  if (!owner || !isRunning(owner.pid)) {
    process.stdout.write(`Haven is not running for ${paths.home}.\n`);
    return;
  }
  if (!isHaven(owner.pid)) {
    process.stdout.write(`Haven is not running for ${paths.home} (its lock names pid ${owner.pid}, which is another program now).\n`);
    return;
  }
  if (owner.host !== 'serve') {
    throw new HavenError('CONFLICT', `${paths.home} is in use by the ${owner.host === 'desktop' ? 'desktop app' : `${owner.host} command`} (pid ${owner.pid}); quit it there`);
  }
  process.kill(owner.pid, 'SIGTERM');
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (!isRunning(owner.pid)) {
      process.stdout.write(`Stopped Haven (pid ${owner.pid}).\n`);
      return;
    }
    await sleep(POLL_MS);
  }
  throw new HavenError('TIMEOUT', `Haven (pid ${owner.pid}) is still running after ${STOP_TIMEOUT_MS / 1000} s; see ${path.join(paths.logs, 'serve.log')}`);
}
