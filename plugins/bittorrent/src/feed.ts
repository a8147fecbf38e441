import { XMLParser } from 'fast-xml-parser';
import { magnetInfoHash } from './torrentInput';

/** One torrent a feed offers. */
export interface FeedItem {
  title: string;
  /** A magnet link or the .torrent's URL. */
  uri: string;
  /** Lower-case hex, when the feed or the magnet says it. */
  infoHash?: string;
  /** ISO time, when the feed gives one. */
  published?: string;
  size?: number;
}

type Node = Record<string, unknown>;

/** Limits of a source's address and title (the SDK's MediaSource). */
const MAX_URI = 8192;
const MAX_TITLE = 2000;

const asArray = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() || undefined;
  if (typeof value === 'number') return String(value);
  if (value && typeof value === 'object' && '#text' in value) return text((value as Node)['#text']);
  return undefined;
}

/**
 * A magnet, or an http(s) address whose path ends in `.torrent` (before a `?`). Checked by hand:
 * the pattern `^https?:\/\/.+\.torrent(\?.*)?$` backtracks quadratically on a long link with
 * many `.torrent?` in it (a hostile feed could stall discovery for hours).
 */
export function isTorrentLink(uri: string | undefined): uri is string {
  if (!uri) return false;
  if (/^magnet:\?/i.test(uri)) return true;
  const scheme = /^https?:\/\//i.exec(uri);
  // `.` in the pattern this replaces matched no line terminator.
  if (!scheme || /[\n\r\u2028\u2029]/.test(uri)) return false;
  // At least one character between `//` and `.torrent`.
  const first = scheme[0].length + 1;
  const endsInTorrent = (end: number): boolean => end - '.torrent'.length >= first && uri.slice(end - '.torrent'.length, end).toLowerCase() === '.torrent';
  if (endsInTorrent(uri.length)) return true;
  for (let at = uri.indexOf('?'); at >= 0; at = uri.indexOf('?', at + 1)) if (endsInTorrent(at)) return true;
  return false;
}

function isoDate(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

/**
 * The torrents in an RSS or Atom feed: each item's `.torrent` enclosure, magnet link (also the
 * ezRSS `torrent:magnetURI`), or a link ending in `.torrent`. Items with none are left out.
 * Throws on anything that is not such a feed.
 */
export function parseTorrentFeed(xml: string): FeedItem[] {
  let doc: Node;
  try {
    // parseTagValue off: a title like "007" stays text.
    doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', processEntities: true, parseTagValue: false }).parse(xml) as Node;
  } catch (error) {
    throw new Error(`not XML (${(error as Error).message})`, { cause: error });
  }
  const channel = (doc.rss as Node | undefined)?.channel as Node | undefined;
  const feed = doc.feed as Node | undefined;
  if (!channel && !feed) throw new Error('neither an RSS nor an Atom feed');
  const entries = asArray((channel?.item ?? feed?.entry) as Node | Node[] | undefined);
  const items: FeedItem[] = [];
  for (const entry of entries) {
    const enclosures = asArray(entry.enclosure as Node | Node[] | undefined);
    // An enclosure typed as a torrent counts whatever its URL looks like (download.php?id=…).
    const typed = enclosures
      .filter((e) => text(e['@type'])?.toLowerCase() === 'application/x-bittorrent')
      .map((e) => text(e['@url']))
      .filter((url): url is string => !!url && /^https?:\/\//i.test(url));
    const links = [
      ...typed,
      ...enclosures.map((e) => text(e['@url'])),
      text(entry['torrent:magnetURI']),
      ...asArray(entry.link as unknown).map((l) => (typeof l === 'object' && l ? text((l as Node)['@href']) : text(l))),
      text(entry.guid),
    ];
    const uri = links.find((link, index) => index < typed.length || isTorrentLink(link));
    // Longer than a source's address may be (the SDK's MediaSource): Core would refuse the whole discovery.
    if (!uri || uri.length > MAX_URI) continue;
    const declared = text(entry['torrent:infoHash'])?.toLowerCase();
    const infoHash = magnetInfoHash(uri) ?? (declared && /^[0-9a-f]{40}$/.test(declared) ? declared : undefined);
    const size = Number(text(entry['torrent:contentLength']) ?? asArray(entry.enclosure as Node | Node[] | undefined).map((e) => text(e['@length']))[0]);
    const published = isoDate(text(entry.pubDate) ?? text(entry.published) ?? text(entry.updated));
    items.push({
      title: (text(entry.title) ?? uri).slice(0, MAX_TITLE),
      uri,
      ...(infoHash ? { infoHash } : {}),
      ...(published ? { published } : {}),
      ...(Number.isFinite(size) && size > 0 ? { size } : {}),
    });
  }
  return items;
}
