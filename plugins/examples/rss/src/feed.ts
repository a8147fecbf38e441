import crypto from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';

export interface FeedItem {
  id: string;
  title: string;
  url: string;
  type: string;
  length?: number;
  published?: string;
  description?: string;
}

type Node = Record<string, unknown>;

const asArray = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number') return String(value);
  if (value && typeof value === 'object' && '#text' in value) return text((value as Node)['#text']);
  return undefined;
}

/** Limits of a source (the SDK's MediaSource): one item beyond them would make Core refuse the whole discovery. */
const MAX_ID = 512;
const MAX_URL = 8192;
const MAX_TITLE = 2000;

/** An item as a source can carry it: an address within the limit, an id (hashed when too long), a MIME-like type. */
function fitted(item: FeedItem): FeedItem[] {
  if (!item.url || item.url.length > MAX_URL) return [];
  const id = item.id || item.url;
  return [
    {
      ...item,
      id: id.length > MAX_ID ? `sha256:${crypto.createHash('sha256').update(id).digest('hex')}` : id,
      title: (item.title || item.url).slice(0, MAX_TITLE),
      // The part before "/" becomes the source's media type (at most 64 characters).
      type: /^[^/\s]{1,64}(\/\S*)?$/.test(item.type) ? item.type : '',
    },
  ];
}

/** Media enclosures of an RSS 2.0 or Atom feed. Throws on anything that is not such a feed. */
export function parseFeed(xml: string): FeedItem[] {
  let doc: Node;
  try {
    // parseTagValue off: a guid like "0012" stays itself (as a number it would be "12", another item's id).
    doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', processEntities: true, parseTagValue: false }).parse(xml) as Node;
  } catch (error) {
    throw new Error(`not XML (${(error as Error).message})`, { cause: error });
  }
  const rss = doc.rss as Node | undefined;
  const atom = doc.feed as Node | undefined;
  if (rss) {
    const channel = (rss.channel ?? {}) as Node;
    return asArray(channel.item as Node | Node[]).flatMap((item) => {
      const enclosure = asArray(item.enclosure as Node | Node[])[0];
      const url = enclosure?.['@url'];
      if (typeof url !== 'string') return [];
      const guid = text(item.guid) ?? url;
      return fitted({
        id: guid,
        title: text(item.title) ?? url,
        url,
        type: String(enclosure?.['@type'] ?? ''),
        ...(enclosure?.['@length'] ? { length: Number(enclosure['@length']) } : {}),
        ...(text(item.pubDate) ? { published: text(item.pubDate)! } : {}),
        ...(text(item.description) ? { description: text(item.description)! } : {}),
      });
    });
  }
  if (atom) {
    return asArray(atom.entry as Node | Node[]).flatMap((entry) => {
      const link = asArray(entry.link as Node | Node[]).find((l) => l['@rel'] === 'enclosure');
      const url = link?.['@href'];
      if (typeof url !== 'string') return [];
      return fitted({
        id: text(entry.id) ?? url,
        title: text(entry.title) ?? url,
        url,
        type: String(link?.['@type'] ?? ''),
        ...(link?.['@length'] ? { length: Number(link['@length']) } : {}),
        ...(text(entry.published ?? entry.updated) ? { published: text(entry.published ?? entry.updated)! } : {}),
        ...(text(entry.summary) ? { description: text(entry.summary)! } : {}),
      });
    });
  }
  throw new Error('not an RSS or Atom feed');
}
