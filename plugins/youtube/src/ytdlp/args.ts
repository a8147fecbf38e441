import type { YouTubeConfig } from '../config';

/** Markers Haven asks yt-dlp to print, so its own output is never mistaken for them. */
export const MARK = {
  progress: '[haven-progress]',
  post: '[haven-post]',
  file: '[haven-file]',
} as const;

const HEIGHTS = { best: undefined, '1080p': 1080, '720p': 720, '480p': 480, '360p': 360 } as const;

/**
 * The format selector for a quality: the best video up to that height with the best audio,
 * else the best single file up to that height. `<=?` also accepts formats of unknown height
 * (plain files on other sites), so a cap never leaves nothing to download.
 */
export function formatSelector(quality: YouTubeConfig['quality']): string {
  const height = HEIGHTS[quality];
  if (height === undefined) return 'bv*+ba/b';
  return `bv*[height<=?${height}]+ba/b[height<=?${height}]`;
}

/** Prefer streams that fit the container, so merging needs no re-encoding. */
export function formatSort(format: YouTubeConfig['format']): string[] {
  if (format === 'mp4') return ['-S', 'ext:mp4:m4a'];
  if (format === 'webm') return ['-S', 'ext:webm:webm'];
  return [];
}

const SAFE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * A template with a known video id written in, so a retry finds its own `.part` file. Without
 * one (a plain file on another site), yt-dlp's id is the file's name, which two addresses can
 * share (`a.example/video.mp4`, `b.example/video.mp4`), and yt-dlp would take the first one's
 * file as the second's download; the source's own key keeps their names apart.
 */
export function templateFor(template: string, videoId: string | undefined, sourceKey?: string): string {
  if (videoId && SAFE_ID.test(videoId)) return template.replaceAll('%(id)s', videoId);
  if (sourceKey && SAFE_ID.test(sourceKey)) return template.replaceAll('%(id)s', `%(id)s-${sourceKey}`);
  return template;
}

export interface ArchiveArgsInput {
  config: YouTubeConfig;
  url: string;
  outputDir: string;
  cacheDir: string;
  videoId?: string;
  /** Tells apart sources without a video id (see templateFor). */
  sourceKey?: string;
  ffmpeg?: string;
  /** `--js-runtimes` value for yt-dlp versions that need one for YouTube (node:/path/to/node). */
  jsRuntime?: string;
}

/** The options Haven always passes: machine-readable progress, the final path, few inner retries. */
export function outputArgs(cacheDir: string): string[] {
  return [
    // No yt-dlp.conf (beside the binary, the user's, or one dropped into the download folder) may add options.
    '--ignore-config',
    '--newline',
    '--no-colors',
    '--progress',
    '--progress-template',
    `download:${MARK.progress} %(progress.status)s %(progress.downloaded_bytes)s %(progress.total_bytes)s %(progress.total_bytes_estimate)s %(progress.speed)s %(progress.eta)s %(progress.fragment_index)s %(progress.fragment_count)s`,
    '--progress-template',
    `postprocess:${MARK.post} %(progress.status)s %(progress.postprocessor)s`,
    '--print',
    `after_move:${MARK.file} %(filepath)s`,
    '--cache-dir',
    cacheDir,
    // Haven retries whole jobs with backoff; yt-dlp's own ten retries would only delay the verdict.
    '--retries',
    '3',
    '--fragment-retries',
    '3',
  ];
}

/**
 * yt-dlp's arguments to archive one video (`--playlist-items 1`: a page with several is still one
 * job, one file); the URL comes last, after `--`, so it is never an option.
 */
export function archiveArgs(input: ArchiveArgsInput): string[] {
  const { config } = input;
  const args = [...outputArgs(input.cacheDir), '--no-playlist', '--playlist-items', '1', '-f', formatSelector(config.quality), ...formatSort(config.format), '--merge-output-format', config.format];
  if (input.ffmpeg) args.push('--ffmpeg-location', input.ffmpeg, '--remux-video', config.format);
  // `./`: a leading field that expands to nothing must not turn the path into an absolute one.
  args.push('-P', input.outputDir, '-o', `./${templateFor(config.output_template, input.videoId, input.sourceKey)}`);
  args.push('--write-info-json', '--write-thumbnail');
  if (config.download_subtitles) args.push('--write-subs', '--sub-langs', config.subtitle_langs.join(','));
  if (config.embed_metadata && input.ffmpeg) args.push('--embed-metadata');
  if (config.embed_thumbnail && input.ffmpeg) args.push('--embed-thumbnail');
  args.push(...cookieArgs(config));
  if (config.rate_limit) args.push('--limit-rate', config.rate_limit);
  if (config.sleep_interval > 0) args.push('--sleep-interval', String(config.sleep_interval));
  if (config.sponsorblock === 'mark') args.push('--sponsorblock-mark', 'all');
  if (config.sponsorblock === 'remove') args.push('--sponsorblock-remove', 'sponsor,selfpromo,interaction');
  if (input.jsRuntime) args.push('--js-runtimes', input.jsRuntime);
  args.push(...config.extra_args, '--', input.url);
  return args;
}

export function cookieArgs(config: YouTubeConfig): string[] {
  if (config.cookies_file) return ['--cookies', config.cookies_file];
  if (config.cookies_from_browser !== 'none') return ['--cookies-from-browser', config.cookies_from_browser];
  return [];
}

/** yt-dlp's arguments to list a channel or playlist without downloading (`-J` prints one JSON). */
export function listingArgs(config: YouTubeConfig, url: string, cacheDir: string, jsRuntime?: string): string[] {
  const args = ['--ignore-config', '--flat-playlist', '-J', '--no-colors', '--cache-dir', cacheDir, ...cookieArgs(config)];
  if (config.max_videos > 0) args.push('--playlist-end', String(config.max_videos * 2));
  if (jsRuntime) args.push('--js-runtimes', jsRuntime);
  args.push('--', url);
  return args;
}

/** yt-dlp's arguments to read one video's metadata without downloading it. */
export function metadataArgs(config: YouTubeConfig, url: string, cacheDir: string, jsRuntime?: string): string[] {
  return ['--ignore-config', '--dump-json', '--skip-download', '--no-playlist', '--no-colors', '--cache-dir', cacheDir, ...cookieArgs(config), ...(jsRuntime ? ['--js-runtimes', jsRuntime] : []), '--', url];
}
