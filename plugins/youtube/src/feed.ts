import { XMLParser } from 'fast-xml-parser';

/** One video as discovery sees it, from a feed or from yt-dlp's listing; newest first. */
export interface Candidate {
  videoId: string;
  title: string;
  url: string;
  /** ISO time the video was published, when known. */
  published?: string;
  channel?: string;
  channelId?: string;
  isShort?: boolean;
  /** yt-dlp's live_status: is_live, is_upcoming, was_live, post_live, not_live. */
  liveStatus?: string;
  durationSeconds?: number;
  thumbnail?: string;
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

const VIDEO_ID = /^[A-Za-z0-9_-]{6,64}$/;

const YOUTUBE_HOSTS = ['youtube.com', 'www.youtube.com', 'm.youtube.com', 'music.youtube.com', 'youtu.be'];

/** YouTube's hosts, and the one of `site_base_url` (tests point it at 127.0.0.1). */
export function youtubeHosts(siteBaseUrl: string): string[] {
  return [...YOUTUBE_HOSTS, new URL(siteBaseUrl).host];
}

/**
 * The video id in a YouTube URL (watch?v=, youtu.be/, /shorts/, /live/), if any. With `hosts`,
 * only on those: elsewhere `?v=` is as likely a cache-buster as a video.
 */
export function videoIdOf(url: string, hosts?: readonly string[]): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (hosts && !hosts.includes(parsed.host)) return undefined;
  const v = parsed.searchParams.get('v');
  if (v && VIDEO_ID.test(v)) return v;
  const match = /^\/(?:shorts|live|embed|v)\/([A-Za-z0-9_-]{6,64})/.exec(parsed.pathname) ?? (parsed.hostname === 'youtu.be' ? /^\/([A-Za-z0-9_-]{6,64})/.exec(parsed.pathname) : null);
  return match?.[1];
}

/** A YouTube address that names no single video (a channel, playlist or search page). */
export function isListPage(url: string): boolean {
  try {
    return YOUTUBE_HOSTS.includes(new URL(url).host) && !videoIdOf(url);
  } catch {
    return false;
  }
}

/**
 * The entries of a YouTube channel or playlist feed (Atom, `yt:` and `media:` namespaces).
 * Throws on anything that is not such a feed.
 */
export function parseYouTubeFeed(xml: string): Candidate[] {
  let doc: Node;
  try {
    doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', processEntities: true }).parse(xml) as Node;
  } catch (error) {
    throw new Error(`not XML (${(error as Error).message})`, { cause: error });
  }
  const feed = doc.feed as Node | undefined;
  if (!feed || typeof feed !== 'object') throw new Error('not an Atom feed');
  const feedAuthor = text((feed.author as Node | undefined)?.name);
  return asArray(feed.entry as Node | Node[]).flatMap((entry): Candidate[] => {
    const links = asArray(entry.link as Node | Node[]);
    const href = links.map((link) => link['@href']).find((value): value is string => typeof value === 'string') ?? '';
    const videoId = text(entry['yt:videoId']) ?? videoIdOf(href) ?? text(entry.id)?.replace(/^yt:video:/, '');
    if (!videoId || !VIDEO_ID.test(videoId)) return [];
    const group = (entry['media:group'] ?? {}) as Node;
    const thumbnail = (group['media:thumbnail'] as Node | undefined)?.['@url'];
    const channel = text((entry.author as Node | undefined)?.name) ?? feedAuthor;
    const channelId = text(entry['yt:channelId']);
    const published = text(entry.published);
    const description = text(group['media:description']);
    return [
      {
        videoId,
        title: text(entry.title) ?? videoId,
        url: href,
        isShort: /\/shorts\//.test(href),
        ...(published ? { published } : {}),
        ...(channel ? { channel } : {}),
        ...(channelId ? { channelId } : {}),
        ...(typeof thumbnail === 'string' ? { thumbnail } : {}),
        ...(description ? { description: description.slice(0, 2000) } : {}),
      },
    ];
  });
}

/** The entries of `yt-dlp --flat-playlist -J` output (a channel's or playlist's listing). */
export function parseListing(json: unknown): Candidate[] {
  const entries = (json as { entries?: unknown[] } | null)?.entries;
  if (!Array.isArray(entries)) return [];
  const owner = json as { channel?: string; uploader?: string; channel_id?: string };
  return entries.flatMap((raw): Candidate[] => {
    const entry = (raw ?? {}) as Record<string, unknown>;
    const url = typeof entry.url === 'string' ? entry.url : typeof entry.webpage_url === 'string' ? entry.webpage_url : '';
    const id = typeof entry.id === 'string' && VIDEO_ID.test(entry.id) ? entry.id : videoIdOf(url);
    if (!id) return [];
    const timestamp = typeof entry.timestamp === 'number' ? new Date(entry.timestamp * 1000).toISOString() : undefined;
    const uploadDate = typeof entry.upload_date === 'string' && /^\d{8}$/.test(entry.upload_date) ? `${entry.upload_date.slice(0, 4)}-${entry.upload_date.slice(4, 6)}-${entry.upload_date.slice(6)}T00:00:00Z` : undefined;
    const published = timestamp ?? uploadDate;
    const channel = (entry.channel ?? entry.uploader ?? owner.channel ?? owner.uploader) as string | undefined;
    const channelId = (entry.channel_id ?? owner.channel_id) as string | undefined;
    return [
      {
        videoId: id,
        title: typeof entry.title === 'string' ? entry.title : id,
        url,
        isShort: /\/shorts\//.test(url),
        ...(published ? { published } : {}),
        ...(typeof channel === 'string' ? { channel } : {}),
        ...(typeof channelId === 'string' ? { channelId } : {}),
        ...(typeof entry.live_status === 'string' ? { liveStatus: entry.live_status } : {}),
        ...(typeof entry.duration === 'number' ? { durationSeconds: entry.duration } : {}),
      },
    ];
  });
}
