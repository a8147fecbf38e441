import { describe, expect, it } from 'vitest';
import { configSchema } from './config';
import { parseTorrentFeed } from './feed';
import { decide, episodeMatches, episodeOf, ruleKey, ruleRefusal, type FeedRule } from './rules';

const rule = (values: Partial<FeedRule>): FeedRule => configSchema.parse({ feed_rules: [values] }).feed_rules[0]!;
const item = (title: string) => ({ title, uri: `magnet:?xt=urn:btih:${'a'.repeat(40)}` });

describe('torrent feeds', () => {
  it('reads enclosures, ezRSS magnets and Atom links, with info hash, date and size', () => {
    const rss = `<?xml version="1.0"?><rss version="2.0" xmlns:torrent="http://xmlns.ezrss.it/0.1/"><channel><title>t</title>
      <item><title>Show S01E02 1080p</title><pubDate>Mon, 16 Nov 2026 10:00:00 GMT</pubDate><enclosure url="http://127.0.0.1:1/a.torrent" length="1234" type="application/x-bittorrent"/><torrent:infoHash>C12FE1C06BBA254A9DC9F519B335AA7C1367A88A</torrent:infoHash></item>
      <item><title>Other</title><torrent:magnetURI>magnet:?xt=urn:btih:${'b'.repeat(40)}&amp;dn=Other</torrent:magnetURI></item>
      <item><title>No torrent here</title><link>https://example.com/page</link></item>
    </channel></rss>`;
    expect(parseTorrentFeed(rss)).toEqual([
      { title: 'Show S01E02 1080p', uri: 'http://127.0.0.1:1/a.torrent', infoHash: 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a', published: '2026-11-16T10:00:00.000Z', size: 1234 },
      { title: 'Other', uri: `magnet:?xt=urn:btih:${'b'.repeat(40)}&dn=Other`, infoHash: 'b'.repeat(40) },
    ]);
    const atom = `<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>A</title><link href="https://example.com/a.torrent"/><updated>2026-11-01T00:00:00Z</updated></entry></feed>`;
    expect(parseTorrentFeed(atom)).toEqual([{ title: 'A', uri: 'https://example.com/a.torrent', published: '2026-11-01T00:00:00.000Z' }]);
    expect(() => parseTorrentFeed('<html><body>hi</body></html>')).toThrow(/neither an RSS nor an Atom feed/);
    const typed = `<rss><channel><item><title>007</title><enclosure url="https://t.example/download.php?id=7" type="application/x-bittorrent"/></item></channel></rss>`;
    expect(parseTorrentFeed(typed)).toEqual([{ title: '007', uri: 'https://t.example/download.php?id=7' }]);
  });
});

describe('feed rules', () => {
  it('reads season and episode, and episode filters', () => {
    expect(episodeOf('Show.S02E05.720p')).toEqual({ season: 2, episode: 5 });
    expect(episodeOf('Show 1x12 HDTV')).toEqual({ season: 1, episode: 12 });
    expect(episodeOf('Show 2026 1080p')).toBeUndefined();
    expect(episodeMatches('1x1-12;2x1-', 1, 12)).toBe(true);
    expect(episodeMatches('1x1-12;2x1-', 1, 13)).toBe(false);
    expect(episodeMatches('1x1-12;2x1-', 2, 40)).toBe(true);
    expect(episodeMatches('3x5', 3, 6)).toBe(false);
  });

  it('says why a rule does not take an item', () => {
    expect(ruleRefusal(rule({ must_contain: 'show 1080p' }), item('Show S01E02 720p'))).toBe('does not contain "1080p"');
    expect(ruleRefusal(rule({ must_not_contain: 'cam ts' }), item('Film CAM'))).toBe('contains "cam"');
    expect(ruleRefusal(rule({ regex: '^show\\b' }), item('The Show'))).toBe('does not match /^show\\b/');
    expect(ruleRefusal(rule({ episode_filter: '1x1-3' }), item('Show S01E04'))).toBe('S1E4 is not in 1x1-3');
    expect(ruleRefusal(rule({ must_contain: 'show', episode_filter: '1x1-' }), item('Show S01E04'))).toBeUndefined();
    expect(configSchema.safeParse({ feed_rules: [{ regex: '(' }] }).error?.issues[0]?.message).toBe('must be a valid regular expression');
    expect(configSchema.safeParse({ feed_rules: [{ episode_filter: '1x1-12;2x1-' }] }).success).toBe(true);
    expect(configSchema.safeParse({ feed_rules: [{ episode_filter: '1x1-12;x' }] }).success).toBe(false);
  });

  it('takes everything from a feed without rules, and honours ignore_days after a match', () => {
    const feed = 'http://127.0.0.1:1/feed.xml';
    expect(decide(item('Anything'), 'k1', feed, [rule({ feed: 'http://127.0.0.1:1/other.xml', must_contain: 'x' })], {})).toMatchObject({ take: true, reason: 'the feed has no rules, so every item is taken' });
    const rules = [rule({ must_contain: 'show', ignore_days: 7 })];
    const now = Date.parse('2026-11-20T00:00:00Z');
    expect(decide(item('Show S01E01'), 'k1', feed, rules, {}, now)).toEqual({ take: true, rule: 0, reason: 'rule 1 matches' });
    const last = { [ruleKey(rules[0]!)]: { at: now - 2 * 86_400_000, key: 'k1' } };
    expect(decide(item('Show S01E01'), 'k1', feed, rules, last, now).take).toBe(true);
    expect(decide(item('Show S01E02'), 'k2', feed, rules, last, now)).toEqual({ take: false, reason: 'no rule takes it (rule 1 matched on 2026-11-18 and ignores further matches for 7 days)' });
    expect(decide(item('Show S01E02'), 'k2', feed, rules, last, now + 6 * 86_400_000).take).toBe(true);
    expect(decide(item('Film'), 'k3', feed, rules, {}, now)).toEqual({ take: false, reason: 'no rule takes it (rule 1: does not contain "show")' });
  });
});
