import { describe, expect, it } from 'vitest';
import { configSchema } from './config';
import { isListPage, parseListing, parseYouTubeFeed, videoIdOf, youtubeHosts } from './feed';
import { cutoffDay, mergeCandidates, parseDownloadArchive, selectVideos } from './select';
import { atomFeed } from '../testing/atomFeed';

const FEED = atomFeed([
  { id: 'AAAAAAAAAAA', title: 'Lighthouse at dawn &amp; dusk', published: '2026-11-20T10:00:00+00:00' },
  { id: 'BBBBBBBBBBB', title: 'A short one', published: '2026-11-19T10:00:00+00:00', link: 'https://www.youtube.com/shorts/BBBBBBBBBBB' },
  { id: 'CCCCCCCCCCC', title: 'Storm on the pier', published: '2026-10-01T10:00:00+00:00' },
]);


const config = (values: Record<string, unknown> = {}) => configSchema.parse(values);
const now = new Date('2026-11-21T12:00:00Z');

describe("YouTube's channel feed", () => {
  it('reads ids, titles, links, dates, channel and thumbnails; Shorts are marked', () => {
    const items = parseYouTubeFeed(FEED);
    expect(items.map((i) => [i.videoId, i.title, i.isShort])).toEqual([
      ['AAAAAAAAAAA', 'Lighthouse at dawn & dusk', false],
      ['BBBBBBBBBBB', 'A short one', true],
      ['CCCCCCCCCCC', 'Storm on the pier', false],
    ]);
    expect(items[0]).toMatchObject({ channel: 'Harbour Films', channelId: 'UCabcdefghijklmnopqrstuv', published: '2026-11-20T10:00:00+00:00', thumbnail: 'https://i.ytimg.com/vi/AAAAAAAAAAA/hqdefault.jpg' });
  });

  it('refuses what is not a feed', () => {
    expect(() => parseYouTubeFeed('<html><body>hi</body></html>')).toThrow(/not an Atom feed/);
    expect(() => parseYouTubeFeed('{"json": true}')).toThrow();
  });

  it('finds video ids in every kind of YouTube link', () => {
    expect(videoIdOf('https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=1')).toBe('dQw4w9WgXcQ');
    expect(videoIdOf('https://youtu.be/dQw4w9WgXcQ')).toBe('dQw4w9WgXcQ');
    expect(videoIdOf('https://www.youtube.com/shorts/dQw4w9WgXcQ')).toBe('dQw4w9WgXcQ');
    expect(videoIdOf('https://www.youtube.com/live/dQw4w9WgXcQ')).toBe('dQw4w9WgXcQ');
    expect(videoIdOf('https://example.com/clip.mp4')).toBeUndefined();
    expect(isListPage('https://www.youtube.com/@somechannel/videos')).toBe(true);
    expect(isListPage('https://www.youtube.com/playlist?list=PL123')).toBe(true);
    expect(isListPage('https://www.youtube.com/watch?v=dQw4w9WgXcQ&list=PL123')).toBe(false);
    expect(isListPage('http://127.0.0.1:8080/clip.mp4')).toBe(false);
    const hosts = youtubeHosts('http://127.0.0.1:8080');
    expect(videoIdOf('https://cdn.example.com/clip.mp4?v=1700000000', hosts)).toBeUndefined();
    expect(videoIdOf('https://m.youtube.com/watch?v=dQw4w9WgXcQ', hosts)).toBe('dQw4w9WgXcQ');
    expect(videoIdOf('http://127.0.0.1:8080/watch?v=AAAAAAAAAAA', hosts)).toBe('AAAAAAAAAAA');
  });
});

describe("yt-dlp's listing", () => {
  it('reads entries with live status and duration', () => {
    const items = parseListing({
      channel: 'Harbour Films',
      channel_id: 'UCabcdefghijklmnopqrstuv',
      entries: [
        { id: 'DDDDDDDDDDD', title: 'Live now', url: 'https://www.youtube.com/watch?v=DDDDDDDDDDD', live_status: 'is_live' },
        { id: 'EEEEEEEEEEE', title: 'Old talk', url: 'https://www.youtube.com/watch?v=EEEEEEEEEEE', duration: 3600, upload_date: '20200101' },
        { title: 'no id here', url: 'https://example.com/' },
      ],
    });
    expect(items).toEqual([
      expect.objectContaining({ videoId: 'DDDDDDDDDDD', liveStatus: 'is_live', channel: 'Harbour Films' }),
      expect.objectContaining({ videoId: 'EEEEEEEEEEE', durationSeconds: 3600, published: '2020-01-01T00:00:00Z' }),
    ]);
    expect(parseListing(null)).toEqual([]);
  });
});

describe('choosing what to archive', () => {
  const feed = parseYouTubeFeed(FEED);

  it('skips Shorts, old videos, filtered titles and the imported archive, each with its reason', () => {
    const selected = selectVideos(feed, config({ include_shorts: false, date_after: '20261101' }), 'UCabc', new Set(), now);
    expect(selected.sources.map((s) => s.sourceId)).toEqual(['AAAAAAAAAAA']);
    expect(selected.skipped.map((s) => [s.source.sourceId, s.reason])).toEqual([
      ['BBBBBBBBBBB', 'a Short, and include_shorts is off'],
      ['CCCCCCCCCCC', 'published 2026-10-01, before date_after (2026-11-01)'],
    ]);
    expect(selectVideos(feed, config({ title_exclude: 'storm' }), 'x', new Set(['AAAAAAAAAAA']), now).skipped.map((s) => s.reason)).toEqual([
      'already in the imported yt-dlp download archive',
      'title matches title_exclude (storm)',
    ]);
    expect(selectVideos(feed, config({ title_include: '^light' }), 'x', new Set(), now).sources.map((s) => s.sourceId)).toEqual(['AAAAAAAAAAA']);
  });

  it('counts max_videos after the filters, and builds watch URLs on the configured site', () => {
    const selected = selectVideos(feed, config({ max_videos: 1, site_base_url: 'http://127.0.0.1:9/' }), 'UCabc', new Set(), now);
    expect(selected.sources).toEqual([
      expect.objectContaining({ sourceId: 'AAAAAAAAAAA', uri: 'http://127.0.0.1:9/watch?v=AAAAAAAAAAA', mediaType: 'video', title: 'Lighthouse at dawn & dusk' }),
    ]);
    expect(selected.skipped.map((s) => s.reason)).toEqual(['beyond max_videos (1)', 'beyond max_videos (1)']);
  });

  it('skips live and upcoming streams, and past ones unless include_live', () => {
    const live = parseListing({ entries: [
      { id: 'LLLLLLLLLLL', title: 'now', url: 'x', live_status: 'is_live' },
      { id: 'UUUUUUUUUUU', title: 'soon', url: 'x', live_status: 'is_upcoming' },
      { id: 'PPPPPPPPPPP', title: 'past', url: 'x', live_status: 'was_live' },
    ] });
    expect(selectVideos(live, config(), 'x', new Set(), now).skipped.map((s) => s.reason)).toEqual([
      'live now: it is archived once it has ended',
      'an upcoming live stream',
      'a past live stream, and include_live is off',
    ]);
    expect(selectVideos(live, config({ include_live: true }), 'x', new Set(), now).sources.map((s) => s.sourceId)).toEqual(['PPPPPPPPPPP']);
  });

  it('merges feed and listing by id, newest first', () => {
    const listing = parseListing({ entries: [{ id: 'AAAAAAAAAAA', title: 'x', url: 'u', duration: 60 }, { id: 'ZZZZZZZZZZZ', title: 'older', url: 'u', upload_date: '20250101' }] });
    const merged = mergeCandidates(feed, listing);
    expect(merged.map((c) => c.videoId)).toEqual(['AAAAAAAAAAA', 'BBBBBBBBBBB', 'CCCCCCCCCCC', 'ZZZZZZZZZZZ']);
    expect(merged[0]).toMatchObject({ title: 'Lighthouse at dawn & dusk', durationSeconds: 60 });
  });

  it('reads relative and absolute cutoffs', () => {
    expect(cutoffDay('20240131', now)).toBe('2024-01-31');
    expect(cutoffDay('today-2weeks', now)).toBe('2026-11-07');
    expect(cutoffDay('now-1day', now)).toBe('2026-11-20');
    expect(cutoffDay('today', now)).toBe('2026-11-21');
  });

  it("reads yt-dlp's download archive", () => {
    expect(parseDownloadArchive('youtube dQw4w9WgXcQ\nvimeo 12345\n\nyoutube AAAAAAAAAAA\r\nnot a line')).toEqual(['dQw4w9WgXcQ', 'AAAAAAAAAAA']);
  });
});
