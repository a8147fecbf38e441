import { z } from '@haven/sdk';
import { ALLOWED_EXTRA_ARGS, extraArgsProblem } from './ytdlp/extraArgs';

/** A template's literal text, its `%(field)s` parts removed (a field may expand to nothing). */
const literal = (segment: string): string => segment.replace(/%\([^)]*\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]/g, '');

/**
 * yt-dlp's output template must stay inside output_dir: no absolute path, no `..` folder
 * (also not `..%(x|)s`), and no `$` (yt-dlp expands environment variables). A leading field that
 * expands to nothing cannot make it absolute either: Haven passes it as `./template`. The archive
 * also checks where the file landed.
 */
export function templateProblem(value: string): string | undefined {
  if (value.includes('$')) return 'must stay inside output_dir: no "$" (yt-dlp would expand environment variables)';
  const segments = value.split(/[\\/]/);
  if (/^([a-zA-Z]:|[\\/~])/.test(value)) return 'must stay inside output_dir: no "/", "~" or drive at the start';
  if (segments.some((segment) => /^\.{2,}$/.test(literal(segment)))) return 'must stay inside output_dir: no ".." folders';
  return undefined;
}

const outputTemplate = z
  .string()
  .min(1)
  .superRefine((value, ctx) => {
    const problem = templateProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const regexText = z
  .string()
  .refine(
    (value) => {
      try {
        new RegExp(value, 'i');
        return true;
      } catch {
        return false;
      }
    },
    { message: 'must be a valid regular expression' },
  );

export const configSchema = z.object({
  channel_ids: z.array(z.string().min(1)).default([]).describe('Channels to archive: UC… ids or @handles.'),
  playlist_ids: z.array(z.string().min(1)).default([]).describe('Playlists to archive: PL… ids.'),
  max_videos: z.number().int().min(0).default(50).describe('Newest videos to keep per channel or playlist; 0 means all.'),
  quality: z.enum(['best', '1080p', '720p', '480p', '360p']).default('best'),
  format: z.enum(['mp4', 'mkv', 'webm']).default('mp4').describe('Container the video is merged into.'),
  output_dir: z.string().optional().describe('Where videos go; default: the downloads folder in HAVEN_HOME.'),
  cookies_file: z.string().optional().describe('A cookies.txt file for sign-in, age or bot checks.'),
  download_subtitles: z.boolean().default(false),
  max_retries: z.number().int().min(0).max(20).default(3),
  cookies_from_browser: z
    .enum(['none', 'chrome', 'chromium', 'firefox', 'edge', 'brave', 'opera', 'safari', 'vivaldi'])
    .default('none')
    .describe('Read cookies from this browser instead of a file.'),
  subtitle_langs: z.array(z.string().regex(/^[A-Za-z0-9_.*-]+$/, 'must be a language code such as en or en.*')).default(['en']),
  embed_metadata: z.boolean().default(true),
  embed_thumbnail: z.boolean().default(false),
  output_template: outputTemplate.default('%(uploader|Unknown uploader)s/%(upload_date|undated)s - %(title)s [%(id)s].%(ext)s'),
  rate_limit: z
    .string()
    .regex(/^\d+(\.\d+)?[KMG]?$/i, 'must be a rate such as 500K or 2M')
    .optional()
    .describe('Most bytes per second yt-dlp may download.'),
  sleep_interval: z.number().min(0).max(3600).default(0).describe('Seconds to wait between downloads.'),
  date_after: z
    .string()
    .regex(/^(\d{8}|(today|now)(-\d+(day|week|month|year)s?)?)$/, 'must be YYYYMMDD or today-2weeks')
    .optional()
    .describe('Skip videos uploaded before this date.'),
  title_include: regexText.optional().describe('Archive only titles matching this regular expression.'),
  title_exclude: regexText.optional().describe('Skip titles matching this regular expression.'),
  include_shorts: z.boolean().default(true),
  include_live: z.boolean().default(false).describe('Also archive finished live streams.'),
  sponsorblock: z.enum(['off', 'mark', 'remove']).default('off'),
  ytdlp_path: z.string().optional().describe('Use this yt-dlp instead of the one Haven manages.'),
  extra_args: z
    .array(z.string().max(1000))
    .max(50)
    .default([])
    .superRefine((args, ctx) => {
      const problem = extraArgsProblem(args);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .describe(`More yt-dlp options, from an allow-list: ${Object.keys(ALLOWED_EXTRA_ARGS).join(' ')}`),
  check_interval_minutes: z.number().int().min(0).max(10_080).default(60).describe('Check channels and playlists for new videos this often; 0 means only when asked.'),
  full_listing: z
    .enum(['first-sync', 'never'])
    .default('first-sync')
    .describe("Besides the feed (the newest ~15 videos), list a channel's whole upload history the first time it is checked."),
  ytdlp_release_url: z.url({ protocol: /^https?$/ }).optional().describe('Where "Install / update yt-dlp" downloads from; default: the official GitHub release for this system.'),
  feed_base_url: z.url({ protocol: /^https?$/ }).default('https://www.youtube.com/feeds/videos.xml').describe('Where channel feeds are read (tests point it at a local server).'),
  site_base_url: z.url({ protocol: /^https?$/ }).default('https://www.youtube.com'),
});

export type YouTubeConfig = z.output<typeof configSchema>;

