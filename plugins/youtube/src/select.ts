import type { MediaSource } from '@haven/sdk';
import type { YouTubeConfig } from './config';
import type { Candidate } from './feed';

const UNIT_DAYS = { day: 1, week: 7, month: 30, year: 365 } as const;

/** `date_after` (YYYYMMDD, or today-2weeks / now-1day) as a UTC day `YYYY-MM-DD`. */
export function cutoffDay(dateAfter: string, now = new Date()): string {
  const absolute = /^(\d{4})(\d{2})(\d{2})$/.exec(dateAfter);
  if (absolute) return `${absolute[1]}-${absolute[2]}-${absolute[3]}`;
  const relative = /^(?:today|now)(?:-(\d+)(day|week|month|year)s?)?$/.exec(dateAfter);
  const days = relative?.[1] ? Number(relative[1]) * UNIT_DAYS[relative[2] as keyof typeof UNIT_DAYS] : 0;
  return new Date(now.getTime() - days * 86_400_000).toISOString().slice(0, 10);
}

/** Merges feed and listing candidates by video id, keeping the richer record; newest first. */
export function mergeCandidates(...lists: Candidate[][]): Candidate[] {
  const byId = new Map<string, Candidate>();
  for (const list of lists) for (const candidate of list) byId.set(candidate.videoId, { ...candidate, ...byId.get(candidate.videoId) });
  return [...byId.values()].sort((a, b) => (b.published ?? '').localeCompare(a.published ?? ''));
}

export interface Selection {
  sources: MediaSource[];
  skipped: { source: MediaSource; reason: string }[];
}

export function sourceOf(candidate: Candidate, siteBaseUrl: string, origin: string): MediaSource {
  return {
    sourceId: candidate.videoId,
    mediaType: 'video',
    uri: `${siteBaseUrl.replace(/\/+$/, '')}/watch?v=${candidate.videoId}`,
    title: candidate.title,
    metadata: {
      videoId: candidate.videoId,
      from: origin,
      ...(candidate.channel ? { channel: candidate.channel } : {}),
      ...(candidate.channelId ? { channelId: candidate.channelId } : {}),
      ...(candidate.published ? { published: candidate.published } : {}),
      ...(candidate.thumbnail ? { thumbnail: candidate.thumbnail } : {}),
      ...(candidate.durationSeconds !== undefined ? { durationSeconds: candidate.durationSeconds } : {}),
      ...(candidate.description ? { description: candidate.description } : {}),
    },
  };
}

/**
 * Which of a channel's (or playlist's) videos to archive, and why each other one is skipped:
 * in the imported download archive, too old, filtered by title, a short, live, or beyond
 * `max_videos` (counted after the filters). Already-archived videos are Core's to skip.
 */
export function selectVideos(candidates: readonly Candidate[], config: YouTubeConfig, origin: string, known: ReadonlySet<string>, now = new Date()): Selection {
  const selection: Selection = { sources: [], skipped: [] };
  const cutoff = config.date_after ? cutoffDay(config.date_after, now) : undefined;
  const include = config.title_include ? new RegExp(config.title_include, 'i') : undefined;
  const exclude = config.title_exclude ? new RegExp(config.title_exclude, 'i') : undefined;
  let kept = 0;
  for (const candidate of candidates) {
    const source = sourceOf(candidate, config.site_base_url, origin);
    const reason = skipReason(candidate);
    if (reason) selection.skipped.push({ source, reason });
    else if (config.max_videos > 0 && kept >= config.max_videos) selection.skipped.push({ source, reason: `beyond max_videos (${config.max_videos})` });
    else {
      kept++;
      selection.sources.push(source);
    }
  }
  return selection;

  function skipReason(candidate: Candidate): string | undefined {
    if (known.has(candidate.videoId)) return 'already in the imported yt-dlp download archive';
    if (cutoff && candidate.published && candidate.published.slice(0, 10) < cutoff) return `published ${candidate.published.slice(0, 10)}, before date_after (${cutoff})`;
    if (include && !include.test(candidate.title)) return `title does not match title_include (${config.title_include})`;
    if (exclude?.test(candidate.title)) return `title matches title_exclude (${config.title_exclude})`;
    if (candidate.isShort && !config.include_shorts) return 'a Short, and include_shorts is off';
    if (candidate.liveStatus === 'is_live') return 'live now: it is archived once it has ended';
    if (candidate.liveStatus === 'is_upcoming') return 'an upcoming live stream';
    if ((candidate.liveStatus === 'was_live' || candidate.liveStatus === 'post_live') && !config.include_live) return 'a past live stream, and include_live is off';
    return undefined;
  }
}

/** Video ids in a yt-dlp `--download-archive` file (lines like `youtube dQw4w9WgXcQ`). */
export function parseDownloadArchive(text: string): string[] {
  const ids: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*youtube\s+([A-Za-z0-9_-]{6,64})\s*$/i.exec(line);
    if (match) ids.push(match[1]!);
  }
  return ids;
}
