import { HavenError } from '@shared/ipc/errors';
import type { HealthCheckResult } from '@shared/sdk/types';
import type { HavenDatabase } from '../storage/database';

const MAX_VALUE_BYTES = 1024 * 1024;
const HEALTH_HISTORY = 50;

export interface StoredHealth {
  result: HealthCheckResult;
  checkedAt: string;
  durationMs: number;
}

/** What Core keeps per plugin in SQLite: enabled flag, config, schema, key-value data, health history. */
export class PluginStore {
  constructor(private readonly db: HavenDatabase) {}

  isEnabled(name: string): boolean | undefined {
    const row = this.db.prepare('SELECT enabled FROM plugin_state WHERE plugin_name = ?').get(name) as { enabled: number } | undefined;
    return row === undefined ? undefined : row.enabled === 1;
  }

  setEnabled(name: string, enabled: boolean): void {
    this.db
      .prepare(
        `INSERT INTO plugin_state (plugin_name, enabled, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (plugin_name) DO UPDATE SET enabled = excluded.enabled, updated_at = excluded.updated_at`,
      )
      .run(name, enabled ? 1 : 0, new Date().toISOString());
  }

  getConfig(name: string): Record<string, unknown> {
    const row = this.db.prepare('SELECT config_json FROM plugin_config WHERE plugin_name = ?').get(name) as { config_json: string } | undefined;
    if (!row) return {};
    try {
      const value = JSON.parse(row.config_json) as unknown;
      return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  }

  setConfig(name: string, config: Record<string, unknown>): void {
    this.db
      .prepare(
        `INSERT INTO plugin_config (plugin_name, config_json, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (plugin_name) DO UPDATE SET config_json = excluded.config_json, updated_at = excluded.updated_at`,
      )
      .run(name, JSON.stringify(config), new Date().toISOString());
  }

  getSchema(name: string, version: string): Record<string, unknown> | undefined {
    const row = this.db.prepare('SELECT schema_json FROM plugin_schema WHERE plugin_name = ? AND version = ?').get(name, version) as
      | { schema_json: string }
      | undefined;
    return row ? (JSON.parse(row.schema_json) as Record<string, unknown>) : undefined;
  }

  setSchema(name: string, version: string, schema: Record<string, unknown>): void {
    this.db
      .prepare(
        `INSERT INTO plugin_schema (plugin_name, version, schema_json, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (plugin_name) DO UPDATE SET version = excluded.version, schema_json = excluded.schema_json, updated_at = excluded.updated_at`,
      )
      .run(name, version, JSON.stringify(schema), new Date().toISOString());
  }

  kvGet(name: string, key: string): { found: boolean; value: unknown } {
    const row = this.db.prepare('SELECT value FROM plugin_kv WHERE plugin_name = ? AND key = ?').get(name, key) as { value: string } | undefined;
    return row ? { found: true, value: JSON.parse(row.value) as unknown } : { found: false, value: undefined };
  }

  kvSet(name: string, key: string, value: unknown): void {
    const text = JSON.stringify(value);
    if (text === undefined) throw new HavenError('INVALID_INPUT', `storage.set ${key}: the value cannot be stored as JSON`);
    if (text.length > MAX_VALUE_BYTES) throw new HavenError('TOO_LARGE', `storage.set ${key}: over ${MAX_VALUE_BYTES} bytes`);
    this.db
      .prepare(
        `INSERT INTO plugin_kv (plugin_name, key, value, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (plugin_name, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      )
      .run(name, key, text, new Date().toISOString());
  }

  kvDelete(name: string, key: string): void {
    this.db.prepare('DELETE FROM plugin_kv WHERE plugin_name = ? AND key = ?').run(name, key);
  }

  kvKeys(name: string): string[] {
    return (this.db.prepare('SELECT key FROM plugin_kv WHERE plugin_name = ? ORDER BY key').all(name) as { key: string }[]).map((r) => r.key);
  }

  /** Everything Haven keeps about a plugin: settings, storage, health history, enabled flag. */
  forget(name: string): void {
    this.db.transaction(() => {
      for (const table of ['plugin_kv', 'plugin_config', 'plugin_schema', 'plugin_health', 'plugin_state']) {
        this.db.prepare(`DELETE FROM ${table} WHERE plugin_name = ?`).run(name);
      }
    })();
  }

  recordHealth(name: string, health: StoredHealth): void {
    const insert = this.db.prepare(
      'INSERT INTO plugin_health (plugin_name, status, output, result_json, duration_ms, checked_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    const prune = this.db.prepare(
      `DELETE FROM plugin_health WHERE plugin_name = ? AND id NOT IN
         (SELECT id FROM plugin_health WHERE plugin_name = ? ORDER BY id DESC LIMIT ${HEALTH_HISTORY})`,
    );
    this.db.transaction(() => {
      insert.run(name, health.result.status, health.result.output ?? null, JSON.stringify(health.result), health.durationMs, health.checkedAt);
      prune.run(name, name);
    })();
  }

  healthHistory(name: string, limit = HEALTH_HISTORY): StoredHealth[] {
    const rows = this.db
      .prepare('SELECT result_json, duration_ms, checked_at FROM plugin_health WHERE plugin_name = ? ORDER BY id DESC LIMIT ?')
      .all(name, limit) as { result_json: string; duration_ms: number; checked_at: string }[];
    return rows.map((row) => ({ result: JSON.parse(row.result_json) as HealthCheckResult, durationMs: row.duration_ms, checkedAt: row.checked_at }));
  }
}
