import crypto from 'node:crypto';
import type { ErrorClass, JobCounts, JobEvent, JobKind, JobState, JobSummary } from '@shared/domain/jobs';
import type { MediaSource, ProgressUpdate } from '@shared/sdk/types';
import type { HavenDatabase } from '../storage/database';

export interface JobRow {
  seq: number;
  id: string;
  plugin: string;
  kind: JobKind;
  state: JobState;
  priority: number;
  source_id: string | null;
  source_json: string | null;
  title: string | null;
  attempts: number;
  max_retries: number;
  next_run_at: number | null;
  error_class: ErrorClass | null;
  error_message: string | null;
  result_json: string | null;
  item_id: number | null;
  progress_json: string | null;
  force: number;
  /** A local file the user named for this job (never one a plugin named): its plugin may read it. */
  user_file: string | null;
  created_at: number;
  updated_at: number;
  started_at: number | null;
  finished_at: number | null;
}

export interface NewJob {
  plugin: string;
  kind: JobKind;
  state: JobState;
  priority: number;
  source?: MediaSource;
  title: string;
  maxRetries: number;
  force?: boolean;
  userFile?: string;
}

/** Time-ordered, unique job ids: `j` + time in base 36 + random. */
export function newJobId(): string {
  return `j${Date.now().toString(36)}${crypto.randomBytes(5).toString('hex')}`;
}

const iso = (ms: number | null): string | undefined => (ms === null ? undefined : new Date(ms).toISOString());

export function toSummary(row: JobRow, liveProgress?: ProgressUpdate): JobSummary {
  const source = row.source_json ? (JSON.parse(row.source_json) as MediaSource) : undefined;
  const result = row.result_json ? (JSON.parse(row.result_json) as { outputPath?: string }) : undefined;
  const progress = liveProgress ?? (row.progress_json ? (JSON.parse(row.progress_json) as ProgressUpdate) : undefined);
  return {
    id: row.id,
    plugin: row.plugin,
    kind: row.kind,
    state: row.state,
    priority: row.priority,
    title: row.title ?? source?.title ?? source?.uri ?? row.kind,
    ...(row.source_id ? { sourceId: row.source_id } : {}),
    ...(source?.uri ? { uri: source.uri } : {}),
    attempts: row.attempts,
    maxRetries: row.max_retries,
    ...(row.next_run_at !== null && row.state === 'queued' ? { nextRunAt: iso(row.next_run_at)! } : {}),
    ...(row.error_class ? { errorClass: row.error_class } : {}),
    ...(row.error_message ? { error: row.error_message } : {}),
    ...(row.item_id !== null ? { itemId: row.item_id } : {}),
    ...(result?.outputPath ? { outputPath: result.outputPath } : {}),
    ...(progress ? { progress } : {}),
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
    ...(row.started_at !== null ? { startedAt: iso(row.started_at)! } : {}),
    ...(row.finished_at !== null ? { finishedAt: iso(row.finished_at)! } : {}),
  };
}

export type JobPatch = Partial<Pick<JobRow, 'state' | 'attempts' | 'next_run_at' | 'error_class' | 'error_message' | 'result_json' | 'item_id' | 'progress_json' | 'started_at' | 'finished_at' | 'force' | 'max_retries' | 'title' | 'source_json' | 'user_file'>>;

/** The jobs tables. Every state change and its trace event are written in one transaction. */
export class JobStore {
  constructor(private readonly db: HavenDatabase) {}

  insert(job: NewJob, event: { kind: string; message: string }): JobRow {
    const now = Date.now();
    const id = newJobId();
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO jobs (id, plugin, kind, state, priority, source_id, source_json, title, max_retries, force, user_file, created_at, updated_at, finished_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          id,
          job.plugin,
          job.kind,
          job.state,
          job.priority,
          job.source?.sourceId ?? null,
          job.source ? JSON.stringify(job.source) : null,
          job.title,
          job.maxRetries,
          job.force ? 1 : 0,
          job.userFile ?? null,
          now,
          now,
          job.state === 'skipped' ? now : null,
        );
      this.addEvent(id, event.kind, event.message, now);
    })();
    return this.get(id)!;
  }

  get(id: string): JobRow | undefined {
    return this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
  }

  /** Applies a change and records why, atomically; returns the row as it is now. */
  update(id: string, patch: JobPatch, event?: { kind: string; message: string }): JobRow {
    const now = Date.now();
    const keys = Object.keys(patch) as (keyof JobPatch)[];
    this.db.transaction(() => {
      if (keys.length > 0) {
        this.db
          .prepare(`UPDATE jobs SET ${keys.map((k) => `${k} = ?`).join(', ')}, updated_at = ? WHERE id = ?`)
          .run(...keys.map((k) => patch[k] ?? null), now, id);
      }
      if (event) this.addEvent(id, event.kind, event.message, now);
    })();
    return this.get(id)!;
  }

  /** Adds a trace line; the same line twice in a row is kept once (with the newer time). */
  addEvent(jobId: string, kind: string, message: string, at = Date.now()): void {
    const text = message.slice(0, 4000);
    const last = this.db.prepare('SELECT id, kind, message FROM job_events WHERE job_id = ? ORDER BY id DESC LIMIT 1').get(jobId) as
      | { id: number; kind: string; message: string }
      | undefined;
    if (last && last.kind === kind && last.message === text) {
      this.db.prepare('UPDATE job_events SET at = ? WHERE id = ?').run(at, last.id);
      return;
    }
    this.db.prepare('INSERT INTO job_events (job_id, at, kind, message) VALUES (?, ?, ?, ?)').run(jobId, at, kind, text);
  }

  /** The trace, oldest first; a long one keeps its first lines and its latest ones. */
  trace(jobId: string, limit = 500): JobEvent[] {
    const total = (this.db.prepare('SELECT count(*) AS n FROM job_events WHERE job_id = ?').get(jobId) as { n: number }).n;
    const head = Math.min(total, 50);
    const rows =
      total <= limit
        ? (this.db.prepare('SELECT at, kind, message FROM job_events WHERE job_id = ? ORDER BY id').all(jobId) as { at: number; kind: string; message: string }[])
        : [
            ...(this.db.prepare('SELECT at, kind, message FROM job_events WHERE job_id = ? ORDER BY id LIMIT ?').all(jobId, head) as { at: number; kind: string; message: string }[]),
            { at: Date.now(), kind: 'omitted', message: `… ${total - limit} older lines not shown …` },
            ...(this.db.prepare('SELECT * FROM (SELECT id, at, kind, message FROM job_events WHERE job_id = ? ORDER BY id DESC LIMIT ?) ORDER BY id').all(jobId, limit - head) as { at: number; kind: string; message: string }[]),
          ];
    return rows.map((e) => ({
      at: new Date(e.at).toISOString(),
      kind: e.kind,
      message: e.message,
    }));
  }

  /** The newest job for a source, if any. */
  latestForSource(plugin: string, sourceId: string, kind: JobKind): JobRow | undefined {
    return this.db.prepare('SELECT * FROM jobs WHERE plugin = ? AND source_id = ? AND kind = ? ORDER BY seq DESC LIMIT 1').get(plugin, sourceId, kind) as JobRow | undefined;
  }

  /**
   * Queued jobs that may run now, best first (priority, then first come first served), leaving
   * out plugins already at their limit (recordings are never held back) and, when given, any job
   * not in `only`.
   */
  runnable(now: number, limit: number, saturated: readonly string[], only?: readonly string[]): JobRow[] {
    const params: unknown[] = [now];
    let sql = "SELECT * FROM jobs WHERE state = 'queued' AND (next_run_at IS NULL OR next_run_at <= ?)";
    if (saturated.length) {
      sql += ` AND (plugin NOT IN (${saturated.map(() => '?').join(',')}) OR kind = 'record')`;
      params.push(...saturated);
    }
    if (only) {
      if (only.length === 0) return [];
      sql += ` AND id IN (${only.map(() => '?').join(',')})`;
      params.push(...only);
    }
    return this.db.prepare(`${sql} ORDER BY priority DESC, seq ASC LIMIT ?`).all(...params, limit) as JobRow[];
  }

  /** The next future retry time, if any (a time already past is the pump's business, not a timer's). */
  nextWake(now: number): number | undefined {
    const row = this.db.prepare("SELECT min(next_run_at) AS at FROM jobs WHERE state = 'queued' AND next_run_at > ?").get(now) as { at: number | null };
    return row.at ?? undefined;
  }

  idsInStates(states: readonly JobState[]): string[] {
    if (states.length === 0) return [];
    return (this.db.prepare(`SELECT id FROM jobs WHERE state IN (${states.map(() => '?').join(',')})`).all(...states) as { id: string }[]).map((r) => r.id);
  }

  list(filter: { states?: readonly JobState[]; plugin?: string; text?: string; limit: number; offset: number }): { rows: JobRow[]; total: number } {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.states?.length) {
      where.push(`state IN (${filter.states.map(() => '?').join(',')})`);
      params.push(...filter.states);
    }
    if (filter.plugin) {
      where.push('plugin = ?');
      params.push(filter.plugin);
    }
    if (filter.text) {
      where.push("(title LIKE ? ESCAPE '\\' OR source_id LIKE ? ESCAPE '\\')");
      const like = `%${filter.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      params.push(like, like);
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (this.db.prepare(`SELECT count(*) AS n FROM jobs ${clause}`).get(...params) as { n: number }).n;
    const rows = this.db
      .prepare(
        `SELECT * FROM jobs ${clause}
         ORDER BY CASE state WHEN 'running' THEN 0 WHEN 'queued' THEN 1 WHEN 'paused' THEN 2 ELSE 3 END,
                  CASE WHEN state IN ('queued', 'paused') THEN -priority ELSE 0 END,
                  CASE WHEN state IN ('queued', 'paused') THEN seq ELSE -updated_at END
         LIMIT ? OFFSET ?`,
      )
      .all(...params, filter.limit, filter.offset) as JobRow[];
    return { rows, total };
  }

  counts(): JobCounts {
    const counts: JobCounts = { queued: 0, running: 0, paused: 0, completed: 0, failed: 0, cancelled: 0, skipped: 0 };
    for (const row of this.db.prepare('SELECT state, count(*) AS n FROM jobs GROUP BY state').all() as { state: JobState; n: number }[]) {
      counts[row.state] = row.n;
    }
    return counts;
  }

  /** Jobs a crash left `running`: back to the queue, with the reason in their trace. */
  requeueInterrupted(): string[] {
    const ids = this.idsInStates(['running']);
    for (const id of ids) {
      this.update(id, { state: 'queued', next_run_at: null }, { kind: 'recovered', message: 'Haven stopped while this job ran; it is queued again and resumes where the plugin can' });
    }
    return ids;
  }
}
