import fs from 'node:fs';
import path from 'node:path';
import { HavenError, definePlugin, z, type Disposable, type HealthCheckResult, type JobHandle, type MediaSource, type PluginContext } from '@haven/sdk';
import { configSchema, type YouTubeConfig } from './config';
import { ImportedIds } from './importedIds';
import { isListPage, parseListing, parseYouTubeFeed, videoIdOf, youtubeHosts, type Candidate } from './feed';
import { mergeCandidates, parseDownloadArchive, selectVideos, type Selection } from './select';
import { archiveArgs, listingArgs, metadataArgs } from './ytdlp/args';
import { needsJsRuntime, officialReleaseUrl, resolveYtDlp, versionAge, type YtDlpBinary } from './ytdlp/binary';
import { ytDlpFailure } from './ytdlp/errors';
import { ProgressTracker } from './ytdlp/progress';
import { runYtDlp, stopAll, ytDlpVersion } from './ytdlp/run';
import { installYtDlp, rollbackYtDlp } from './ytdlp/update';

export { configSchema };

/** YouTube breaks old yt-dlp releases; past this age the health check says to update. */
const STALE_DAYS = 60;
const SYNCED = 'synced';

interface Target {
  /** Stable key for storage: `channel:UC…`, `handle:@name`, `playlist:PL…`. */
  key: string;
  label: string;
  feedUrl?: string;
  listingUrl: string;
}

const httpUrl = z.url({ protocol: /^https?$/ });

export default definePlugin({
  configSchema,
  setup(ctx: PluginContext<YouTubeConfig>) {
    const cacheDir = path.join(ctx.dataDir, 'yt-dlp-cache');
    const imported = new ImportedIds(ctx.dataDir);
    const versions = new Map<string, string>();

    /** yt-dlp's environment: Haven's tools first on PATH, UTF-8 output whatever the locale. */
    const env = (): Record<string, string> => {
      const base = Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
      return {
        ...base,
        PATH: [ctx.toolsDir, process.env.PATH ?? ''].join(path.delimiter),
        PYTHONIOENCODING: 'utf-8',
        PYTHONUTF8: '1',
        // Inside Electron, process.execPath is Electron itself: this makes it behave as Node for yt-dlp.
        ...(process.versions.electron ? { ELECTRON_RUN_AS_NODE: '1' } : {}),
      };
    };

    async function findBinary(): Promise<YtDlpBinary> {
      const found = resolveYtDlp(ctx.config.ytdlp_path, ctx.toolsDir, await ctx.which('yt-dlp'));
      if (!found) throw new HavenError('NOT_FOUND', 'yt-dlp is not installed: run "Install / update yt-dlp" on the plugin page (haven plugins action YouTubePlugin update-yt-dlp), or set ytdlp_path');
      if ('error' in found) throw new HavenError('NOT_FOUND', `yt-dlp is not installed where configured: ${found.error}`);
      return found;
    }

    /** yt-dlp's version, remembered per file (path, size, mtime) across restarts: asking costs a Python start. */
    async function versionOf(binary: string): Promise<string> {
      const stat = fs.statSync(binary);
      const key = `${binary}:${stat.mtimeMs}:${stat.size}`;
      let version = versions.get(key);
      if (version) return version;
      const stored = (await ctx.storage.get('ytdlp-version')) as { key: string; version: string } | undefined;
      if (stored?.key === key) version = stored.version;
      else {
        version = await ytDlpVersion(binary, env());
        await ctx.storage.set('ytdlp-version', { key, version });
      }
      versions.set(key, version);
      return version;
    }

    /** `--js-runtimes` for yt-dlp versions that need a JavaScript runtime: the Node Haven runs on. */
    async function jsRuntime(binary: string): Promise<string | undefined> {
      return needsJsRuntime(await versionOf(binary).catch(() => '')) ? `node:${process.execPath}` : undefined;
    }

    async function run(args: string[], options: { signal?: AbortSignal; onLine?: (line: string) => void; cwd?: string } = {}): Promise<string> {
      const binary = await findBinary();
      fs.mkdirSync(cacheDir, { recursive: true });
      const result = await runYtDlp(binary.path, args, { env: env(), cwd: options.cwd ?? ctx.dataDir, ...(options.signal ? { signal: options.signal } : {}), ...(options.onLine ? { onLine: options.onLine } : {}) });
      if (result.cancelled) throw new HavenError('CANCELLED', 'cancelled; what was downloaded so far is kept as .part files for a retry');
      if (result.code !== 0) throw ytDlpFailure(result.stderr, result.code);
      return result.stdout;
    }

    function targets(config: YouTubeConfig, handles: Record<string, string>): Target[] {
      const site = config.site_base_url.replace(/\/+$/, '');
      const feed = (param: string, id: string): string => `${config.feed_base_url}${config.feed_base_url.includes('?') ? '&' : '?'}${param}=${encodeURIComponent(id)}`;
      const channels = config.channel_ids.map((raw): Target => {
        const id = raw.trim();
        if (id.startsWith('@')) {
          const resolved = handles[id];
          return { key: `handle:${id}`, label: id, listingUrl: `${site}/${id}/videos`, ...(resolved ? { feedUrl: feed('channel_id', resolved) } : {}) };
        }
        return { key: `channel:${id}`, label: id, feedUrl: feed('channel_id', id), listingUrl: `${site}/channel/${encodeURIComponent(id)}/videos` };
      });
      const playlists = config.playlist_ids.map((raw): Target => {
        const id = raw.trim();
        return { key: `playlist:${id}`, label: id, feedUrl: feed('playlist_id', id), listingUrl: `${site}/playlist?list=${encodeURIComponent(id)}` };
      });
      return [...channels, ...playlists];
    }

    async function readFeed(url: string, label: string, signal?: AbortSignal): Promise<Candidate[]> {
      const response = await ctx.http(url, signal ? { signal } : {});
      if (response.status === 404) throw new HavenError('NOT_FOUND', `${label}: not found (its feed answers HTTP 404)`);
      if (response.status === 429) throw new HavenError('UNAVAILABLE', `${label}: rate-limited (HTTP 429) while reading its feed`);
      if (!response.ok) throw new HavenError('UNAVAILABLE', `${label}: network error, its feed answers HTTP ${response.status}`);
      try {
        return parseYouTubeFeed(await response.text());
      } catch (error) {
        throw new HavenError('INVALID_INPUT', `${label}: the feed cannot be read (${(error as Error).message})`);
      }
    }

    async function discover(dryRun: boolean, signal?: AbortSignal): Promise<Selection> {
      const config = ctx.config;
      const known = imported.read();
      const synced = ((await ctx.storage.get(SYNCED)) as Record<string, string> | undefined) ?? {};
      const handles = ((await ctx.storage.get('handles')) as Record<string, string> | undefined) ?? {};
      const result: Selection = { sources: [], skipped: [] };
      for (const target of targets(config, handles)) {
        const feed = target.feedUrl ? await readFeed(target.feedUrl, target.label, signal) : [];
        let listing: Candidate[] = [];
        if (!target.feedUrl || (config.full_listing === 'first-sync' && !synced[target.key])) {
          const binary = await findBinary();
          const json = JSON.parse(await run(listingArgs(config, target.listingUrl, cacheDir, await jsRuntime(binary.path)), signal ? { signal } : {})) as { channel_id?: unknown };
          listing = parseListing(json);
          if (target.key.startsWith('handle:') && typeof json.channel_id === 'string') handles[target.label] = json.channel_id;
          synced[target.key] = new Date().toISOString();
        }
        const selection = selectVideos(mergeCandidates(feed, listing), config, target.label, known);
        result.sources.push(...selection.sources);
        result.skipped.push(...selection.skipped);
      }
      if (!dryRun) {
        await ctx.storage.set(SYNCED, synced);
        await ctx.storage.set('handles', handles);
      }
      return result;
    }

    async function archive(source: MediaSource, job: JobHandle) {
      if (!httpUrl.safeParse(source.uri).success) throw new HavenError('INVALID_INPUT', `only http(s) addresses are archived, not ${source.uri.slice(0, 200)}`);
      if (isListPage(source.uri)) throw new HavenError('INVALID_INPUT', `${source.uri.slice(0, 200)} is not one video: add the channel or playlist to channel_ids or playlist_ids, and Haven archives it video by video`);
      const config = ctx.config;
      const binary = await findBinary();
      const outputDir = config.output_dir ?? ctx.outputDir;
      fs.mkdirSync(outputDir, { recursive: true });
      const videoId = typeof source.metadata.videoId === 'string' ? source.metadata.videoId : videoIdOf(source.uri, youtubeHosts(config.site_base_url));
      const ffmpeg = await ctx.which('ffmpeg');
      const runtime = await jsRuntime(binary.path);
      const tracker = new ProgressTracker();
      job.progress({ phase: 'starting', message: 'asking yt-dlp' });
      const sourceKey = source.sourceId.replace(/[^A-Za-z0-9_-]/g, '').slice(-16);
      const args = archiveArgs({ config, url: source.uri, outputDir, cacheDir, sourceKey, ...(videoId ? { videoId } : {}), ...(ffmpeg ? { ffmpeg } : {}), ...(runtime ? { jsRuntime: runtime } : {}) });
      await run(args, {
        signal: job.signal,
        cwd: outputDir,
        onLine: (line) => {
          const update = tracker.line(line);
          if (update) job.progress(update);
        },
      });
      const media = tracker.files.at(-1);
      if (!media || !fs.existsSync(media)) throw new HavenError('INTERNAL', 'yt-dlp finished but named no file it saved');
      const inside = path.relative(fs.realpathSync(outputDir), fs.realpathSync(media));
      if (inside === '..' || inside.startsWith(`..${path.sep}`) || path.isAbsolute(inside)) throw new HavenError('FORBIDDEN', `yt-dlp saved ${media}, outside ${outputDir}: check output_template`);
      const info = readInfo(media);
      const companions = companionsOf(media);
      return {
        success: true,
        outputPath: media,
        fileSize: fs.statSync(media).size,
        ...(typeof info.duration === 'number' ? { duration: info.duration } : {}),
        metadata: {
          ...source.metadata,
          ...pick(info, ['id', 'title', 'uploader', 'channel', 'channel_id', 'upload_date', 'webpage_url', 'extractor', 'description']),
          companions,
        },
      };
    }

    let schedule: Disposable | undefined;
    const reschedule = (config: YouTubeConfig): void => {
      schedule?.dispose();
      schedule = undefined;
      const interval = config.check_interval_minutes;
      if (interval <= 0 || config.channel_ids.length + config.playlist_ids.length === 0) return;
      schedule = ctx.schedule({
        name: 'check channels and playlists',
        intervalMs: interval * 60_000,
        jitterMs: Math.min(interval * 6_000, 5 * 60_000),
        skipInitialRun: true,
        maxBackoffMs: 6 * 3600_000,
        run: () => ctx.discover(`every ${interval} minutes`),
      });
    };
    reschedule(ctx.config);
    ctx.onConfigChange((config) => reschedule(config));
    ctx.onDispose({ dispose: () => stopAll() });

    const updateDeps = () => ({ toolsDir: ctx.toolsDir, http: (url: string, init?: { signal?: AbortSignal }) => ctx.http(url, init), env: env() });

    return {
      async healthCheck(): Promise<HealthCheckResult> {
        let binary: YtDlpBinary;
        try {
          binary = await findBinary();
        } catch (error) {
          return { status: 'fail', componentId: 'yt-dlp', output: (error as Error).message };
        }
        let version: string;
        try {
          version = await versionOf(binary.path);
        } catch (error) {
          return { status: 'fail', componentId: 'yt-dlp', output: `yt-dlp at ${binary.path} does not run: ${(error as Error).message.trim().split('\n').find(Boolean)}` };
        }
        const age = versionAge(version);
        const ffmpeg = await ctx.which('ffmpeg');
        const problems: string[] = [];
        if (age !== undefined && age > STALE_DAYS) problems.push(`yt-dlp ${version} is ${age} days old and YouTube breaks old versions: run "Install / update yt-dlp"`);
        if (!ffmpeg) problems.push('ffmpeg is missing, so video and audio cannot be merged: install ffmpeg');
        const runtime = needsJsRuntime(version) ? `Haven's Node ${process.version}` : 'not needed by this yt-dlp';
        const summary = `yt-dlp ${version} (${binary.source}, ${binary.path}); ffmpeg ${ffmpeg ?? 'missing'}; JavaScript runtime: ${runtime}`;
        return {
          status: problems.length ? 'warn' : 'pass',
          componentId: 'yt-dlp',
          version,
          output: problems.length ? `${problems.join('. ')}. ${summary}` : summary,
          details: { ytdlp: { path: binary.path, source: binary.source, version, ageDays: age }, ffmpeg: ffmpeg ?? null, jsRuntime: runtime },
        };
      },

      discoverSources: (options, job) => discover(options.dryRun, job?.signal),

      archive,

      async metadata(source) {
        if (!httpUrl.safeParse(source.uri).success) throw new HavenError('INVALID_INPUT', `only http(s) addresses are read, not ${source.uri.slice(0, 200)}`);
        const binary = await findBinary();
        const info = JSON.parse(await run(metadataArgs(ctx.config, source.uri, cacheDir, await jsRuntime(binary.path)))) as Record<string, unknown>;
        return {
          ...pick(info, ['id', 'title', 'uploader', 'channel', 'channel_id', 'upload_date', 'duration', 'view_count', 'like_count', 'webpage_url', 'extractor', 'thumbnail', 'live_status', 'filesize', 'filesize_approx', 'ext', 'width', 'height']),
          ...(typeof info.description === 'string' ? { description: info.description.slice(0, 5000) } : {}),
          formats: Array.isArray(info.formats) ? info.formats.length : 0,
        };
      },

      shutdown: () => stopAll(),

      actions: {
        'update-yt-dlp': {
          label: 'Install / update yt-dlp',
          description: "Downloads the latest official yt-dlp into Haven's tools folder, checks that it runs, and keeps the copy it replaces.",
          run: async () => {
            const message = await installYtDlp(ctx.config.ytdlp_release_url ?? officialReleaseUrl(), updateDeps());
            versions.clear();
            return ctx.config.ytdlp_path ? `${message} Note: ytdlp_path is set, so that one is used until you clear it.` : message;
          },
        },
        'rollback-yt-dlp': {
          label: 'Go back to the previous yt-dlp',
          description: 'Undo the last update, if the new yt-dlp misbehaves.',
          run: async () => {
            const message = await rollbackYtDlp(updateDeps());
            versions.clear();
            return message;
          },
        },
        'import-download-archive': {
          label: 'Import a yt-dlp download archive',
          description: "Videos listed in the file (yt-dlp's --download-archive) are never downloaded again.",
          input: { label: 'Archive file', placeholder: '/path/to/archive.txt', required: true },
          run: async (file) => {
            let text: string;
            try {
              if (fs.statSync(file!).size > 64 * 1024 * 1024) throw new HavenError('TOO_LARGE', `${file} is larger than 64 MiB`);
              text = fs.readFileSync(file!, 'utf8');
            } catch (error) {
              if (error instanceof HavenError) throw error;
              throw new HavenError('NOT_FOUND', `cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
            }
            const ids = parseDownloadArchive(text);
            if (ids.length === 0) throw new HavenError('INVALID_INPUT', `${file} lists no YouTube videos (lines like "youtube dQw4w9WgXcQ")`);
            const { added } = imported.add(ids);
            return `Imported ${ids.length} video ids from ${file} (${added} new); they will be skipped as already downloaded.`;
          },
        },
        'full-sync': {
          label: 'List every upload now',
          description: "Reads each channel's and playlist's whole history (not just the feed's newest videos) and queues what is missing.",
          run: async () => {
            await ctx.storage.set(SYNCED, {});
            const job = await ctx.discover('a full listing, asked from the plugin page');
            return `Listed every upload (discovery job ${job.jobId}: ${job.state}).`;
          },
        },
      },
    };
  },
});

/** The info JSON yt-dlp wrote beside the media, if any. */
function readInfo(media: string): Record<string, unknown> {
  const file = `${stemOf(media)}.info.json`;
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

function stemOf(file: string): string {
  return file.slice(0, file.length - path.extname(file).length);
}

/** The files yt-dlp wrote beside the media (info JSON, thumbnail, subtitles), by name. */
function companionsOf(media: string): string[] {
  const dir = path.dirname(media);
  const stem = path.basename(stemOf(media));
  return fs
    .readdirSync(dir)
    .filter((name) => name !== path.basename(media) && name.startsWith(`${stem}.`) && !name.endsWith('.part') && !name.endsWith('.ytdl') && !name.endsWith('.haven.json'))
    .sort();
}

function pick(source: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((key) => source[key] !== undefined && source[key] !== null).map((key) => [key, source[key]]));
}
