import fs from 'node:fs';
import path from 'node:path';
import { HavenError } from '@shared/ipc/errors';
import { pluginShortId } from '@shared/sdk/manifest';
import type { DerivedFileInfo, DerivedFileResult, DerivedKind } from '@shared/sdk/processing';
import type { HavenDatabase } from '../storage/database';
import { sha256File } from './files';

interface DerivedRow {
  id: number;
  item_id: number;
  plugin: string;
  kind: string;
  path: string;
  mime: string | null;
  label: string | null;
  size: number | null;
  created_at: number;
}

function toInfo(row: DerivedRow): DerivedFileInfo {
  return {
    id: row.id,
    plugin: row.plugin,
    kind: row.kind as DerivedKind,
    path: row.path,
    ...(row.mime ? { mime: row.mime } : {}),
    ...(row.label ? { label: row.label } : {}),
    ...(row.size !== null ? { size: row.size } : {}),
    createdAt: new Date(row.created_at).toISOString(),
  };
}

/**
 * Files processors made from archived items (thumbnails, normalised audio). Each processor
 * writes into its own folder per item, `HAVEN_HOME/derived/<item>/<processor>/`, which Haven
 * empties before each run; originals are never touched. Rows go with their item.
 */
export class DerivedFiles {
  constructor(
    private readonly db: HavenDatabase,
    private readonly root: string,
  ) {}

  /**
   * An empty folder for one processor's run on one item. What it made before is forgotten with
   * its files, so no record ever names a file that is gone.
   */
  async prepare(itemId: number, plugin: string): Promise<string> {
    const dir = path.join(this.root, String(itemId), pluginShortId(plugin));
    this.db.prepare('DELETE FROM derived_files WHERE item_id = ? AND plugin = ?').run(itemId, plugin);
    await fs.promises.rm(dir, { recursive: true, force: true });
    await fs.promises.mkdir(dir, { recursive: true });
    return dir;
  }

  /**
   * The file to serve for a derived file, checked again now: the processor's process lives on
   * and could have put a link where its file was. Undefined unless it is a regular file (not a
   * symlink) inside the item's derived folder.
   */
  async servable(id: number): Promise<string | undefined> {
    let info: DerivedFileInfo & { itemId: number };
    try {
      info = this.get(id);
    } catch {
      return undefined;
    }
    const itemDir = await fs.promises.realpath(path.join(this.root, String(info.itemId))).catch(() => undefined);
    const real = await fs.promises.realpath(info.path).catch(() => undefined);
    const stat = await fs.promises.lstat(info.path).catch(() => undefined);
    if (!itemDir || !real || !stat?.isFile() || real !== info.path) return undefined;
    const inside = path.relative(itemDir, real);
    return inside && !inside.startsWith('..') && !path.isAbsolute(inside) ? real : undefined;
  }

  /**
   * Records what a processor returned, replacing what it made for this item before. Every path
   * must be a file inside `dir` (a processor cannot register, or later have served, anything else).
   */
  async record(itemId: number, plugin: string, dir: string, results: readonly DerivedFileResult[]): Promise<DerivedFileInfo[]> {
    const realDir = await fs.promises.realpath(dir);
    const checked: { result: DerivedFileResult; file: string; size: number; sha256: string }[] = [];
    const seen = new Set<string>();
    for (const result of results) {
      const file = await fs.promises.realpath(path.resolve(dir, result.path)).catch(() => undefined);
      const inside = file ? path.relative(realDir, file) : '..';
      if (!file || inside === '' || inside === '..' || inside.startsWith(`..${path.sep}`) || path.isAbsolute(inside)) {
        throw new HavenError('FORBIDDEN', `${plugin} named ${result.path}, which is not a file it made in ${dir}`);
      }
      // Named twice: recorded once.
      if (seen.has(file)) continue;
      seen.add(file);
      const stat = await fs.promises.lstat(file);
      if (!stat.isFile()) throw new HavenError('INVALID_OUTPUT', `${plugin} named ${result.path}, which is not a file`);
      const { sha256, size } = await sha256File(file);
      checked.push({ result, file, size, sha256 });
    }
    const now = Date.now();
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM derived_files WHERE item_id = ? AND plugin = ?').run(itemId, plugin);
      const insert = this.db.prepare('INSERT INTO derived_files (item_id, plugin, kind, path, mime, label, size, sha256, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
      for (const { result, file, size, sha256 } of checked) insert.run(itemId, plugin, result.kind, file, result.mime ?? null, result.label ?? null, size, sha256, now);
    })();
    return this.list(itemId).filter((info) => info.plugin === plugin);
  }

  list(itemId: number): DerivedFileInfo[] {
    return (this.db.prepare('SELECT * FROM derived_files WHERE item_id = ? ORDER BY id').all(itemId) as DerivedRow[]).map(toInfo);
  }

  get(id: number): DerivedFileInfo & { itemId: number } {
    const row = this.db.prepare('SELECT * FROM derived_files WHERE id = ?').get(id) as DerivedRow | undefined;
    if (!row) throw new HavenError('NOT_FOUND', `no derived file ${id}`);
    return { ...toInfo(row), itemId: row.item_id };
  }

  /** The newest thumbnail of each item, for lists. */
  thumbnails(itemIds: readonly number[]): Map<number, number> {
    const found = new Map<number, number>();
    if (itemIds.length === 0) return found;
    const rows = this.db
      .prepare(`SELECT item_id, max(id) AS id FROM derived_files WHERE kind = 'thumbnail' AND item_id IN (${itemIds.map(() => '?').join(',')}) GROUP BY item_id`)
      .all(...itemIds) as { item_id: number; id: number }[];
    for (const row of rows) found.set(row.item_id, row.id);
    return found;
  }

  /** Removes an item's derived folder (its rows go with the item). */
  async forgetItem(itemId: number): Promise<void> {
    await fs.promises.rm(path.join(this.root, String(itemId)), { recursive: true, force: true });
  }
}
