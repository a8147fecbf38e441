import fs from 'node:fs';
import Database from 'better-sqlite3';
import { HavenError } from '@shared/ipc/errors';
import { migrations as defaultMigrations, type Migration } from './migrations';

export type HavenDatabase = Database.Database;

/** "HAVN" — marks a SQLite file as Haven's, so another app's database is never migrated. */
export const APPLICATION_ID = 0x4841564e;

/**
 * SQLite's page cache per connection, in KiB: SQLite's own default (2 MB). better-sqlite3 builds
 * SQLite with SQLITE_DEFAULT_CACHE_SIZE=-16000 instead, a 16 MB cache that fills as the database
 * grows and stays: Core's resident memory rose by up to 16 MB over its first ~10,000 jobs (the
 * `memory` benchmark's soak). The operating system caches the file anyway: `index_1m` (1M items,
 * a 1.5 GB file) measured the same with 2 MB as with 16 MB, within run-to-run noise (5 runs each).
 */
export const PAGE_CACHE_KIB = 2000;

export interface OpenDatabaseOptions {
  /** Path of a better-sqlite3 binding built for this runtime (Electron needs its own). */
  nativeBinding?: string;
  migrations?: readonly Migration[];
}

/**
 * Opens (or creates) the archive database: WAL, foreign keys, numbered migrations. A file that
 * is not a Haven database, is damaged, or is newer than this Haven is reported by name and
 * left exactly as it was.
 */
export function openDatabase(file: string, options: OpenDatabaseOptions = {}): HavenDatabase {
  const migrations = options.migrations ?? defaultMigrations;
  const existed = fs.existsSync(file) && fs.statSync(file).size > 0;
  let db: HavenDatabase | undefined;
  try {
    db = new Database(file, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
    const applicationId = db.pragma('application_id', { simple: true }) as number;
    const userVersion = db.pragma('user_version', { simple: true }) as number;
    if (existed && applicationId !== APPLICATION_ID && (applicationId !== 0 || userVersion !== 0 || hasTables(db))) {
      throw new HavenError('CONFLICT', `${file} is a SQLite database of another application`);
    }
    const latest = migrations.at(-1)?.version ?? 0;
    if (userVersion > latest) {
      throw new HavenError(
        'CONFLICT',
        `${file} was written by a newer Haven (schema ${userVersion}, this one knows ${latest}); update Haven`,
      );
    }
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    db.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
    migrate(db, migrations, userVersion);
    return db;
  } catch (error) {
    db?.close();
    if (error instanceof HavenError) {
      throw new HavenError(error.code, `database: ${error.message}. Haven left the file untouched.`);
    }
    const code = (error as { code?: string }).code ?? '';
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT' || /not a database|malformed/i.test(String(error))) {
      throw new HavenError(
        'CONFLICT',
        `database: ${file} is damaged or not a database (${(error as Error).message}). Haven left the file untouched: restore it from a backup, or move it away to start with an empty archive.`,
      );
    }
    throw new HavenError('UNAVAILABLE', `database: cannot open ${file} (${(error as Error).message})`);
  }
}

function hasTables(db: HavenDatabase): boolean {
  const row = db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table'").get() as { n: number };
  return row.n > 0;
}

function migrate(db: HavenDatabase, migrations: readonly Migration[], from: number): void {
  for (const migration of migrations) {
    if (migration.version <= from) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.pragma(`application_id = ${APPLICATION_ID}`);
      db.pragma(`user_version = ${migration.version}`);
    })();
  }
  if (from === 0 && migrations.length === 0) db.pragma(`application_id = ${APPLICATION_ID}`);
}

export function integrityCheck(db: HavenDatabase): string {
  return db.pragma('integrity_check', { simple: true }) as string;
}
