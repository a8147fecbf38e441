import type { JobCounts, JobState, JobSummary } from '@shared/domain/jobs';
import type { PluginSummary } from '@shared/domain/plugins';
import type { ProgressUpdate } from '@shared/sdk/types';
import type { IpcClient } from '@shared/ipc/client';
import type { HavenContract } from '@shared/ipc/contract';
import { DisposableObject, Emitter } from '@shared/lifecycle';
import { isRecording, type ActiveJob, type TrayInput } from './trayModel';

const NO_JOBS: JobCounts = { queued: 0, running: 0, paused: 0, completed: 0, failed: 0, cancelled: 0, skipped: 0 };
const BROKEN = new Set(['crashed', 'failed']);
const MAX_REMEMBERED = 10_000;

function percentOf(progress: ProgressUpdate): number | undefined {
  if (progress.percent !== undefined) return progress.percent;
  return progress.bytesTotal && progress.bytesDone !== undefined ? Math.min(100, (progress.bytesDone / progress.bytesTotal) * 100) : undefined;
}

export interface JobTransition {
  before: JobState | undefined;
  job: JobSummary;
}

/**
 * Core's state as the tray needs it, kept from the contract's events (the same calls and events
 * the renderer uses, over an in-process connection). Plain Node: no Electron here.
 */
export class TrayState extends DisposableObject {
  private counts: JobCounts = NO_JOBS;
  private readonly running = new Map<string, ActiveJob>();
  private readonly states = new Map<string, JobState>();
  private plugins: readonly PluginSummary[] = [];
  private unseenFailures = 0;
  private connected = false;

  private readonly changed = this.register(new Emitter<void>());
  /** Fires when anything the tray shows may have changed. */
  readonly onDidChange = this.changed.event;
  private readonly transitions = this.register(new Emitter<JobTransition>());
  /** A job changed state (the notifications listen to this). */
  readonly onJobTransition = this.transitions.event;

  constructor(private readonly client: IpcClient<HavenContract>) {
    super();
  }

  async start(): Promise<void> {
    this.register(this.client.onDidClose(() => this.update(() => (this.connected = false))));
    this.register(this.client.subscribe('jobs.counts', {}, { onData: (counts) => this.update(() => (this.counts = counts)) }));
    this.register(this.client.subscribe('plugins.changed', {}, { onData: ({ plugins }) => this.update(() => (this.plugins = plugins)) }));
    this.register(this.client.subscribe('jobs.updated', {}, { onData: (job) => this.jobUpdated(job) }));
    this.register(
      this.client.subscribe('jobs.progress', {}, {
        onData: ({ jobId, progress }) => {
          const job = this.running.get(jobId);
          if (!job) return;
          this.update(() => {
            job.percent = percentOf(progress);
            job.speedBps = progress.speedBps;
            job.recordedSeconds = progress.recording?.seconds;
          });
        },
      }),
    );
    const { jobs } = await this.client.call('jobs.list', { states: ['running'], limit: 1000 });
    this.update(() => {
      for (const job of jobs) this.track(job);
      this.connected = true;
    });
  }

  /** The user opened the window: failures so far are seen. */
  failuresSeen(): void {
    if (this.unseenFailures > 0) this.update(() => (this.unseenFailures = 0));
  }

  /** Running recordings, for the question before quitting. */
  recordingCount(): number {
    return [...this.running.values()].filter(isRecording).length;
  }

  input(): TrayInput {
    const running = this.plugins.filter((plugin) => plugin.state === 'running');
    return {
      counts: this.counts,
      active: [...this.running.values()],
      unseenFailures: this.unseenFailures,
      brokenPlugins: this.plugins.filter((plugin) => plugin.enabled && BROKEN.has(plugin.state)).map((plugin) => plugin.name),
      discoverers: running.filter((plugin) => plugin.capabilities.includes('DISCOVER')).length,
      streamMonitors: running.filter((plugin) => plugin.capabilities.includes('DISCOVER') && plugin.capabilities.includes('STREAM')).length,
      connected: this.connected && !this.client.isClosed,
    };
  }

  /** Running plugins that can discover: all of them, or only the stream monitors. */
  discoverTargets(streamsOnly: boolean): string[] {
    return this.plugins
      .filter((plugin) => plugin.state === 'running' && plugin.capabilities.includes('DISCOVER'))
      .filter((plugin) => !streamsOnly || plugin.capabilities.includes('STREAM'))
      .map((plugin) => plugin.id);
  }

  private jobUpdated(job: JobSummary): void {
    const before = this.states.get(job.id);
    this.update(() => {
      this.track(job);
      if (job.state === 'failed' && before !== 'failed') this.unseenFailures++;
    });
    if (before !== job.state) this.transitions.fire({ before, job });
  }

  private track(job: JobSummary): void {
    if (job.state === 'running') {
      const known = this.running.get(job.id);
      this.running.set(job.id, {
        id: job.id,
        title: job.title,
        kind: job.kind,
        percent: known?.percent ?? (job.progress ? percentOf(job.progress) : undefined),
        speedBps: known?.speedBps ?? job.progress?.speedBps,
        recordedSeconds: known?.recordedSeconds ?? job.progress?.recording?.seconds,
      });
    } else {
      this.running.delete(job.id);
    }
    // Remembered so a later change of the same job is not taken for a new transition; bounded.
    this.states.delete(job.id);
    this.states.set(job.id, job.state);
    if (this.states.size > MAX_REMEMBERED) this.states.delete(this.states.keys().next().value as string);
  }

  private update(change: () => void): void {
    change();
    this.changed.fire();
  }
}
