/**
 * Numbered schema migrations, applied in order at start inside one transaction each.
 * Never edit a migration that has shipped; add the next number.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'plugin state and key-value storage',
    sql: `
      CREATE TABLE plugin_state (
        plugin_name TEXT PRIMARY KEY,
        enabled     INTEGER NOT NULL DEFAULT 1,
        updated_at  TEXT NOT NULL
      ) STRICT;
      CREATE TABLE plugin_kv (
        plugin_name TEXT NOT NULL,
        key         TEXT NOT NULL,
        value       TEXT NOT NULL,
        updated_at  TEXT NOT NULL,
        PRIMARY KEY (plugin_name, key)
      ) STRICT;
    `,
  },
  {
    version: 2,
    name: 'plugin configuration and health history',
    sql: `
      CREATE TABLE plugin_config (
        plugin_name TEXT PRIMARY KEY,
        config_json TEXT NOT NULL,
        updated_at  TEXT NOT NULL
      ) STRICT;
      CREATE TABLE plugin_schema (
        plugin_name TEXT PRIMARY KEY,
        version     TEXT NOT NULL,
        schema_json TEXT NOT NULL,
        updated_at  TEXT NOT NULL
      ) STRICT;
      CREATE TABLE plugin_health (
        id          INTEGER PRIMARY KEY,
        plugin_name TEXT NOT NULL,
        status      TEXT NOT NULL CHECK (status IN ('pass', 'warn', 'fail')),
        output      TEXT,
        result_json TEXT NOT NULL,
        duration_ms INTEGER NOT NULL,
        checked_at  TEXT NOT NULL
      ) STRICT;
      CREATE INDEX plugin_health_by_plugin ON plugin_health (plugin_name, id);
    `,
  },
];
