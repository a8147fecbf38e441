import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MediaSource } from '@haven/sdk';
import { FUZZ, hostileText, mutatedText, timed } from '@shared/testing/fuzz';
import { parseFeed, type FeedItem } from './feed';

function parseOrRefusal(xml: string): FeedItem[] | undefined {
  try {
    return parseFeed(xml);
  } catch (error) {
    expect(error instanceof TypeError || error instanceof RangeError).toBe(false);
    expect((error as Error).message).toMatch(/^(not XML|not an RSS or Atom feed)/);
    return undefined;
  }
}

/** Each item must become a source Core accepts (index.ts maps them so): one that does not fails the whole discovery. */
function expectSources(items: FeedItem[]): void {
  for (const item of items) {
    const source = { sourceId: item.id, mediaType: item.type.split('/')[0] || 'file', uri: item.url, title: item.title, metadata: {} };
    const parsed = MediaSource.safeParse(source);
    expect(parsed.success, JSON.stringify(source).slice(0, 300)).toBe(true);
  }
}

const VALID_RSS = `<?xml version="1.0"?><rss version="2.0"><channel><title>Pod</title>
<item><title>Episode 1</title><guid>ep-1</guid><pubDate>Mon, 16 Nov 2026 10:00:00 GMT</pubDate><enclosure url="https://example.com/1.mp3" length="1234" type="audio/mpeg"/><description>First</description></item>
<item><title>Episode 2</title><enclosure url="https://example.com/2.mp4" type="video/mp4"/></item>
</channel></rss>`;
const VALID_ATOM = `<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>urn:1</id><title>A</title><link rel="enclosure" href="https://example.com/a.ogg" type="audio/ogg" length="5"/><updated>2026-11-01T00:00:00Z</updated><summary>S</summary></entry></feed>`;

const escapeXml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
const field = fc.oneof(hostileText(10), fc.constantFrom('', ' ', '0012', '1e400', 'x'.repeat(600), 'audio/mpeg', `${'y'.repeat(80)}/z`, 'https://example.com/a.mp3', `https://example.com/${'p'.repeat(9000)}`));
const hostileItem = fc.record({ guid: fc.option(field), title: fc.option(field), url: field, type: fc.option(field), length: fc.option(field) }, { requiredKeys: ['url'] });
const hostileFeed = fc.tuple(fc.boolean(), fc.array(hostileItem, { maxLength: 4 })).map(([rss, items]) => {
  const tag = (name: string, value: string | null | undefined): string => (value === null || value === undefined ? '' : `<${name}>${escapeXml(value)}</${name}>`);
  const attr = (name: string, value: string | null | undefined): string => (value === null || value === undefined ? '' : ` ${name}="${escapeXml(value)}"`);
  if (rss) {
    const body = items.map((i) => `<item>${tag('guid', i.guid)}${tag('title', i.title)}<enclosure${attr('url', i.url)}${attr('type', i.type)}${attr('length', i.length)}/></item>`).join('');
    return `<rss><channel>${body}</channel></rss>`;
  }
  const body = items.map((i) => `<entry>${tag('id', i.guid)}${tag('title', i.title)}<link rel="enclosure"${attr('href', i.url)}${attr('type', i.type)}${attr('length', i.length)}/></entry>`).join('');
  return `<feed>${body}</feed>`;
});

describe('parseFeed (the RSS example) under hostile feeds', () => {
  it('reads or refuses arbitrary text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 400 }), fc.string({ unit: 'binary', maxLength: 200 }), hostileText(60)), (xml) => {
        const items = parseOrRefusal(xml);
        if (items) expectSources(items);
      }),
      { ...FUZZ, numRuns: 300 },
    );
  });

  it('reads or refuses mutated feeds, and every item it reads is a source Core accepts', () => {
    fc.assert(
      fc.property(fc.oneof(mutatedText(VALID_RSS), mutatedText(VALID_ATOM), hostileFeed), (xml) => {
        const { value: items, ms } = timed(() => parseOrRefusal(xml));
        expect(ms).toBeLessThan(1_000);
        if (items) expectSources(items);
      }),
      { ...FUZZ, numRuns: 400 },
    );
  });

  // Found by this suite: tag values were parsed as numbers, so guid "0012" became id "12" (another
  // item's id) and a title "007" became "7".
  it('keeps ids and titles as written', () => {
    const plain = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,30}[A-Za-z0-9]$/);
    fc.assert(
      fc.property(fc.array(fc.record({ guid: plain, title: plain, file: fc.stringMatching(/^[a-z0-9]{1,12}$/) }), { minLength: 1, maxLength: 4 }), (items) => {
        const xml = `<rss><channel>${items.map((i) => `<item><guid>${i.guid}</guid><title>${i.title}</title><enclosure url="https://example.com/${i.file}.mp3" type="audio/mpeg"/></item>`).join('')}</channel></rss>`;
        expect(parseFeed(xml)).toEqual(items.map((i) => ({ id: i.guid, title: i.title, url: `https://example.com/${i.file}.mp3`, type: 'audio/mpeg' })));
      }),
      { ...FUZZ, numRuns: 200 },
    );
  });
});
