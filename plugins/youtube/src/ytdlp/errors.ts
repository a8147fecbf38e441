import { HavenError, type ErrorCode } from '@haven/sdk';

interface Rule {
  test: RegExp;
  code: ErrorCode;
  /** The words Haven's classifier reads first: they say which kind of failure this is. */
  label: string;
}

// Order matters: the first match wins. Haven sorts the failure by these labels (auth, geo,
// rate limit, not found, tool missing, disk full, network) and retries only what can heal.
const RULES: Rule[] = [
  { test: /no space left on device|ENOSPC|disk quota/i, code: 'UNAVAILABLE', label: 'disk full (ENOSPC)' },
  // The disk refuses the name or the folder: trying again cannot help, changing output_template or output_dir can.
  { test: /file name too long|permission denied|read-only file system|\[Errno (13|30|36)\]/i, code: 'FORBIDDEN', label: 'cannot write the file (check output_dir and output_template)' },
  { test: /ffmpeg (is )?not (installed|found)|ffprobe and ffmpeg not found|ffmpeg could not be found/i, code: 'UNAVAILABLE', label: 'ffmpeg is not installed' },
  { test: /not (made this video )?available in your country|geo.?restrict|geo.?block|blocked it in your country/i, code: 'UNAVAILABLE', label: 'geo-blocked' },
  {
    test: /sign in to confirm|confirm (that )?you.?re not a bot|age.?restrict|confirm your age|inappropriate for some users|private video|members.only|join this channel|login required|requires authentication|cookies|HTTP Error 401/i,
    code: 'UNAVAILABLE',
    label: 'needs cookies (sign-in, age or bot check)',
  },
  { test: /HTTP Error 429|too many requests|rate.?limit/i, code: 'UNAVAILABLE', label: 'rate-limited (HTTP 429)' },
  {
    test: /HTTP Error 404|HTTP Error 410|video unavailable|has been removed|no longer available|does not exist|account .* terminated|this video is unavailable/i,
    code: 'NOT_FOUND',
    label: 'not found or removed',
  },
  { test: /unsupported url|is not a valid url/i, code: 'INVALID_INPUT', label: 'not a page yt-dlp can read' },
  // YouTube answers 403 to expired or throttled stream URLs: a retry (or a newer yt-dlp) helps.
  { test: /HTTP Error 403/i, code: 'UNAVAILABLE', label: 'network error (refused with HTTP 403; updating yt-dlp often helps)' },
  {
    test: /downloaded \d+ bytes, expected \d+ bytes|did not get any data blocks|content too short|incompleteread|connection (refused|reset|aborted)|timed? ?out|name or service not known|temporary failure in name resolution|network is unreachable|unable to download webpage/i,
    code: 'UNAVAILABLE',
    label: 'network error',
  },
];

/** The last `ERROR:` line yt-dlp printed (its verdict), without yt-dlp's plea to report bugs. */
export function errorLine(stderr: string): string | undefined {
  const lines = stderr.split(/\r?\n/).filter((line) => line.startsWith('ERROR:'));
  const last = lines.at(-1);
  if (!last) return undefined;
  return last
    .replace(/^ERROR:\s*/, '')
    .replace(/;\s*please report this issue on.*$/i, '')
    .replace(/\s*\(caused by <[^>]*>\)/, '')
    .trim();
}

/** A classified error from a failed yt-dlp run: what went wrong, in words Haven sorts by. */
export function ytDlpFailure(stderr: string, exitCode: number | null): HavenError {
  const line = errorLine(stderr) ?? (stderr.trim().split(/\r?\n/).at(-1) || `yt-dlp exited with code ${exitCode}`);
  const rule = RULES.find((candidate) => candidate.test.test(line));
  if (!rule) return new HavenError('INTERNAL', `yt-dlp failed: ${line}`);
  return new HavenError(rule.code, `${rule.label}: ${line}`);
}
