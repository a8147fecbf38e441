import { z } from 'zod';
import { MediaSource, ProgressUpdate } from '../sdk/types';

/** A file dropped on the window to archive (a .torrent) travels in one call, so it is small. */
export const MAX_DROPPED_FILE_BYTES = 512 * 1024;

export const JobState = z.enum(['queued', 'running', 'paused', 'completed', 'failed', 'cancelled', 'skipped']);
export type JobState = z.infer<typeof JobState>;

export const JobKind = z.enum(['archive', 'record', 'discover', 'process', 'verify', 'import']);
export type JobKind = z.infer<typeof JobKind>;

/** Why a job failed, in classes a user can act on. */
export const ErrorClass = z.enum([
  'network',
  'not_found',
  'auth_required',
  'geo_blocked',
  'rate_limited',
  'tool_missing',
  'disk_full',
  'plugin_crashed',
  'timeout',
  'invalid_input',
  'not_implemented',
  'plugin_error',
  'forbidden',
  'cancelled',
  'internal',
]);
export type ErrorClass = z.infer<typeof ErrorClass>;

export const ACTIVE_JOB_STATES: readonly JobState[] = ['queued', 'running', 'paused'];
export const FINISHED_JOB_STATES: readonly JobState[] = ['completed', 'failed', 'cancelled', 'skipped'];

export const JobSummary = z.object({
  id: z.string(),
  plugin: z.string(),
  kind: JobKind,
  state: JobState,
  priority: z.number().int(),
  title: z.string(),
  sourceId: z.string().optional(),
  uri: z.string().optional(),
  /** Runs that failed so far (pauses and interruptions do not count). */
  attempts: z.number().int(),
  maxRetries: z.number().int(),
  /** When a queued job will run again after a failure (ISO time). */
  nextRunAt: z.string().optional(),
  errorClass: ErrorClass.optional(),
  error: z.string().optional(),
  itemId: z.number().int().optional(),
  outputPath: z.string().optional(),
  progress: ProgressUpdate.optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
});
export type JobSummary = z.infer<typeof JobSummary>;

export const JobEvent = z.object({
  at: z.string(),
  kind: z.string(),
  message: z.string(),
});
export type JobEvent = z.infer<typeof JobEvent>;

export const JobDetail = JobSummary.extend({
  source: MediaSource.optional(),
  /** Every decision about this job, oldest first: queued, skipped, started, failed, retry planned… */
  trace: z.array(JobEvent),
  /** What the job produced (an archive result, a verify or import report). */
  result: z.unknown().optional(),
  /** The plugin's recent log lines while it ran this job. */
  log: z.array(z.object({ time: z.string(), level: z.string(), message: z.string() })),
});
export type JobDetail = z.infer<typeof JobDetail>;

export const JobCounts = z.object({
  queued: z.number().int(),
  running: z.number().int(),
  paused: z.number().int(),
  completed: z.number().int(),
  failed: z.number().int(),
  cancelled: z.number().int(),
  skipped: z.number().int(),
});
export type JobCounts = z.infer<typeof JobCounts>;

export const JobProgressEvent = z.object({ jobId: z.string(), plugin: z.string(), progress: ProgressUpdate });
export type JobProgressEvent = z.infer<typeof JobProgressEvent>;

export const JobFilter = z.strictObject({
  states: z.array(JobState).max(7).optional(),
  plugin: z.string().max(128).optional(),
  text: z.string().max(200).optional(),
  limit: z.number().int().min(1).max(1000).default(200),
  offset: z.number().int().min(0).default(0),
});
export type JobFilter = z.input<typeof JobFilter>;

/** Which jobs an action applies to: some by id, or all in the given states. */
export const JobSelection = z.strictObject({
  ids: z.array(z.string().max(64)).max(10_000).optional(),
  all: z.boolean().default(false),
});
export type JobSelection = z.input<typeof JobSelection>;
