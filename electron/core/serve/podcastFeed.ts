import type { LibraryItem } from '@shared/domain/library';
import type { ArchiveIndex } from '../library/archiveIndex';
import type { DerivedFiles } from '../library/derivedFiles';
import type { PluginRuntime } from '../plugins/runtime';

/** `/feeds/<plugin>.xml`: a source plugin's archive as a podcast feed (RSS 2.0 with iTunes tags). */
export const FEED_PATH = /^\/feeds\/([A-Za-z0-9_-]{1,64})\.xml$/;
/** The newest items a feed lists. */
export const FEED_ITEMS = 200;

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Escapes text for XML, dropping characters XML 1.0 cannot hold at all. */
export function xmlText(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '').replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!);
}

export interface FeedInput {
  /** The source plugin's name. */
  plugin: string;
  /** Items of that plugin, newest first. */
  items: readonly LibraryItem[];
  /** The absolute URL of an item's file, of a derived file, and of the app, with the access token. */
  fileUrl(itemId: number): string;
  derivedUrl(derivedId: number): string;
  appUrl: string;
}

/** Items a podcast client can play: one audio or video file each (not a folder, not a recording's segments). */
export function playable(item: LibraryItem): boolean {
  return Boolean(item.outputPath && item.mime && /^(audio|video)\//.test(item.mime) && item.size !== undefined);
}

function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 3600)}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

export function podcastFeed(input: FeedInput): string {
  const entries = input.items.filter(playable).slice(0, FEED_ITEMS);
  const cover = entries.find((item) => item.thumbnailId !== undefined)?.thumbnailId;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">',
    '<channel>',
    `<title>${xmlText(`${input.plugin} — Haven`)}</title>`,
    `<link>${xmlText(input.appUrl)}</link>`,
    `<description>${xmlText(`What Haven archived with ${input.plugin}.`)}</description>`,
    '<generator>Haven</generator>',
    ...(cover !== undefined ? [`<itunes:image href="${xmlText(input.derivedUrl(cover))}"/>`] : []),
  ];
  for (const item of entries) {
    const description = typeof item.metadata.description === 'string' ? item.metadata.description.slice(0, 4000) : '';
    lines.push(
      '<item>',
      `<title>${xmlText(item.title)}</title>`,
      `<guid isPermaLink="false">haven-item-${item.id}</guid>`,
      `<pubDate>${new Date(item.createdAt).toUTCString()}</pubDate>`,
      `<enclosure url="${xmlText(input.fileUrl(item.id))}" length="${item.size}" type="${xmlText(item.mime!)}"/>`,
      ...(description ? [`<description>${xmlText(description)}</description>`] : []),
      ...(item.duration !== undefined ? [`<itunes:duration>${duration(item.duration)}</itunes:duration>`] : []),
      ...(item.thumbnailId !== undefined ? [`<itunes:image href="${xmlText(input.derivedUrl(item.thumbnailId))}"/>`] : []),
      '</item>',
    );
  }
  lines.push('</channel>', '</rss>', '');
  return lines.join('\n');
}

/** A source plugin's newest items with their thumbnails, for its feed; undefined for an unknown plugin. */
export function feedItems(services: { plugins: PluginRuntime; library: ArchiveIndex; derived: DerivedFiles }, name: string): { plugin: string; items: LibraryItem[] } | undefined {
  let plugin: string;
  try {
    plugin = services.plugins.resolve(name).key;
  } catch {
    return undefined;
  }
  const { items } = services.library.search({ plugin, limit: FEED_ITEMS, offset: 0 });
  const thumbnails = services.derived.thumbnails(items.map((item) => item.id));
  return { plugin, items: items.map((item) => (thumbnails.has(item.id) ? { ...item, thumbnailId: thumbnails.get(item.id)! } : item)) };
}
