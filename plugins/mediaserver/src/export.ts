import fs from 'node:fs';
import path from 'node:path';
import { HavenError, type DerivedFileInfo, type ProcessResultInput, type ProgressUpdate } from '@haven/sdk';
import type { MediaServerConfig } from './config';
import { copyAtomic, ensureFolders, insidePath, placeMedia, realLibrary, sameFile, writeAtomic, type Linker, type Placed } from './files';
import { dateOf, planExport, sourceType, type ExportPlan, type ItemFacts } from './layout';
import { safeExtension } from './names';
import { buildNfo, buildTvShowNfo, uniqueIdIn } from './nfo';

export interface ExportItem extends ItemFacts {
  derivedDir: string;
  derived: DerivedFileInfo[];
}

export interface ExportOptions {
  signal?: AbortSignal | undefined;
  progress?: ((update: ProgressUpdate) => void) | undefined;
  log?: ((message: string, fields?: Record<string, unknown>) => void) | undefined;
  /** How links are made (Haven's `ctx.linkFile`); directly when not given. */
  link?: Linker | undefined;
}

const LABEL = 'Jellyfin/Kodi .nfo';

/** The newest thumbnail an earlier step made that is still on disk (a JPEG preferred). */
export function pickThumbnail(derived: readonly DerivedFileInfo[]): DerivedFileInfo | undefined {
  const thumbnails = derived
    .filter((file) => file.kind === 'thumbnail' && fs.existsSync(file.path))
    .sort((a, b) => Number(b.mime === 'image/jpeg') - Number(a.mime === 'image/jpeg') || b.createdAt.localeCompare(a.createdAt));
  return thumbnails[0];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The number within its day of a `shows` episode: the one an earlier export of the same source id
 * got (found by its .nfo's uniqueid), else the lowest one no file of that day uses.
 */
export async function episodeIndex(seasonDir: string, item: ItemFacts, plan: ExportPlan): Promise<number> {
  const code = /S\d{4}E\d{4}(?=\d{2} - )/.exec(plan.base)?.[0];
  if (!code) return 1;
  const pattern = new RegExp(` - ${escapeRegExp(code)}(\\d{2}) - `);
  const used = new Set<number>();
  const type = sourceType(item.plugin);
  for (const name of await fs.promises.readdir(seasonDir)) {
    const match = pattern.exec(name);
    if (!match) continue;
    const index = Number(match[1]);
    used.add(index);
    if (name.endsWith('.nfo')) {
      const nfo = await fs.promises.readFile(path.join(seasonDir, name), 'utf8').catch(() => '');
      if (uniqueIdIn(nfo, type) === item.sourceId) return index;
    }
  }
  for (let index = 1; index <= 99; index += 1) if (!used.has(index)) return index;
  throw new HavenError('CONFLICT', `${seasonDir} already has 99 episodes on the day of ${code}`);
}

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new HavenError('CANCELLED', 'the export was cancelled');
}

/**
 * Exports one item into the library (when `library_dir` is set) and writes its .nfo into
 * `derivedDir`. The original is only read (and hard-linked or linked to).
 */
export async function exportItem(item: ExportItem, config: MediaServerConfig, options: ExportOptions = {}): Promise<ProcessResultInput> {
  const { signal } = options;
  const progress = options.progress ?? (() => undefined);
  const stat = await fs.promises.stat(item.path).catch(() => undefined);
  if (!stat) throw new HavenError('NOT_FOUND', `the archived file is missing: ${item.path}`);
  if (!stat.isFile()) return { derived: [], skipped: 'the item is a folder (a recording in segments), not one file a media server can play' };
  const fallbackDate = dateOf(stat.mtime);
  const thumbnail = pickThumbnail(item.derived);
  const thumbExt = thumbnail ? safeExtension(path.extname(thumbnail.path)) || '.jpg' : '';
  let plan = planExport(item, config.layout, { fallbackDate });
  await fs.promises.mkdir(item.derivedDir, { recursive: true });

  const libraryDir = config.library_dir?.trim();
  if (!libraryDir) {
    const nfoPath = path.join(item.derivedDir, `${plan.base}.nfo`);
    await writeAtomic(nfoPath, buildNfo(item, plan, { thumb: thumbnail?.path }));
    progress({ phase: 'done', percent: 100 });
    return {
      derived: [{ path: nfoPath, kind: 'metadata', mime: 'application/xml', label: `${LABEL} (nothing exported: library_dir is not set)` }],
      metadata: { linkMode: config.link_mode },
    };
  }

  progress({ phase: 'exporting', percent: 0, message: config.layout });
  const root = await realLibrary(libraryDir);
  let dir = await ensureFolders(root, plan.folders);
  if (plan.layout === 'shows') {
    plan = planExport(item, config.layout, { fallbackDate, index: await episodeIndex(dir, item, plan) });
    dir = await ensureFolders(root, plan.folders);
  }
  checkAborted(signal);

  const placed: Placed = await placeMedia(item.path, dir, plan.base, plan.ext, config.link_mode, {
    signal,
    link: options.link,
    onBytes: (bytes) => progress({ phase: 'exporting', bytesDone: bytes, bytesTotal: stat.size, percent: stat.size ? Math.min(90, (90 * bytes) / stat.size) : 0 }),
  });
  options.log?.(placed.mode === 'existing' ? 'already in the library' : `exported (${placed.mode})`, { path: placed.path, ...(placed.note ? { note: placed.note } : {}) });
  checkAborted(signal);

  // The thumbnail beside it (a copy: the thumbnail step replaces its files when it runs again).
  let thumbName: string | undefined;
  const posters: string[] = [];
  if (thumbnail) {
    thumbName = `${placed.base}-thumb${thumbExt}`;
    const target = insidePath(dir, thumbName);
    if (!(await sameFile(thumbnail.path, target))) await copyAtomic(thumbnail.path, target, { signal });
    if (plan.collectionDepth > 0) {
      const collection = await ensureFolders(root, plan.folders.slice(0, plan.collectionDepth));
      for (const name of [`poster${thumbExt}`, `folder${thumbExt}`]) {
        const poster = insidePath(collection, name);
        if (!fs.existsSync(poster) && (await copyAtomic(thumbnail.path, poster, { signal, exclusive: true }))) posters.push(poster);
      }
    }
  }
  if (plan.layout === 'shows') {
    const showDir = await ensureFolders(root, plan.folders.slice(0, 1));
    const tvshow = insidePath(showDir, 'tvshow.nfo');
    if (!fs.existsSync(tvshow)) await writeAtomic(tvshow, buildTvShowNfo(plan.show));
  }

  const nfo = buildNfo(item, { ...plan, base: placed.base }, { thumb: thumbName });
  const nfoPath = path.join(item.derivedDir, `${placed.base}.nfo`);
  await writeAtomic(nfoPath, nfo);
  const libraryNfo = insidePath(dir, `${placed.base}.nfo`);
  await writeAtomic(libraryNfo, nfo);
  progress({ phase: 'done', percent: 100 });

  const label = placed.note ? `${LABEL} (${placed.note})` : placed.mode === 'existing' ? `${LABEL} (already in the library)` : LABEL;
  return {
    derived: [{ path: nfoPath, kind: 'metadata', mime: 'application/xml', label: label.slice(0, 200) }],
    metadata: {
      exportedTo: placed.path,
      linkMode: placed.mode === 'existing' ? config.link_mode : placed.mode,
      ...(placed.mode === 'existing' ? { alreadyExported: true } : {}),
      ...(placed.note ? { note: placed.note } : {}),
      nfo: libraryNfo,
      ...(thumbName ? { thumbnail: path.join(dir, thumbName) } : {}),
      ...(posters.length ? { posters } : {}),
    },
  };
}
