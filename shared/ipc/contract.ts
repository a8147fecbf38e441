import { z } from 'zod';
import {
  ConfigIssue,
  PluginConfigView,
  PluginDetail,
  PluginHealthReport,
  PluginLogRecord,
  PluginSummary,
  PluginTestReport,
} from '../domain/plugins';
import { AppSettings, AppSettingsPatch, PipelineDryRun } from '../domain/settings';
import { JobCounts, JobDetail, JobFilter, JobProgressEvent, JobSelection, JobSummary, MAX_DROPPED_FILE_BYTES } from '../domain/jobs';
import { LibraryItem, LibraryQuery } from '../domain/library';
import { AvailablePlugin, PackagePreview } from '../domain/packages';
import { call, defineContract, event } from './define';
import { ActionInfo, VIEW_MAX_ROWS, ViewRow } from '../sdk/types';

const NoInput = z.strictObject({});
/** A plugin by manifest name or case-insensitive short id (`YouTubePlugin` or `youtube`). */
const PluginRef = z.strictObject({ name: z.string().min(1).max(128) });

export const AppInfo = z.object({
  name: z.string(),
  version: z.string(),
  /** Which host runs Core: the desktop app, `haven serve`, or a CLI command. */
  host: z.enum(['desktop', 'serve', 'cli', 'test']),
  home: z.string(),
  startedAt: z.string(),
  platform: z.string(),
  runtime: z.string(),
  /**
   * `haven serve`: the read-only token of podcast feeds (`/feeds/<plugin>.xml?feed=…`), which
   * opens feeds and archived and derived files (read-only), and nothing else: not the UI, not the WebSocket.
   */
  feedToken: z.string().optional(),
});
export type AppInfo = z.infer<typeof AppInfo>;

/**
 * The one contract between Core and its clients. Every transport (Electron MessagePort,
 * WebSocket) is derived from this object; adding a call is one entry here plus its handler.
 */
export const havenContract = defineContract({
  calls: {
    'app.info': call({
      description: 'Version and host of the running Core.',
      input: NoInput,
      output: AppInfo,
    }),
    'plugins.list': call({
      description: 'Every plugin Core found, valid or not, with its state.',
      input: NoInput,
      output: z.object({ plugins: z.array(PluginSummary) }),
    }),
    'plugins.rescan': call({
      description: 'Search the plugin folders again now.',
      input: NoInput,
      output: z.object({ plugins: z.array(PluginSummary) }),
    }),
    'plugins.info': call({
      description: 'One plugin in full: hooks, api, health history.',
      input: PluginRef,
      output: PluginDetail,
    }),
    'plugins.enable': call({
      description: 'Enable a plugin (persisted) and start it.',
      input: PluginRef,
      output: PluginSummary,
    }),
    'plugins.disable': call({
      description: 'Stop a plugin and keep it off (persisted).',
      input: PluginRef,
      output: PluginSummary,
    }),
    'plugins.reload': call({
      description: 'Restart a plugin now, keeping its storage and preserveOnReload state.',
      input: PluginRef,
      output: PluginSummary,
    }),
    'plugins.config.get': call({
      description: "A plugin's configuration, its JSON Schema, and which secrets are set.",
      input: PluginRef,
      output: PluginConfigView,
    }),
    'plugins.config.set': call({
      description:
        "Change a plugin's configuration; validated by the plugin's own schema. Secret fields left out keep their value.",
      input: PluginRef.extend({
        values: z.record(z.string(), z.unknown()),
        /** Replace the whole configuration instead of merging these keys into it. */
        replace: z.boolean().default(false),
      }),
      output: z.discriminatedUnion('ok', [
        z.object({ ok: z.literal(true), config: PluginConfigView }),
        z.object({ ok: z.literal(false), issues: z.array(ConfigIssue) }),
      ]),
    }),
    'plugins.health': call({
      description: 'Run health checks now, all at once, each with a timeout.',
      input: z.strictObject({ names: z.array(z.string().max(128)).max(256).optional() }),
      output: z.object({ results: z.array(PluginHealthReport) }),
    }),
    'plugins.actions': call({
      description: 'The actions a plugin offers (starting it if needed).',
      input: PluginRef,
      output: z.object({ actions: z.array(ActionInfo) }),
    }),
    'plugins.action': call({
      description: "Run one of a plugin's actions (update a tool, import a file); its result as text.",
      input: PluginRef.extend({ action: z.string().min(1).max(64), input: z.string().max(8192).optional() }),
      output: z.object({ message: z.string() }),
    }),
    'plugins.view': call({
      description: "The rows of one of a plugin's views (what is seeding, what is live).",
      input: PluginRef.extend({ view: z.string().min(1).max(64) }),
      output: z.object({ rows: z.array(ViewRow).max(VIEW_MAX_ROWS) }),
    }),
    'plugins.viewAction': call({
      description: "Run one of a view's row actions (stop, remove) on one row; its result as text.",
      input: PluginRef.extend({ view: z.string().min(1).max(64), action: z.string().min(1).max(64), row: z.string().min(1).max(256) }),
      output: z.object({ message: z.string() }),
    }),
    'plugins.test': call({
      description: 'Health check, optionally a discovery dry run and one real archive of a URL.',
      input: PluginRef.extend({
        discover: z.boolean().default(false),
        archiveUrl: z.string().max(8192).optional(),
      }),
      output: PluginTestReport,
    }),
    'jobs.list': call({
      description: 'Jobs, newest decisions first within each state; filter by state, plugin, text.',
      input: JobFilter,
      output: z.object({ jobs: z.array(JobSummary), total: z.number().int() }),
    }),
    'jobs.get': call({
      description: 'One job with its decision trace and the log lines it produced.',
      input: z.strictObject({ id: z.string().max(64) }),
      output: JobDetail,
    }),
    'jobs.counts': call({
      description: 'How many jobs are in each state.',
      input: NoInput,
      output: JobCounts,
    }),
    'jobs.archive': call({
      description: 'Queue an archive of a URL, by the plugin whose urlPatterns claim it or the one named.',
      input: z.strictObject({
        url: z.string().min(1).max(8192),
        plugin: z.string().max(128).optional(),
        force: z.boolean().default(false),
        /** For a live stream: stop recording after this many seconds. */
        durationSeconds: z.number().int().min(1).max(30 * 24 * 3600).optional(),
      }),
      output: JobSummary,
    }),
    'jobs.archiveFile': call({
      description: 'Queue an archive of a small file dropped on the window (a .torrent): Core keeps a copy and hands its file: URL to the plugin that claims it.',
      input: z.strictObject({
        fileName: z.string().min(1).max(255),
        data: z.base64().max(Math.ceil(MAX_DROPPED_FILE_BYTES / 3) * 4),
        plugin: z.string().max(128).optional(),
      }),
      output: JobSummary,
    }),
    'jobs.discover': call({
      description: "Queue a discovery run of a plugin: what it finds becomes archive jobs.",
      input: PluginRef,
      output: JobSummary,
    }),
    'jobs.pause': call({ description: 'Pause jobs (running ones stop and keep their partial data).', input: JobSelection, output: z.object({ count: z.number().int() }) }),
    'jobs.resume': call({ description: 'Resume paused jobs.', input: JobSelection, output: z.object({ count: z.number().int() }) }),
    'jobs.cancel': call({ description: 'Cancel jobs.', input: JobSelection, output: z.object({ count: z.number().int() }) }),
    'jobs.retry': call({
      description: 'Queue failed or cancelled jobs again (failed: true for every failed job).',
      input: z.strictObject({ ids: z.array(z.string().max(64)).max(10_000).optional(), failed: z.boolean().default(false) }),
      output: z.object({ count: z.number().int() }),
    }),
    'jobs.unskip': call({ description: 'Archive skipped items after all.', input: JobSelection, output: z.object({ count: z.number().int() }) }),
    'library.search': call({
      description: 'Full-text search of the archive (title, description, channel, tags, subtitles) with filters.',
      input: LibraryQuery,
      output: z.object({
        items: z.array(LibraryItem),
        /** Counted up to 10,001: more means "over 10,000". */
        total: z.number().int(),
        /** By relevance for up to 2,000 matches, newest first beyond. */
        ordering: z.enum(['relevance', 'newest']),
      }),
    }),
    'library.get': call({ description: 'One archived item.', input: z.strictObject({ id: z.number().int() }), output: LibraryItem }),
    'library.delete': call({
      description: 'Remove an item from the archive; deleteFile also removes its file and sidecar.',
      input: z.strictObject({ id: z.number().int(), deleteFile: z.boolean() }),
      output: z.null(),
    }),
    'library.import': call({
      description: 'Queue an import of files already on disk (Haven sidecars, yt-dlp .info.json, [id] in names); the report is the job result.',
      input: z.strictObject({ dir: z.string().min(1).max(4096) }),
      output: JobSummary,
    }),
    'library.verify': call({ description: 'Queue a fixity check of every archived file.', input: NoInput, output: JobSummary }),
    'plugins.readme': call({
      description: "A plugin's README.md (Markdown), if it has one.",
      input: PluginRef,
      output: z.object({ markdown: z.string().nullable() }),
    }),
    'plugins.icon': call({
      description: "A plugin's icon as a data: URL (PNG, SVG, JPEG or WebP up to 128 KiB), if it has one.",
      input: PluginRef,
      output: z.object({ dataUrl: z.string().nullable() }),
    }),
    'plugins.logs': call({
      description: "A plugin's latest log records (newest last).",
      input: PluginRef.extend({ limit: z.number().int().min(1).max(500).default(200) }),
      output: z.object({ records: z.array(PluginLogRecord) }),
    }),
    'plugins.uninstall': call({
      description: 'Remove an installed plugin; deleteData also removes its settings, storage and data folder.',
      input: PluginRef.extend({ deleteData: z.boolean().default(false) }),
      output: z.object({ name: z.string(), deletedData: z.boolean() }),
    }),
    'packages.stage': call({
      description: 'Check a plugin package (a .havenplugin/.zip file, a folder, or an http(s) URL on the machine running Core) and show what installing it would do.',
      input: z.strictObject({ path: z.string().min(1).max(4096).optional(), url: z.string().min(1).max(8192).optional(), sha256: z.string().max(64).optional() }),
      output: PackagePreview,
    }),
    'packages.uploadBegin': call({
      description: 'Start uploading a package from the UI (at most 50 MiB), in chunks.',
      input: z.strictObject({ size: z.number().int().min(1) }),
      output: z.object({ uploadId: z.string() }),
    }),
    'packages.uploadChunk': call({
      description: 'One chunk of an upload, base64, in order (at most 512 KiB of data).',
      input: z.strictObject({ uploadId: z.string().max(64), offset: z.number().int().min(0), data: z.string().max(700_000) }),
      output: z.object({ received: z.number().int() }),
    }),
    'packages.uploadFinish': call({
      description: 'Finish an upload: the package is checked and staged.',
      input: z.strictObject({ uploadId: z.string().max(64) }),
      output: PackagePreview,
    }),
    'packages.discard': call({
      description: 'Forget a staged package the user declined.',
      input: z.strictObject({ stagingId: z.string().max(64) }),
      output: z.null(),
    }),
    'packages.install': call({
      description: 'Install a staged package (after the user saw its preview).',
      input: z.strictObject({ stagingId: z.string().max(64) }),
      output: PluginSummary,
    }),
    'catalog.list': call({
      description: 'Plugins the catalogs offer, with compatibility, installed version and updates.',
      input: NoInput,
      output: z.object({ plugins: z.array(AvailablePlugin), problems: z.array(z.object({ catalog: z.string(), error: z.string() })) }),
    }),
    'catalog.stage': call({
      description: "Download a catalog's plugin, check its sha256, and show what installing it would do.",
      input: z.strictObject({ name: z.string().max(128), version: z.string().max(64).optional() }),
      output: PackagePreview,
    }),
    'pipelines.dryRun': call({
      description: "What a source plugin's pipeline would do with one of its items (the newest, unless named), without running anything.",
      input: z.strictObject({ source: z.string().min(1).max(64), itemId: z.number().int().optional() }),
      output: PipelineDryRun,
    }),
    'pipelines.run': call({
      description: "Queue the pipeline of an item's source plugin for that item now.",
      input: z.strictObject({ itemId: z.number().int() }),
      output: JobSummary,
    }),
    'settings.get': call({
      description: 'The app preferences.',
      input: NoInput,
      output: AppSettings,
    }),
    'settings.update': call({
      description: 'Change some preferences; returns all of them.',
      input: AppSettingsPatch,
      output: AppSettings,
    }),
  },
  events: {
    'plugins.changed': event({
      description: 'The plugin list: sent once on subscribe, then whenever it changes.',
      params: NoInput,
      data: z.object({ plugins: z.array(PluginSummary) }),
    }),
    'jobs.updated': event({
      description: 'A job changed (state, attempts, result); at most ~10 a second per job.',
      params: NoInput,
      data: JobSummary,
      coalesce: { minIntervalMs: 100, key: (job) => job.id },
    }),
    'jobs.progress': event({
      description: 'Progress of running jobs (all, or one): at most ~10 updates a second per job, only changes.',
      params: z.strictObject({ jobId: z.string().max(64).optional() }),
      data: JobProgressEvent,
      coalesce: { minIntervalMs: 100, key: (event) => event.jobId },
    }),
    'jobs.counts': event({
      description: 'Jobs per state: sent on subscribe, then on change.',
      params: NoInput,
      data: JobCounts,
    }),
    'library.changed': event({
      description: 'An item was added, updated or deleted.',
      params: NoInput,
      data: z.object({ itemId: z.number().int(), change: z.enum(['added', 'updated', 'deleted']) }),
      delivery: 'all',
    }),
    'plugins.log': event({
      description: "Log records as plugins write them (one plugin's, or all).",
      params: z.strictObject({ name: z.string().max(128).optional() }),
      data: PluginLogRecord,
      delivery: 'all',
    }),
    'settings.changed': event({
      description: 'The app preferences: sent once on subscribe, then whenever they change.',
      params: NoInput,
      data: AppSettings,
    }),
  },
});

export type HavenContract = typeof havenContract;
