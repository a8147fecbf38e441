import fs from 'node:fs';
import path from 'node:path';
import type { ImportReport, LibraryItem, LibraryQuery, VerifyReport } from '@shared/domain/library';
import { HavenError } from '@shared/ipc/errors';
import { Emitter } from '@shared/lifecycle';
import type { ArchiveResult, MediaSource } from '@shared/sdk/types';
import type { HavenDatabase } from '../storage/database';
import { SIDECAR_SUFFIX, hashPath, mediaTypeOf, mimeFor, writeFileAtomic } from './files';

interface ItemRow {
  id: number;
  plugin: string;
  source_id: string;
  media_type: string;
  title: string;
  uri: string;
  output_path: string | null;
  size: number | null;
  duration: number | null;
  mime: string | null;
  sha256: string | null;
  metadata_json: string;
  tags_json: string;
  created_at: number;
  snippet?: string | null;
}

export interface NewItem {
  plugin: string;
  sourceId: string;
  mediaType: string;
  title: string;
  uri: string;
  outputPath?: string;
  size?: number;
  duration?: number;
  mime?: string;
  sha256?: string;
  metadata?: Record<string, unknown>;
  tags?: string[];
  createdAt?: number;
  /** More text to find the item by (a recording's chat), indexed but not stored in its metadata. */
  searchText?: string;
}

/** What goes next to each archived file, so the archive is usable (and re-indexable) without Haven. */
export interface Sidecar {
  haven: 1;
  plugin: string;
  source: { sourceId: string; uri: string; title?: string; mediaType: string };
  sha256: string;
  size: number;
  archivedAt: string;
  metadata: Record<string, unknown>;
}

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.filter((v) => typeof v === 'string').join(' ');
  return '';
}

/**
 * The archive index: every saved item, unique per (plugin, source id), with its file's size and
 * sha256, a sidecar beside the file, and full-text search (FTS5) over title, description,
 * channel, tags and subtitles.
 */
export class ArchiveIndex {
  private readonly changed = new Emitter<{ itemId: number; change: 'added' | 'updated' | 'deleted' }>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly db: HavenDatabase) {}

  findBySource(plugin: string, sourceId: string): LibraryItem | undefined {
    const row = this.db.prepare('SELECT * FROM items WHERE plugin = ? AND source_id = ?').get(plugin, sourceId) as ItemRow | undefined;
    return row ? this.toItem(row) : undefined;
  }

  get(id: number): LibraryItem {
    const row = this.db.prepare('SELECT * FROM items WHERE id = ?').get(id) as ItemRow | undefined;
    if (!row) throw new HavenError('NOT_FOUND', `no library item ${id}`);
    return this.toItem(row);
  }

  /** Inserts or updates by (plugin, source id), keeping the full-text index in step. */
  upsert(item: NewItem): { id: number; created: boolean } {
    const now = item.createdAt ?? Date.now();
    const metadata = JSON.stringify(item.metadata ?? {});
    const tags = JSON.stringify(item.tags ?? []);
    const existing = this.db.prepare('SELECT id FROM items WHERE plugin = ? AND source_id = ?').get(item.plugin, item.sourceId) as { id: number } | undefined;
    const run = this.db.transaction((): { id: number; created: boolean } => {
      let id: number;
      if (existing) {
        id = existing.id;
        this.db
          .prepare(
            `UPDATE items SET media_type = ?, title = ?, uri = ?, output_path = ?, size = ?, duration = ?, mime = ?, sha256 = ?,
             metadata_json = ?, tags_json = ?, updated_at = ? WHERE id = ?`,
          )
          .run(item.mediaType, item.title, item.uri, item.outputPath ?? null, item.size ?? null, item.duration ?? null, item.mime ?? null, item.sha256 ?? null, metadata, tags, Date.now(), id);
        this.db.prepare('DELETE FROM items_fts WHERE rowid = ?').run(id);
      } else {
        id = Number(
          this.db
            .prepare(
              `INSERT INTO items (plugin, source_id, media_type, title, uri, output_path, size, duration, mime, sha256, metadata_json, tags_json, created_at, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
            )
            .run(item.plugin, item.sourceId, item.mediaType, item.title, item.uri, item.outputPath ?? null, item.size ?? null, item.duration ?? null, item.mime ?? null, item.sha256 ?? null, metadata, tags, now, now).lastInsertRowid,
        );
      }
      const meta = item.metadata ?? {};
      this.db
        .prepare('INSERT INTO items_fts (rowid, title, description, channel, tags, subtitles, derived) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(id, item.title, text(meta.description), text(meta.channel ?? meta.uploader ?? meta.author), (item.tags ?? []).join(' '), [text(meta.subtitles_text), item.searchText ?? ''].filter(Boolean).join('\n'), this.processorText(id));
      return { id, created: !existing };
    });
    const result = run();
    this.changed.fire({ itemId: result.id, change: result.created ? 'added' : 'updated' });
    return result;
  }

  /**
   * Sets the text a processor extracted from an item (empty: none), replacing what it gave
   * before; the item's search row holds all processors' text in its own column.
   */
  setProcessorText(id: number, plugin: string, extracted: string): void {
    this.db.transaction(() => {
      if (extracted) this.db.prepare('INSERT INTO derived_text (item_id, plugin, text) VALUES (?, ?, ?) ON CONFLICT (item_id, plugin) DO UPDATE SET text = excluded.text').run(id, plugin, extracted.slice(0, MAX_PROCESSOR_TEXT));
      else this.db.prepare('DELETE FROM derived_text WHERE item_id = ? AND plugin = ?').run(id, plugin);
      this.db.prepare('UPDATE items_fts SET derived = ? WHERE rowid = ?').run(this.processorText(id), id);
    })();
    this.changed.fire({ itemId: id, change: 'updated' });
  }

  private processorText(id: number): string {
    const rows = this.db.prepare('SELECT text FROM derived_text WHERE item_id = ? ORDER BY plugin').all(id) as { text: string }[];
    return rows.map((row) => row.text).join('\n');
  }

  /** Adds many new items in one transaction (imports, benchmarks); existing (plugin, source id) pairs are left alone. */
  insertBatch(items: readonly NewItem[]): number {
    const insert = this.db.prepare(
      `INSERT OR IGNORE INTO items (plugin, source_id, media_type, title, uri, output_path, size, duration, mime, sha256, metadata_json, tags_json, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const fts = this.db.prepare('INSERT INTO items_fts (rowid, title, description, channel, tags, subtitles) VALUES (?, ?, ?, ?, ?, ?)');
    let added = 0;
    this.db.transaction(() => {
      for (const item of items) {
        const now = item.createdAt ?? Date.now();
        const meta = item.metadata ?? {};
        const result = insert.run(item.plugin, item.sourceId, item.mediaType, item.title, item.uri, item.outputPath ?? null, item.size ?? null, item.duration ?? null, item.mime ?? null, item.sha256 ?? null, JSON.stringify(meta), JSON.stringify(item.tags ?? []), now, now);
        if (result.changes === 0) continue;
        added++;
        fts.run(Number(result.lastInsertRowid), item.title, text(meta.description), text(meta.channel ?? meta.uploader ?? meta.author), (item.tags ?? []).join(' '), text(meta.subtitles_text));
      }
    })();
    return added;
  }

  /**
   * Records a finished archive: the file must exist (never a `.part`), is hashed, gets a sidecar,
   * and is flagged when the same content is already in the archive from another source.
   */
  async addArchived(plugin: string, source: MediaSource, result: ArchiveResult): Promise<{ item: LibraryItem; duplicateOf?: LibraryItem; sidecarError?: string }> {
    const file = result.outputPath;
    if (!file) throw new HavenError('INVALID_OUTPUT', `${plugin} reported success without an output file`);
    if (file.endsWith('.part')) throw new HavenError('INVALID_OUTPUT', `${plugin} reported a partial file as complete: ${file}`);
    let stat: fs.Stats;
    try {
      stat = await fs.promises.stat(file);
    } catch {
      throw new HavenError('INVALID_OUTPUT', `${plugin} reported ${file}, but there is no such file`);
    }
    if (!stat.isFile() && !stat.isDirectory()) throw new HavenError('INVALID_OUTPUT', `${plugin} reported ${file}, which is neither a file nor a folder`);
    const { sha256, size } = await hashPath(file);
    const duplicateRow = sha256
      ? (this.db.prepare('SELECT * FROM items WHERE sha256 = ? AND NOT (plugin = ? AND source_id = ?) ORDER BY id LIMIT 1').get(sha256, plugin, source.sourceId) as ItemRow | undefined)
      : undefined;
    const metadata: Record<string, unknown> = { ...source.metadata, ...result.metadata };
    if (duplicateRow) metadata.duplicate_of = duplicateRow.id;
    const mime = stat.isFile() ? mimeFor(file) : 'inode/directory';
    const searchText = stat.isDirectory() ? recordingChatText(file) : undefined;
    // The sidecar is written before the row: a row in the index means the job is done (a job
    // requeued after a crash finds it and stops there), so Haven must not die between the two
    // with the sidecar still to write. A crash before the row only means archiving again.
    let sidecarError: string | undefined;
    {
      const sidecar: Sidecar = {
        haven: 1,
        plugin,
        source: { sourceId: source.sourceId, uri: source.uri, mediaType: source.mediaType, ...(source.title ? { title: source.title } : {}) },
        sha256,
        size,
        archivedAt: new Date().toISOString(),
        metadata,
      };
      try {
        await writeFileAtomic(file + SIDECAR_SUFFIX, JSON.stringify(sidecar, null, 2));
      } catch (error) {
        // The file is archived and indexed; a missing sidecar only loses the copy beside it.
        sidecarError = (error as Error).message;
      }
    }
    const { id } = this.upsert({
      ...(searchText ? { searchText } : {}),
      plugin,
      sourceId: source.sourceId,
      mediaType: mediaTypeOf(mime, source.mediaType),
      title: source.title ?? path.basename(file),
      uri: source.uri,
      outputPath: file,
      size,
      ...(result.duration !== undefined ? { duration: result.duration } : {}),
      ...(mime ? { mime } : {}),
      ...(sha256 ? { sha256 } : {}),
      metadata,
      tags: Array.isArray(metadata.tags) ? metadata.tags.filter((t): t is string => typeof t === 'string') : [],
    });
    return { item: this.get(id), ...(duplicateRow ? { duplicateOf: this.toItem(duplicateRow) } : {}), ...(sidecarError ? { sidecarError } : {}) };
  }

  /**
   * Full-text search with filters. Up to RANK_LIMIT matches are ordered by relevance (bm25);
   * beyond that, newest first, which FTS5 answers without scoring every match. Counting stops at
   * COUNT_CAP. Snippets are built for the returned page only.
   */
  search(query: LibraryQuery & { limit: number; offset: number }): { items: LibraryItem[]; total: number; ordering: 'relevance' | 'newest' } {
    const where: string[] = [];
    const params: unknown[] = [];
    const match = toFtsQuery(query.text);
    if (match) {
      where.push('items_fts MATCH ?');
      params.push(match);
    }
    if (query.plugin) {
      where.push('items.plugin = ?');
      params.push(query.plugin);
    }
    if (query.mediaType) {
      where.push('items.media_type = ?');
      params.push(query.mediaType);
    }
    if (query.from) {
      where.push('items.created_at >= ?');
      params.push(Date.parse(query.from));
    }
    if (query.to) {
      where.push('items.created_at < ?');
      params.push(Date.parse(query.to));
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const from = match ? 'items_fts JOIN items ON items.id = items_fts.rowid' : 'items';
    // With text alone, count in the FTS index without joining every match to its row.
    const countFrom = match && where.length === 1 ? 'items_fts' : from;
    const total = (this.db.prepare(`SELECT count(*) AS n FROM (SELECT 1 FROM ${countFrom} ${clause} LIMIT ${COUNT_CAP})`).get(...params) as { n: number }).n;
    const ordering = match && total <= RANK_LIMIT ? 'relevance' : 'newest';
    const select = match ? "items.*, snippet(items_fts, -1, '[', ']', '…', 12) AS snippet" : 'items.*';
    const order = !match ? 'items.created_at DESC, items.id DESC' : ordering === 'relevance' ? 'items_fts.rank' : 'items_fts.rowid DESC';
    const rows = this.db.prepare(`SELECT ${select} FROM ${from} ${clause} ORDER BY ${order} LIMIT ? OFFSET ?`).all(...params, query.limit, query.offset) as ItemRow[];
    return { items: rows.map((row) => this.toItem(row)), total, ordering };
  }

  /** Removes the record, and the file with its sidecar when asked. */
  async delete(id: number, deleteFile: boolean): Promise<void> {
    const item = this.get(id);
    if (deleteFile && item.outputPath) {
      const stat = await fs.promises.lstat(item.outputPath).catch(() => undefined);
      if (stat?.isDirectory()) {
        throw new HavenError('FORBIDDEN', `${item.outputPath} is a folder; Haven removes single files only, so delete it by hand or remove just the record`);
      }
      await fs.promises.rm(item.outputPath, { force: true });
      await fs.promises.rm(item.outputPath + SIDECAR_SUFFIX, { force: true });
    }
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM items WHERE id = ?').run(id);
      this.db.prepare('DELETE FROM items_fts WHERE rowid = ?').run(id);
    })();
    this.changed.fire({ itemId: id, change: 'deleted' });
  }

  /** Fixity: re-hashes every file and reports the missing and the changed ones. */
  async verify(onProgress?: (done: number, total: number) => void, signal?: AbortSignal): Promise<VerifyReport> {
    const rows = this.db.prepare('SELECT id, output_path, sha256 FROM items WHERE output_path IS NOT NULL ORDER BY id').all() as { id: number; output_path: string; sha256: string | null }[];
    const report: VerifyReport = { checked: 0, ok: 0, missing: [], changed: [] };
    for (const row of rows) {
      if (signal?.aborted) throw new HavenError('CANCELLED', 'verify cancelled');
      report.checked++;
      let actual: string;
      try {
        actual = (await hashPath(row.output_path, signal)).sha256;
      } catch {
        report.missing.push({ id: row.id, path: row.output_path });
        onProgress?.(report.checked, rows.length);
        continue;
      }
      if (row.sha256 && actual !== row.sha256) report.changed.push({ id: row.id, path: row.output_path, expected: row.sha256, actual });
      else report.ok++;
      onProgress?.(report.checked, rows.length);
    }
    return report;
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM items').get() as { n: number }).n;
  }

  private toItem(row: ItemRow): LibraryItem {
    const metadata = safeJson<Record<string, unknown>>(row.metadata_json, {});
    const duplicateOf = typeof metadata.duplicate_of === 'number' ? metadata.duplicate_of : undefined;
    return {
      id: row.id,
      plugin: row.plugin,
      sourceId: row.source_id,
      mediaType: row.media_type,
      title: row.title,
      uri: row.uri,
      ...(row.output_path ? { outputPath: row.output_path } : {}),
      ...(row.size !== null ? { size: row.size } : {}),
      ...(row.duration !== null ? { duration: row.duration } : {}),
      ...(row.mime ? { mime: row.mime } : {}),
      ...(row.sha256 ? { sha256: row.sha256 } : {}),
      metadata,
      tags: safeJson<string[]>(row.tags_json, []),
      createdAt: new Date(row.created_at).toISOString(),
      ...(duplicateOf !== undefined ? { duplicateOf } : {}),
      ...(row.snippet ? { snippet: row.snippet } : {}),
    };
  }
}

/** Searches count their matches up to this; the UI shows "10,000+" beyond it. */
export const COUNT_CAP = 10_001;
/** Matches up to this many are ranked by relevance; more are listed newest first. */
export const RANK_LIMIT = 2_000;

function safeJson<T>(text: string, fallback: T): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

/** Words as typed become an FTS5 query: each word quoted (no operators from users), all required, the last as a prefix. */
export function toFtsQuery(input: string | undefined): string | undefined {
  const words = (input ?? '').match(/[\p{L}\p{N}_]+/gu);
  if (!words?.length) return undefined;
  return words.map((word, i) => `"${word}"${i === words.length - 1 ? '*' : ''}`).join(' ');
}

export type { ImportReport };

const MAX_CHAT_TEXT = 2 * 1024 * 1024;
/** Text one processor may add to an item's search row. */
const MAX_PROCESSOR_TEXT = 2 * 1024 * 1024;

/** The chat of a recording folder (the SDK recorder's chat.jsonl), as text to search, up to 2 MiB. */
export function recordingChatText(dir: string): string | undefined {
  const file = path.join(dir, 'chat.jsonl');
  if (!fs.existsSync(path.join(dir, 'recording.json')) || !fs.existsSync(file)) return undefined;
  const fd = fs.openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(Math.min(fs.fstatSync(fd).size, MAX_CHAT_TEXT * 4));
    const read = fs.readSync(fd, buffer, 0, buffer.length, 0);
    const parts: string[] = [];
    let length = 0;
    for (const line of buffer.subarray(0, read).toString('utf8').split('\n')) {
      try {
        const message = JSON.parse(line) as { author?: unknown; text?: unknown };
        if (typeof message.text !== 'string') continue;
        const entry = typeof message.author === 'string' ? `${message.author}: ${message.text}` : message.text;
        length += entry.length + 1;
        if (length > MAX_CHAT_TEXT) break;
        parts.push(entry);
      } catch {
        // A line cut by the size limit, or not JSON.
      }
    }
    return parts.length ? parts.join('\n') : undefined;
  } finally {
    fs.closeSync(fd);
  }
}
