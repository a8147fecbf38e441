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
];
