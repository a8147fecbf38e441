import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import type { LibraryItem } from '@shared/domain/library';
import { FEED_PATH, podcastFeed, xmlText } from './podcastFeed';

const item = (id: number, overrides: Partial<LibraryItem> = {}): LibraryItem => ({
  id,
  plugin: 'RssPlugin',
  sourceId: `s${id}`,
  mediaType: 'audio',
  title: `Episode ${id}`,
  uri: `https://example.com/${id}.mp3`,
  outputPath: `/archive/${id}.mp3`,
  size: 1000 + id,
  mime: 'audio/mpeg',
  metadata: {},
  tags: [],
  createdAt: '2026-11-29T10:00:00.000Z',
  ...overrides,
});

const urls = {
  fileUrl: (id: number) => `http://127.0.0.1:8787/files/${id}?token=t&x=1`,
  derivedUrl: (id: number) => `http://127.0.0.1:8787/derived/${id}?token=t`,
  appUrl: 'http://127.0.0.1:8787/',
};

describe('podcast feed', () => {
  it('lists playable files with enclosures a podcast client can fetch', () => {
    const xml = podcastFeed({
      plugin: 'RssPlugin',
      items: [
        item(2, { title: 'Rock & <Roll> "live"', duration: 3725, thumbnailId: 9, metadata: { description: "It's great" } }),
        item(3, { mime: 'inode/directory', outputPath: '/archive/rec' }),
        item(4, { mime: 'application/x-bittorrent' }),
        item(1),
      ],
      ...urls,
    });
    const feed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' }).parse(xml) as { rss: { channel: { title: string; 'itunes:image': { '@href': string }; item: Record<string, unknown>[] } } };
    const channel = feed.rss.channel;
    expect(channel.title).toBe('RssPlugin — Haven');
    expect(channel['itunes:image']['@href']).toBe('http://127.0.0.1:8787/derived/9?token=t');
    expect(channel.item).toHaveLength(2);
    expect(channel.item[0]).toMatchObject({
      title: 'Rock & <Roll> "live"',
      enclosure: { '@url': 'http://127.0.0.1:8787/files/2?token=t&x=1', '@length': '1002', '@type': 'audio/mpeg' },
      'itunes:duration': '1:02:05',
      description: "It's great",
    });
    expect(xml).toContain('url="http://127.0.0.1:8787/files/2?token=t&amp;x=1"');
    expect(channel.item[1]).toMatchObject({ title: 'Episode 1' });
  });
  it('escapes markup and drops characters XML cannot hold', () => {
    expect(xmlText('a\u0000b<c>&"\'')).toBe('ab&lt;c&gt;&amp;&quot;&apos;');
  });
  it('is served only for plugin-like names', () => {
    expect(FEED_PATH.exec('/feeds/RssPlugin.xml')?.[1]).toBe('RssPlugin');
    expect(FEED_PATH.test('/feeds/../haven.db.xml')).toBe(false);
    expect(FEED_PATH.test('/feeds/a%2F.xml')).toBe(false);
  });
});
