import path from 'node:path';
import { pluginShortId } from '@haven/sdk';
import type { Layout } from './config';
import { byteLength, safeExtension, safeName } from './names';

/** What the layouts need of an item (a `MediaItem` has all of it). */
export interface ItemFacts {
  id: string;
  plugin: string;
  sourceId: string;
  title: string;
  path: string;
  duration?: number | undefined;
  metadata: Record<string, unknown>;
}

export interface DateParts {
  year: number;
  month: number;
  day: number;
}

/** Where an item goes under `library_dir`, before any ` (2)` is added for a name already taken. */
export interface ExportPlan {
  layout: Layout;
  /** Folders under library_dir, each a safe name. */
  folders: string[];
  /** How many of `folders` make the show's or movie's folder (where poster.jpg and folder.jpg go); 0: none. */
  collectionDepth: number;
  /** The file name without extension (the .nfo and the -thumb.jpg share it). */
  base: string;
  /** The original's extension, with its dot ('' when it has none). */
  ext: string;
  nfoRoot: 'movie' | 'episodedetails';
  /** The channel, uploader or source: the show of `shows`, the studio of the others. */
  show: string;
  title: string;
  date?: DateParts | undefined;
  season?: number;
  episode?: number;
}

// A name is at most 120 bytes; the base leaves room for " (99)", the extension or "-thumb.jpg", and ".part".
const BASE_MAX = 96;

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

function validDate(year: number, month: number, day: number): DateParts | undefined {
  if (!Number.isInteger(year) || year < 1800 || year > 9999 || month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  return { year, month, day };
}

/** The day an item was published, from the metadata archivers keep (yt-dlp's `upload_date`, a feed's `published`, a timestamp). */
export function itemDate(metadata: Record<string, unknown>): DateParts | undefined {
  for (const key of ['upload_date', 'release_date', 'published', 'date', 'uploaded', 'pubDate']) {
    const value = metadata[key];
    const raw = typeof value === 'number' && key.endsWith('_date') ? String(value) : text(value);
    if (!raw) continue;
    const compact = /^(\d{4})(\d{2})(\d{2})$/.exec(raw) ?? /^(\d{4})-(\d{2})-(\d{2})/.exec(raw);
    if (compact) {
      const found = validDate(Number(compact[1]), Number(compact[2]), Number(compact[3]));
      if (found) return found;
      continue;
    }
    const parsed = new Date(raw);
    if (!Number.isNaN(parsed.getTime())) {
      const found = validDate(parsed.getUTCFullYear(), parsed.getUTCMonth() + 1, parsed.getUTCDate());
      if (found) return found;
    }
  }
  for (const key of ['timestamp', 'release_timestamp']) {
    const value = metadata[key];
    if (typeof value === 'number' && Number.isFinite(value) && value > 0) return dateOf(new Date(value * 1000));
  }
  return undefined;
}

export function dateOf(when: Date): DateParts {
  return { year: when.getUTCFullYear(), month: when.getUTCMonth() + 1, day: when.getUTCDate() };
}

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

export function isoDate(date: DateParts): string {
  return `${pad(date.year, 4)}-${pad(date.month)}-${pad(date.day)}`;
}

/** The plugin's name without `Plugin` (`YouTubePlugin` → `YouTube`). */
export function sourceLabel(plugin: string): string {
  return plugin.replace(/Plugin$/, '') || plugin;
}

/** The uniqueid type of the item's source id: the plugin's short id (`YouTubePlugin` → `youtube`). */
export function sourceType(plugin: string): string {
  return pluginShortId(plugin).replace(/[^a-z0-9_-]/g, '') || 'source';
}

/** The channel or uploader the metadata names, or the source plugin. */
export function showOf(item: ItemFacts): string {
  const { metadata } = item;
  return text(metadata.channel) ?? text(metadata.uploader) ?? text(metadata.artist) ?? text(metadata.author) ?? sourceLabel(item.plugin);
}

export function titleOf(item: ItemFacts): string {
  return text(item.title) ?? text(item.metadata.title) ?? path.basename(item.path, path.extname(item.path));
}

/**
 * Where an item goes in a layout (relative to library_dir). `fallbackDate` (the file's date) is
 * used by `shows` when the metadata names no day; `index` is the episode's number within its day
 * (1 to 99).
 */
export function planExport(item: ItemFacts, layout: Layout, options: { fallbackDate: DateParts; index?: number }): ExportPlan {
  const show = showOf(item);
  const title = titleOf(item);
  const date = itemDate(item.metadata);
  const ext = safeExtension(path.extname(item.path));
  const common = { layout, ext, show, title, date };

  if (layout === 'movies') {
    const year = date ? ` (${date.year})` : '';
    const base = safeName(title, 'Untitled', BASE_MAX - byteLength(year)) + year;
    return { ...common, folders: [base], collectionDepth: 1, base, nfoRoot: 'movie' };
  }

  if (layout === 'shows') {
    const day = date ?? options.fallbackDate;
    const index = Math.min(99, Math.max(1, Math.trunc(options.index ?? 1)));
    const code = `S${pad(day.year, 4)}E${pad(day.month)}${pad(day.day)}${pad(index)}`;
    const prefix = `${safeName(show, 'Unknown', 40)} - ${code} - `;
    const base = prefix + safeName(title, 'Untitled', BASE_MAX - byteLength(prefix));
    return {
      ...common,
      date: day,
      folders: [safeName(show, 'Unknown'), `Season ${day.year}`],
      collectionDepth: 1,
      base,
      nfoRoot: 'episodedetails',
      season: day.year,
      episode: Number(`${pad(day.month)}${pad(day.day)}${pad(index)}`),
    };
  }

  const id = safeName(item.sourceId, '', 40);
  const tag = id ? ` [${id}]` : '';
  const base = safeName(title, 'Untitled', BASE_MAX - byteLength(tag)) + tag;
  return { ...common, folders: [safeName(show, 'Unknown')], collectionDepth: 1, base, nfoRoot: 'movie' };
}

/** The name with ` (n)` added for the n-th candidate (n ≥ 2). */
export function numbered(base: string, n: number): string {
  return n <= 1 ? base : `${base} (${n})`;
}
