import { describe, expect, it } from 'vitest';
import { configSchema } from '../config';
import { archiveArgs, formatSelector, listingArgs, MARK, templateFor } from './args';
import { needsJsRuntime, officialReleaseUrl, versionAge } from './binary';
import { errorLine, ytDlpFailure } from './errors';
import { extraArgsProblem } from './extraArgs';
import { ProgressTracker } from './progress';

const config = (values: Record<string, unknown> = {}) => configSchema.parse(values);

describe('yt-dlp arguments', () => {
  it('maps quality to a selector with fallbacks that accept formats of unknown height', () => {
    expect(formatSelector('best')).toBe('bv*+ba/b');
    expect(formatSelector('1080p')).toBe('bv*[height<=?1080]+ba/b[height<=?1080]');
    expect(formatSelector('360p')).toBe('bv*[height<=?360]+ba/b[height<=?360]');
  });

  it('writes a known video id into the template, so a retry finds its .part file', () => {
    expect(templateFor('%(title)s [%(id)s].%(ext)s', 'dQw4w9WgXcQ')).toBe('%(title)s [dQw4w9WgXcQ].%(ext)s');
    expect(templateFor('%(title)s [%(id)s].%(ext)s', undefined)).toBe('%(title)s [%(id)s].%(ext)s');
    expect(templateFor('%(id)s', '../../x')).toBe('%(id)s');
    // Two plain files of the same name on different sites must not share one output file.
    expect(templateFor('%(title)s [%(id)s].%(ext)s', undefined, 'url17e4b6c10adb')).toBe('%(title)s [%(id)s-url17e4b6c10adb].%(ext)s');
    expect(templateFor('%(title)s [%(id)s].%(ext)s', 'dQw4w9WgXcQ', 'url17e4b6c10adb')).toBe('%(title)s [dQw4w9WgXcQ].%(ext)s');
    expect(templateFor('%(id)s', undefined, '../x')).toBe('%(id)s');
  });

  it('puts the URL last, after --, whatever it looks like', () => {
    const args = archiveArgs({ config: config(), url: '--exec=rm -rf ~', outputDir: '/out', cacheDir: '/cache' });
    expect(args.slice(-2)).toEqual(['--', '--exec=rm -rf ~']);
    expect(args.indexOf('--')).toBe(args.length - 2);
  });

  it('asks for machine-readable progress and the final path, and passes the settings', () => {
    const args = archiveArgs({
      config: config({ quality: '720p', format: 'mkv', cookies_file: '/c.txt', download_subtitles: true, subtitle_langs: ['en', 'de'], rate_limit: '2M', sponsorblock: 'remove', extra_args: ['--retries', '5'] }),
      url: 'https://www.youtube.com/watch?v=abcdefghijk',
      outputDir: '/out',
      cacheDir: '/cache',
      videoId: 'abcdefghijk',
      ffmpeg: '/usr/bin/ffmpeg',
      jsRuntime: 'node:/usr/bin/node',
    });
    const after = (flag: string) => args[args.indexOf(flag) + 1];
    expect(after('--progress-template')).toMatch(new RegExp(`^download:\\${MARK.progress} %\\(progress\\.status\\)s`));
    expect(after('--print')).toBe(`after_move:${MARK.file} %(filepath)s`);
    expect(after('-f')).toBe('bv*[height<=?720]+ba/b[height<=?720]');
    expect(after('--merge-output-format')).toBe('mkv');
    expect(after('-P')).toBe('/out');
    expect(after('-o')).toContain('[abcdefghijk]');
    expect(after('--cookies')).toBe('/c.txt');
    expect(after('--sub-langs')).toBe('en,de');
    expect(after('--limit-rate')).toBe('2M');
    expect(after('--sponsorblock-remove')).toBe('sponsor,selfpromo,interaction');
    expect(after('--ffmpeg-location')).toBe('/usr/bin/ffmpeg');
    expect(after('--js-runtimes')).toBe('node:/usr/bin/node');
    expect(args).toContain('--write-info-json');
    expect(args.slice(-4)).toEqual(['--retries', '5', '--', 'https://www.youtube.com/watch?v=abcdefghijk']);
  });

  it('leaves out what needs ffmpeg when there is none', () => {
    const args = archiveArgs({ config: config({ embed_metadata: true, embed_thumbnail: true }), url: 'https://x/v', outputDir: '/o', cacheDir: '/c' });
    expect(args).not.toContain('--embed-metadata');
    expect(args).not.toContain('--embed-thumbnail');
    expect(args).not.toContain('--remux-video');
  });

  it('lists a channel flat, bounded by max_videos', () => {
    const args = listingArgs(config({ max_videos: 10 }), 'https://www.youtube.com/@x/videos', '/cache');
    expect(args).toEqual(expect.arrayContaining(['--flat-playlist', '-J', '--playlist-end', '20']));
    expect(args.slice(-2)).toEqual(['--', 'https://www.youtube.com/@x/videos']);
  });
});

describe('the settings yt-dlp receives', () => {
  it.each([
    [['--retries', '5', '--no-mtime'], undefined],
    [['--match-filter=duration>60'], undefined],
    [['--exec', 'rm -rf /'], /--exec is not allowed/],
    [['-o', '/etc/x'], /-o is not allowed/],
    [['https://evil.example/x'], /is not an option/],
    [['--retries'], /--retries needs a value/],
    [['--retries', '--no-mtime'], /--retries needs a value/],
    [['--no-mtime=1'], /takes no value/],
  ])('%j → %s', (args, problem) => {
    if (problem) expect(extraArgsProblem(args)).toMatch(problem);
    else expect(extraArgsProblem(args)).toBeUndefined();
  });

  it('refuses an output template that leaves output_dir, and extra options off the list', () => {
    expect(configSchema.safeParse({ output_template: '../%(id)s.%(ext)s' }).success).toBe(false);
    expect(configSchema.safeParse({ output_template: '/tmp/%(id)s.%(ext)s' }).success).toBe(false);
    for (const template of ['$HOME/evil.%(ext)s', '..%(nope|)s/..%(nope|)s/x.%(ext)s', 'a/%(nope|)s..%(nope|)s/b.%(ext)s', '~/x.%(ext)s', 'C:x.%(ext)s']) {
      expect(configSchema.safeParse({ output_template: template }).success, template).toBe(false);
    }
    expect(configSchema.safeParse({ output_template: '%(uploader|)s/%(title)s.%(ext)s' }).success).toBe(true);
    // A leading field that expands to nothing cannot make the path absolute.
    const args = archiveArgs({ config: configSchema.parse({ output_template: '%(nope|)s/tmp/x.%(ext)s' }), url: 'https://www.youtube.com/watch?v=abcdefghijk', outputDir: '/out', cacheDir: '/c' });
    expect(args[args.indexOf('-o') + 1]).toBe('./%(nope|)s/tmp/x.%(ext)s');
    for (const built of [args, listingArgs(configSchema.parse({}), 'https://www.youtube.com/@x/videos', '/c')]) expect(built[0]).toBe('--ignore-config');
    expect(configSchema.safeParse({ extra_args: ['--exec', 'x'] }).error?.issues[0]?.message).toMatch(/--exec is not allowed/);
  });
});

describe('progress from yt-dlp', () => {
  it('reads bytes, total, speed and ETA, summing the video and audio streams', () => {
    const tracker = new ProgressTracker();
    expect(tracker.line(`${MARK.progress} downloading 1000 4000 NA 500.5 6 NA NA`)).toEqual({ phase: 'downloading', bytesDone: 1000, bytesTotal: 4000, percent: 25, speedBps: 500.5, etaSeconds: 6 });
    expect(tracker.line(`${MARK.progress} finished 4000 4000 NA NA NA NA NA`)).toMatchObject({ phase: 'downloaded', bytesDone: 4000, bytesTotal: 4000 });
    expect(tracker.line(`${MARK.progress} downloading 500 NA 1000 100 5 3 10`)).toEqual({
      phase: 'downloading',
      bytesDone: 4500,
      bytesTotal: 5000,
      percent: 90,
      speedBps: 100,
      etaSeconds: 5,
      message: 'fragment 3 of 10, stream 2',
    });
    expect(tracker.line(`${MARK.post} started Merger`)).toEqual({ phase: 'merging', message: 'Merger' });
    expect(tracker.line(`${MARK.post} started FFmpegEmbedSubtitle`)).toEqual({ phase: 'post-processing', message: 'EmbedSubtitle' });
    expect(tracker.line('[download] Destination: x.mp4')).toBeUndefined();
    expect(tracker.line(`${MARK.file} /out/a b [x].mp4`)).toBeUndefined();
    expect(tracker.files).toEqual(['/out/a b [x].mp4']);
  });
});

describe("yt-dlp's errors, classified", () => {
  const stderr = (line: string) => `WARNING: something\nERROR: ${line}\n`;
  it.each([
    ['[youtube] abc: Sign in to confirm you’re not a bot. Use --cookies-from-browser or --cookies', 'UNAVAILABLE', /^needs cookies/],
    ['[youtube] abc: Sign in to confirm your age. This video may be inappropriate for some users.', 'UNAVAILABLE', /^needs cookies/],
    ['[youtube] abc: Private video. Sign in if you\'ve been granted access', 'UNAVAILABLE', /^needs cookies/],
    ['[youtube] abc: Video unavailable. The uploader has not made this video available in your country', 'UNAVAILABLE', /^geo-blocked/],
    ['[youtube] abc: Video unavailable. This video has been removed by the uploader', 'NOT_FOUND', /^not found or removed/],
    ['[generic] None: Unable to download webpage: HTTP Error 404: File not found (caused by <HTTPError 404: \'File not found\'>); please report this issue on  https://github.com/yt-dlp/yt-dlp/issues?q= , filling out the appropriate issue template.', 'NOT_FOUND', /^not found or removed: \[generic\] None: Unable to download webpage: HTTP Error 404: File not found$/],
    ['Unable to download webpage: HTTP Error 429: Too Many Requests', 'UNAVAILABLE', /^rate-limited/],
    ['Unable to download webpage: HTTP Error 401: Unauthorized', 'UNAVAILABLE', /^needs cookies/],
    ['unable to download video data: HTTP Error 403: Forbidden', 'UNAVAILABLE', /^network error \(refused with HTTP 403/],
    ['[download] Got error: Downloaded 20000 bytes, expected 73100 bytes. Giving up after 3 retries', 'UNAVAILABLE', /^network error/],
    ['Unable to download webpage: <urlopen error [Errno 111] Connection refused>', 'UNAVAILABLE', /^network error/],
    ['Postprocessing: ffprobe and ffmpeg not found. Please install or provide the path using --ffmpeg-location', 'UNAVAILABLE', /^ffmpeg is not installed/],
    ['unable to write data: [Errno 28] No space left on device', 'UNAVAILABLE', /^disk full/],
    ["unable to open for writing: [Errno 36] File name too long: 'a very long title.mp4.part'", 'FORBIDDEN', /^cannot write the file/],
    ['Some other failure [Errno 22] Invalid argument', 'INTERNAL', /^yt-dlp failed/],
    ['Unsupported URL: https://example.com/', 'INVALID_INPUT', /^not a page yt-dlp can read/],
    ['something entirely new', 'INTERNAL', /^yt-dlp failed: something entirely new$/],
  ])('%s', (line, code, message) => {
    const error = ytDlpFailure(stderr(line), 1);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });

  it('takes the last ERROR line, and says so when there is none', () => {
    expect(errorLine('ERROR: first\nERROR: second\n')).toBe('second');
    expect(ytDlpFailure('', 2).message).toBe('yt-dlp failed: yt-dlp exited with code 2');
  });
});

describe('the yt-dlp binary', () => {
  it('knows how old a release is, and which need a JavaScript runtime', () => {
    expect(versionAge('2023.03.04', new Date('2023-05-03T12:00:00Z'))).toBe(60);
    expect(versionAge('2025.10.22.233000', new Date('2025-10-23T00:00:00Z'))).toBe(1);
    expect(versionAge('not a version')).toBeUndefined();
    expect(needsJsRuntime('2025.11.12')).toBe(true);
    expect(needsJsRuntime('2025.10.22')).toBe(false);
    expect(needsJsRuntime('2023.03.04')).toBe(false);
  });

  it('downloads the official release for the system', () => {
    expect(officialReleaseUrl('linux', 'x64')).toBe('https://github.com/yt-dlp/yt-dlp/releases/latest/download/yt-dlp_linux');
    expect(officialReleaseUrl('win32', 'x64')).toMatch(/yt-dlp\.exe$/);
    expect(officialReleaseUrl('darwin', 'arm64')).toMatch(/yt-dlp_macos$/);
    expect(officialReleaseUrl('linux', 'ppc64')).toMatch(/download\/yt-dlp$/);
  });
});
