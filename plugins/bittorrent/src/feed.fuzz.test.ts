import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MediaSource } from '@haven/sdk';
import { FUZZ, hostileText, mutatedText, timed } from '@shared/testing/fuzz';
import { isTorrentLink, parseTorrentFeed } from './feed';

/** What the feed reader may throw: a plain Error saying the text is not a feed (the plugin wraps it in a HavenError). */
const FEED_REFUSAL = /^(not XML|neither an RSS nor an Atom feed)/;

function parseOrRefusal(xml: string): ReturnType<typeof parseTorrentFeed> | undefined {
  try {
    return parseTorrentFeed(xml);
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    expect(error instanceof TypeError || error instanceof RangeError).toBe(false);
    expect((error as Error).message).toMatch(FEED_REFUSAL);
    return undefined;
  }
}

function expectWellFormedItems(items: ReturnType<typeof parseTorrentFeed>): void {
  for (const item of items) {
    expect(typeof item.title).toBe('string');
    expect(item.uri.length).toBeGreaterThan(0);
    // A typed enclosure may be any http(s) address; everything else is a torrent link.
    expect(isTorrentLink(item.uri) || /^https?:\/\//i.test(item.uri)).toBe(true);
    if (item.infoHash !== undefined) expect(item.infoHash).toMatch(/^[0-9a-f]{40}$/);
    if (item.published !== undefined) expect(new Date(item.published).toISOString()).toBe(item.published);
    if (item.size !== undefined) expect(Number.isFinite(item.size) && item.size > 0).toBe(true);
    // As index.ts makes a source of it: one Core refuses fails the whole discovery.
    const source = { sourceId: item.infoHash ?? 'url:0123456789abcdef', mediaType: 'torrent', uri: item.uri, title: item.title, metadata: {} };
    expect(MediaSource.safeParse(source).success, JSON.stringify(source).slice(0, 300)).toBe(true);
  }
}

const HASH = 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a';
const VALID_RSS = `<?xml version="1.0"?><rss version="2.0" xmlns:torrent="http://xmlns.ezrss.it/0.1/"><channel><title>t</title>
<item><title>Show S01E02</title><pubDate>Mon, 16 Nov 2026 10:00:00 GMT</pubDate><enclosure url="http://127.0.0.1:1/a.torrent" length="1234" type="application/x-bittorrent"/><torrent:infoHash>${HASH.toUpperCase()}</torrent:infoHash></item>
<item><title>Other</title><torrent:magnetURI>magnet:?xt=urn:btih:${'b'.repeat(40)}&amp;dn=Other</torrent:magnetURI><torrent:contentLength>99</torrent:contentLength></item>
<item><title>Page</title><link>https://example.com/page</link><guid>https://example.com/x.torrent?k=1</guid></item>
</channel></rss>`;
const VALID_ATOM = `<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>A</title><link href="https://example.com/a.torrent"/><link rel="alternate" href="magnet:?xt=urn:btih:${HASH}"/><updated>2026-11-01T00:00:00Z</updated></entry></feed>`;

const value = fc.oneof(
  hostileText(12),
  fc.constantFrom(
    'http://x/a.torrent',
    'https://x/a.TORRENT?x=1',
    `magnet:?xt=urn:btih:${HASH}`,
    'magnet:?xt=urn:btih:YEX6DQDLXISUVHOJ6UM3GNNKPQJWPKEK',
    'magnet:?xt=urn:btih:zz',
    HASH,
    'application/x-bittorrent',
    '2026-11-01T00:00:00Z',
    'Tue, 31 Feb 99999 99:99:99 GMT',
    'x'.repeat(2500),
    `https://x/${'p'.repeat(9000)}.torrent`,
    '-5',
    '1e400',
    '',
  ),
);
const child = fc.tuple(
  fc.constantFrom('title', 'link', 'guid', 'pubDate', 'published', 'updated', 'enclosure', 'torrent:magnetURI', 'torrent:infoHash', 'torrent:contentLength', 'item', 'entry', '__proto__'),
  fc.dictionary(fc.constantFrom('url', 'href', 'type', 'length', 'rel'), value, { maxKeys: 3 }),
  value,
  fc.boolean(),
);
const escapeXml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
const element = ([name, attributes, text, selfClosing]: [string, Record<string, string>, string, boolean]): string => {
  const attrs = Object.entries(attributes)
    .map(([key, v]) => ` ${key}="${escapeXml(v)}"`)
    .join('');
  return selfClosing ? `<${name}${attrs}/>` : `<${name}${attrs}>${escapeXml(text)}</${name}>`;
};
const structuredFeed = fc
  .tuple(fc.boolean(), fc.array(fc.array(child, { maxLength: 6 }), { maxLength: 5 }))
  .map(([rss, entries]) => {
    const body = entries.map((children) => (rss ? `<item>${children.map(element).join('')}</item>` : `<entry>${children.map(element).join('')}</entry>`)).join('');
    return rss ? `<rss><channel>${body}</channel></rss>` : `<feed>${body}</feed>`;
  });

describe('parseTorrentFeed under hostile feeds', () => {
  it('reads or refuses arbitrary text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 400 }), fc.string({ unit: 'binary', maxLength: 200 }), hostileText(60)), (xml) => {
        const items = parseOrRefusal(xml);
        if (items) expectWellFormedItems(items);
      }),
      { ...FUZZ, numRuns: 400 },
    );
  });

  it('reads or refuses mutated RSS and Atom feeds, and built feeds with hostile fields', () => {
    fc.assert(
      fc.property(fc.oneof(mutatedText(VALID_RSS), mutatedText(VALID_ATOM), structuredFeed), (xml) => {
        const { value: items, ms } = timed(() => parseOrRefusal(xml));
        expect(ms).toBeLessThan(1_000);
        if (items) expectWellFormedItems(items);
      }),
      { ...FUZZ, numRuns: 400 },
    );
  });

  it('an untouched valid feed still reads (the property above can fail)', () => {
    expect(parseTorrentFeed(VALID_RSS).map((item) => item.uri)).toEqual(['http://127.0.0.1:1/a.torrent', `magnet:?xt=urn:btih:${'b'.repeat(40)}&dn=Other`, 'https://example.com/x.torrent?k=1']);
    expect(parseTorrentFeed(VALID_ATOM)).toEqual([{ title: 'A', uri: 'https://example.com/a.torrent', published: '2026-11-01T00:00:00.000Z' }]);
  });
});

describe('isTorrentLink', () => {
  const OLD = (uri: string): boolean => /^magnet:\?/i.test(uri) || /^https?:\/\/.+\.torrent(\?.*)?$/i.test(uri);
  const pieces = fc.constantFrom('http://', 'https://', 'HTTPS://', 'magnet:?', '.torrent', '.TORRENT', '.torren', '?', '??', '\n', '\r', '\u2028', 'a', '/', '.', ' ');

  it('says what the regular expression it replaced said, on short links', () => {
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 12 }).map((p) => p.join('')), (uri) => {
        expect(isTorrentLink(uri)).toBe(OLD(uri));
      }),
      { ...FUZZ, numRuns: 500 },
    );
  });

  // Found by this suite: `^https?:\/\/.+\.torrent(\?.*)?$` took ~1 s on a 72 KB link of
  // `.torrent?` repeats followed by a line break, and grows with the square of the length.
  it('takes linear time on long links made of repeated pieces', () => {
    fc.assert(
      fc.property(fc.constantFrom('.torrent?', '.torrent', '?', 'a.torrent?b'), fc.constantFrom('\nx', 'x', '\u2028', ''), (repeated, tail) => {
        const link = `http://a${repeated.repeat(20_000)}${tail}`;
        const feed = `<rss><channel><item><link>${link}</link></item></channel></rss>`;
        const { value: answer, ms } = timed(() => isTorrentLink(link));
        expect(ms).toBeLessThan(100);
        // The old expression answers quickly on a short link of the same shape.
        expect(answer).toBe(OLD(`http://a${repeated.repeat(3)}${tail}`));
        const { value: items, ms: feedMs } = timed(() => parseTorrentFeed(feed));
        expect(feedMs).toBeLessThan(300);
        // Too long to be a source's address.
        expect(items).toEqual([]);
      }),
      { ...FUZZ, numRuns: 16 },
    );
  });
});
