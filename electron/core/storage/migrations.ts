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
  {
    version: 3,
    name: 'jobs, decision trace, archive index with full-text search',
    sql: `
      CREATE TABLE jobs (
        seq           INTEGER PRIMARY KEY AUTOINCREMENT,
        id            TEXT NOT NULL UNIQUE,
        plugin        TEXT NOT NULL,
        kind          TEXT NOT NULL CHECK (kind IN ('archive', 'record', 'discover', 'process', 'verify', 'import')),
        state         TEXT NOT NULL CHECK (state IN ('queued', 'running', 'paused', 'completed', 'failed', 'cancelled', 'skipped')),
        priority      INTEGER NOT NULL DEFAULT 0,
        source_id     TEXT,
        source_json   TEXT,
        title         TEXT,
        attempts      INTEGER NOT NULL DEFAULT 0,
        max_retries   INTEGER NOT NULL DEFAULT 3,
        next_run_at   INTEGER,
        error_class   TEXT,
        error_message TEXT,
        result_json   TEXT,
        item_id       INTEGER,
        progress_json TEXT,
        force         INTEGER NOT NULL DEFAULT 0,
        created_at    INTEGER NOT NULL,
        updated_at    INTEGER NOT NULL,
        started_at    INTEGER,
        finished_at   INTEGER
      ) STRICT;
      CREATE INDEX jobs_runnable ON jobs (state, priority DESC, seq);
      CREATE INDEX jobs_by_source ON jobs (plugin, source_id);
      CREATE INDEX jobs_by_update ON jobs (updated_at);

      CREATE TABLE job_events (
        id      INTEGER PRIMARY KEY,
        job_id  TEXT NOT NULL,
        at      INTEGER NOT NULL,
        kind    TEXT NOT NULL,
        message TEXT NOT NULL,
        data    TEXT
      ) STRICT;
      CREATE INDEX job_events_by_job ON job_events (job_id, id);

      CREATE TABLE items (
        id            INTEGER PRIMARY KEY,
        plugin        TEXT NOT NULL,
        source_id     TEXT NOT NULL,
        media_type    TEXT NOT NULL,
        title         TEXT NOT NULL,
        uri           TEXT NOT NULL,
        output_path   TEXT,
        size          INTEGER,
        duration      REAL,
        mime          TEXT,
        sha256        TEXT,
        metadata_json TEXT NOT NULL DEFAULT '{}',
        tags_json     TEXT NOT NULL DEFAULT '[]',
        created_at    INTEGER NOT NULL,
        updated_at    INTEGER NOT NULL,
        UNIQUE (plugin, source_id)
      ) STRICT;
      CREATE INDEX items_by_hash ON items (sha256);
      CREATE INDEX items_by_created ON items (created_at);

      CREATE VIRTUAL TABLE items_fts USING fts5(title, description, channel, tags, subtitles, tokenize = 'unicode61 remove_diacritics 2');
    `,
  },
  {
    version: 4,
    name: 'files processors made from archived items',
    sql: `
      CREATE TABLE derived_files (
        id         INTEGER PRIMARY KEY,
        item_id    INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
        plugin     TEXT NOT NULL,
        kind       TEXT NOT NULL,
        path       TEXT NOT NULL,
        mime       TEXT,
        label      TEXT,
        size       INTEGER,
        sha256     TEXT,
        created_at INTEGER NOT NULL,
        UNIQUE (item_id, path)
      ) STRICT;
      CREATE INDEX derived_by_item ON derived_files (item_id, kind);

      -- Text processors extract (subtitles), per item and processor, searchable in its own column.
      CREATE TABLE derived_text (
        item_id INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
        plugin  TEXT NOT NULL,
        text    TEXT NOT NULL,
        PRIMARY KEY (item_id, plugin)
      ) STRICT;
      CREATE VIRTUAL TABLE items_fts_v4 USING fts5(title, description, channel, tags, subtitles, derived, tokenize = 'unicode61 remove_diacritics 2');
      INSERT INTO items_fts_v4 (rowid, title, description, channel, tags, subtitles) SELECT rowid, title, description, channel, tags, subtitles FROM items_fts;
      DROP TABLE items_fts;
      ALTER TABLE items_fts_v4 RENAME TO items_fts;
    `,
  },
  {
    version: 5,
    name: 'the local file a user named for a job, which its plugin may read',
    sql: `ALTER TABLE jobs ADD COLUMN user_file TEXT;`,
  },
];
