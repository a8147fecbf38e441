import { z } from 'zod';
import { RecordingProgress, type RecorderApi } from './recording';
import { DerivedFileInfo, type ProcessResultInput } from './processing';
import type { Disposable } from '../lifecycle';
import type { MessageHandler } from './messaging';

/** Something a plugin found or was given to archive. */
export const MediaSource = z.object({
  sourceId: z.string().min(1).max(512),
  mediaType: z.string().min(1).max(64),
  uri: z.string().min(1).max(8192),
  title: z.string().max(2000).optional(),
  metadata: z.record(z.string(), z.unknown()).default({}),
});
export type MediaSource = z.output<typeof MediaSource>;
export type MediaSourceInput = z.input<typeof MediaSource>;

export const ArchiveResult = z.object({
  success: z.boolean(),
  outputPath: z.string().optional(),
  fileSize: z.number().nonnegative().optional(),
  duration: z.number().nonnegative().optional(),
  error: z.string().optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});
export type ArchiveResult = z.output<typeof ArchiveResult>;

export const HealthStatus = z.enum(['pass', 'warn', 'fail']);
export type HealthStatus = z.infer<typeof HealthStatus>;

export const HealthCheckResult = z.object({
  status: HealthStatus,
  componentId: z.string().max(200),
  output: z.string().max(4000).optional(),
  version: z.string().max(200).optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type HealthCheckResult = z.output<typeof HealthCheckResult>;

/** A source discovery found; `addPaused` queues its job paused, for the user to start (a feed rule's "add paused"). */
export const DiscoveredSource = MediaSource.extend({ addPaused: z.boolean().optional() });
export type DiscoveredSource = z.output<typeof DiscoveredSource>;

export const DiscoveryResult = z.object({
  sources: z.array(DiscoveredSource).max(100_000),
  skipped: z.array(z.object({ source: MediaSource, reason: z.string().max(1000) })).max(100_000).default([]),
});
export type DiscoveryResult = z.output<typeof DiscoveryResult>;
export type DiscoveryResultInput = z.input<typeof DiscoveryResult>;

export const ProgressUpdate = z.object({
  phase: z.string().max(64).optional(),
  bytesDone: z.number().nonnegative().optional(),
  bytesTotal: z.number().nonnegative().optional(),
  speedBps: z.number().nonnegative().optional(),
  etaSeconds: z.number().nonnegative().optional(),
  percent: z.number().min(0).max(100).optional(),
  message: z.string().max(1000).optional(),
  /** A live recording's figures. */
  recording: RecordingProgress.optional(),
});
export type ProgressUpdate = z.infer<typeof ProgressUpdate>;

/** A file the archive already holds, handed to a PROCESS plugin. */
export const MediaItem = z.object({
  id: z.string(),
  plugin: z.string(),
  sourceId: z.string(),
  title: z.string().default(''),
  /** The original: a processor reads it and never changes it. */
  path: z.string(),
  mime: z.string().optional(),
  duration: z.number().optional(),
  metadata: z.record(z.string(), z.unknown()).default({}),
  /** The folder (made by Haven, empty at first) where this processor writes what it makes for this item. */
  derivedDir: z.string(),
  /** What earlier steps made for the item. */
  derived: z.array(DerivedFileInfo).default([]),
});
export type MediaItem = z.output<typeof MediaItem>;

export interface PluginLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** One unit of work a hook runs for: its id, cancellation and progress. */
export interface JobHandle {
  readonly id: string;
  /** Aborted when the job is cancelled or the plugin unloads. */
  readonly signal: AbortSignal;
  progress(update: ProgressUpdate): void;
}

export interface ScheduledTask {
  name: string;
  intervalMs: number;
  /** A random extra delay up to this, so many plugins do not run at the same instant. */
  jitterMs?: number;
  /** Wait one interval before the first run. */
  skipInitialRun?: boolean;
  /** Longest delay after repeated failures (default: 32 intervals). */
  maxBackoffMs?: number;
  /** Return false (or throw) to back off exponentially before the next run. */
  run(): unknown;
}

export interface StorageApi {
  get<T = unknown>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<void>;
  keys(): Promise<string[]>;
}

export interface EventBusApi {
  /**
   * Events from Core (`plugin.loaded`, `archive.completed`, `stream.started`, …) and the events
   * plugins declare; `name` is exact or a prefix ending in `.*`. `source` is `core` or the
   * emitting plugin. Handlers get events in the order they were published; undone on unload.
   */
  on(name: string, handler: (payload: unknown, source: string) => void): Disposable;
  /**
   * Publishes one of the events the manifest declares in `events.emits`; the payload must be
   * JSON (at most 256 KiB). Throws a HavenError at once (FORBIDDEN for a name the plugin did
   * not declare or one of Haven's, INVALID_INPUT or TOO_LARGE for the payload).
   */
  emit(name: string, payload?: unknown): void;
}

export interface HttpInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  signal?: AbortSignal;
  redirect?: 'follow' | 'error' | 'manual';
}

/** The parts of fetch's Response a plugin usually needs; the object is a real Response. */
export interface HttpResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly statusText: string;
  readonly url: string;
  readonly headers: { get(name: string): string | null };
  readonly body: unknown;
  text(): Promise<string>;
  json(): Promise<unknown>;
  arrayBuffer(): Promise<ArrayBuffer>;
}

export interface SpawnOptions {
  cwd?: string;
  env?: Record<string, string>;
  signal?: AbortSignal;
}

export interface SpawnedProcess {
  readonly pid: number | undefined;
  onStdout(listener: (chunk: string) => void): Disposable;
  onStderr(listener: (chunk: string) => void): Disposable;
  write(data: string): void;
  closeStdin(): void;
  kill(signal?: 'SIGTERM' | 'SIGINT' | 'SIGKILL'): void;
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
}

/** Everything a plugin may use. It sees nothing of Core beyond this. */
export interface PluginContext<Config> {
  readonly name: string;
  readonly version: string;
  readonly havenVersion: string;
  /** The current configuration, validated by the plugin's schema. */
  readonly config: Config;
  onConfigChange(listener: (config: Config, previous: Config) => void | Promise<void>): Disposable;
  readonly logger: PluginLogger;
  /** The plugin's own folder for files it keeps. */
  readonly dataDir: string;
  /** Where archived media goes unless the plugin's config says otherwise. */
  readonly outputDir: string;
  /**
   * Where Haven keeps programs it manages for plugins (HAVEN_HOME/bin). `which` and `spawn` look
   * here before PATH, so a plugin that installs a tool here is the first to find it.
   */
  readonly toolsDir: string;
  /** Key-value storage in Haven's database; survives restarts and reloads. */
  readonly storage: StorageApi;
  /** In-memory state; the keys named in `preserveOnReload` survive a hot reload. */
  readonly state: Record<string, unknown>;
  readonly events: EventBusApi;
  /**
   * Calls a declared dependency's `api` (started first if needed). Rejects with a HavenError:
   * FORBIDDEN for a plugin not declared in `dependencies`, NOT_FOUND for a function its api
   * lacks, TIMEOUT after 30 s, UNAVAILABLE when it crashed.
   */
  call<T = unknown>(plugin: string, method: string, ...args: unknown[]): Promise<T>;
  /**
   * Sends a JSON message (at most 256 KiB) to a plugin this one declares as a dependency or that
   * declares this one. Messages from one plugin to another arrive in order. Resolves once the
   * message is queued for the receiver (at most 100 per sender and receiver); while that queue
   * is full it waits for room, and rejects with BUSY if none comes within 30 s. FORBIDDEN for
   * any other plugin.
   */
  send(plugin: string, message: unknown): Promise<void>;
  /** Receives messages other plugins `send`; the next one from the same sender waits until this returns. Undone on unload. */
  onMessage(handler: MessageHandler): Disposable;
  /** fetch, limited to the hosts the manifest declares. */
  http(url: string, init?: HttpInit): Promise<HttpResponse>;
  /** The path of a binary the manifest declares, or undefined when it is not installed. */
  which(binary: string): Promise<string | undefined>;
  /** Starts a binary the manifest declares. */
  spawn(binary: string, args: readonly string[], options?: SpawnOptions): SpawnedProcess;
  /**
   * Makes a hard (or, with `symbolic`, a symbolic) link at `target` to `source`, which the plugin
   * sandbox does not let a plugin do itself. Needs `permissions.links`; `source` must be a file
   * the plugin may read, `target` a new name in a folder it may write. Resolves with the error
   * code (`EEXIST`, `EXDEV`, `EPERM` …) when the filesystem refuses, so the plugin can copy instead.
   */
  linkFile(source: string, target: string, options?: { symbolic?: boolean }): Promise<{ ok: true } | { ok: false; code: string; message: string }>;
  schedule(task: ScheduledTask): Disposable;
  /** Records live streams into crash-safe segments (the manifest must declare ffmpeg and ffprobe). */
  readonly recorder: RecorderApi;
  /**
   * Has Haven run this plugin's discovery as a job (joining one already waiting), as a scheduled
   * task would: new items become archive jobs, the rest are skipped with reasons. Resolves when
   * the job is done; rejects when it failed, so a scheduled task backs off.
   */
  discover(reason?: string): Promise<{ jobId: string; state: string }>;
  /** Registers something to undo when the plugin unloads. */
  onDispose(disposable: Disposable): void;
  /** Aborted when the plugin unloads. */
  readonly signal: AbortSignal;
}

export interface DiscoverOptions {
  /** Find what would be archived without changing anything. */
  dryRun: boolean;
}

/**
 * Something the user can ask a plugin to do from its page or `haven plugins action` (update a
 * tool, import a file). It runs outside any job; its text result is shown to the user.
 */
export interface PluginAction {
  label: string;
  description?: string;
  /** One line of text to ask for first (a path, a URL). */
  input?: { label: string; placeholder?: string; required?: boolean };
  /** Returns what to tell the user (undefined: "done"). */
  run(input: string | undefined): string | undefined | Promise<string | undefined>;
}

/** How an action is described to Core and the UI. */
export const ActionInfo = z.object({
  id: z.string().max(64),
  label: z.string().max(200),
  description: z.string().max(2000).optional(),
  input: z.object({ label: z.string().max(200), placeholder: z.string().max(500).optional(), required: z.boolean().optional() }).optional(),
});
export type ActionInfo = z.infer<typeof ActionInfo>;

/** How a view's cell is shown: numbers are formatted by the UI (bytes, B/s, a ratio, seconds, a date). */
export const ViewColumnFormat = z.enum(['text', 'number', 'bytes', 'speed', 'ratio', 'duration', 'time']);

const viewId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'lowercase letters, digits and "-"');

/** How a view is described to Core and the UI. */
export const ViewInfo = z.object({
  id: viewId,
  title: z.string().max(100),
  description: z.string().max(2000).optional(),
  empty: z.string().max(500).optional(),
  columns: z.array(z.object({ id: z.string().max(64), label: z.string().max(100), format: ViewColumnFormat.default('text') })).min(1).max(16),
  rowActions: z.array(z.object({ id: viewId, label: z.string().max(100), confirm: z.string().max(500).optional(), danger: z.boolean().optional() })).max(8).default([]),
});
export type ViewInfo = z.infer<typeof ViewInfo>;

/** One row of a view: its cells by column id, and the ids of the row actions that apply to it. */
export const ViewRow = z.object({
  id: z.string().min(1).max(256),
  cells: z.record(z.string().max(64), z.union([z.string().max(2000), z.number(), z.null()])),
  actions: z.array(viewId).max(8).default([]),
});
export type ViewRow = z.infer<typeof ViewRow>;
export const VIEW_MAX_ROWS = 1000;

/**
 * A live table a plugin shows on its page and through `haven plugins view` (what is seeding, what
 * is live). The UI asks for the rows while the view is open; row actions act on one row.
 */
export interface PluginView {
  title: string;
  description?: string;
  /** What an empty view says. */
  empty?: string;
  columns: { id: string; label: string; format?: z.infer<typeof ViewColumnFormat> }[];
  rows(): z.input<typeof ViewRow>[] | Promise<z.input<typeof ViewRow>[]>;
  rowActions?: Record<string, { label: string; confirm?: string; danger?: boolean; run(rowId: string): string | undefined | Promise<string | undefined> }>;
}

/** What a plugin implements; every hook is optional. */
export interface PluginHooks {
  initialize?(): void | Promise<void>;
  shutdown?(): void | Promise<void>;
  /** Persist what must survive a crash; called on a schedule and before shutdown. */
  save?(): void | Promise<void>;
  healthCheck?(): HealthCheckResult | Promise<HealthCheckResult>;
  /** `job` is there when discovery runs as a job (cancel it with `job.signal`). */
  discoverSources?(options: DiscoverOptions, job?: JobHandle): DiscoveryResultInput | Promise<DiscoveryResultInput>;
  archive?(source: MediaSource, job: JobHandle): ArchiveResult | Promise<ArchiveResult>;
  record?(source: MediaSource, job: JobHandle): ArchiveResult | Promise<ArchiveResult>;
  metadata?(source: MediaSource): Record<string, unknown> | Promise<Record<string, unknown>>;
  /** PROCESS plugins: make derived files (thumbnails, normalised audio) from an archived item, in `item.derivedDir`. */
  process?(item: MediaItem, job: JobHandle): ProcessResultInput | Promise<ProcessResultInput>;
  /** Functions other plugins that declare this one as a dependency may call. */
  api?: Record<string, (...args: never[]) => unknown>;
  /** Things the user can run from the plugin's page; keys are the action ids. */
  actions?: Record<string, PluginAction>;
  /** Tables shown on the plugin's page; keys are the view ids. */
  views?: Record<string, PluginView>;
}

export const HOOK_NAMES = [
  'initialize',
  'shutdown',
  'save',
  'healthCheck',
  'discoverSources',
  'archive',
  'record',
  'metadata',
  'process',
] as const;
export type HookName = (typeof HOOK_NAMES)[number];
