import { systemClock, type Clock } from '@shared/ipc/coalesce';
import { toDisposable, type Disposable } from '@shared/lifecycle';
import type { ScheduledTask } from '@shared/sdk/types';

export const MAX_TIMER_MS = 2 ** 31 - 1;

export interface TaskState {
  runs: number;
  failures: number;
  /** Consecutive failures so far; the next delay doubles with each. */
  consecutiveFailures: number;
  nextRunAt?: number;
  /** The delay planned before the coming (or current) run. */
  lastDelayMs?: number;
  running: boolean;
}

/**
 * Runs a plugin's scheduled tasks: first run at once (or after one interval with
 * skipInitialRun), then every interval plus jitter; a run that returns false or throws doubles
 * the delay up to maxBackoffMs. Runs never overlap; the next is planned when one finishes.
 */
export class TaskScheduler implements Disposable {
  private readonly tasks = new Map<ScheduledTask, { state: TaskState; timer?: unknown; stopped: boolean }>();

  constructor(
    private readonly onError: (task: ScheduledTask, error: unknown) => void,
    private readonly clock: Clock = systemClock,
    private readonly random: () => number = Math.random,
  ) {}

  schedule(task: ScheduledTask): Disposable {
    if (!(task.intervalMs > 0) || !Number.isFinite(task.intervalMs)) {
      throw new Error(`schedule ${task.name}: intervalMs must be a positive number`);
    }
    const entry = { state: { runs: 0, failures: 0, consecutiveFailures: 0, running: false } as TaskState, stopped: false };
    this.tasks.set(task, entry);
    this.plan(task, task.skipInitialRun ? this.delayFor(task, 0) : 0);
    return toDisposable(() => this.stop(task));
  }

  stateOf(name: string): TaskState | undefined {
    for (const [task, entry] of this.tasks) if (task.name === name) return { ...entry.state };
    return undefined;
  }

  delayFor(task: ScheduledTask, consecutiveFailures: number): number {
    const cap = task.maxBackoffMs ?? task.intervalMs * 32;
    const base = Math.min(task.intervalMs * 2 ** consecutiveFailures, Math.max(cap, task.intervalMs));
    // Timers take at most 2^31-1 ms; anything longer would fire at once.
    return Math.min(base + Math.floor(this.random() * (task.jitterMs ?? 0)), MAX_TIMER_MS);
  }

  private plan(task: ScheduledTask, delay: number): void {
    const entry = this.tasks.get(task);
    if (!entry || entry.stopped) return;
    entry.state.nextRunAt = this.clock.now() + delay;
    entry.state.lastDelayMs = delay;
    entry.timer = this.clock.setTimeout(() => void this.run(task), delay);
  }

  private async run(task: ScheduledTask): Promise<void> {
    const entry = this.tasks.get(task);
    if (!entry || entry.stopped) return;
    entry.state.running = true;
    entry.state.nextRunAt = undefined;
    let ok: boolean;
    try {
      ok = (await task.run()) !== false;
    } catch (error) {
      ok = false;
      this.onError(task, error);
    }
    entry.state.running = false;
    entry.state.runs++;
    if (ok) {
      entry.state.consecutiveFailures = 0;
    } else {
      entry.state.failures++;
      entry.state.consecutiveFailures++;
    }
    this.plan(task, this.delayFor(task, entry.state.consecutiveFailures));
  }

  private stop(task: ScheduledTask): void {
    const entry = this.tasks.get(task);
    if (!entry) return;
    entry.stopped = true;
    if (entry.timer !== undefined) this.clock.clearTimeout(entry.timer);
    this.tasks.delete(task);
  }

  dispose(): void {
    for (const task of [...this.tasks.keys()]) this.stop(task);
  }
}
