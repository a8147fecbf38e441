import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ConfigIssue, PluginConfigView, PluginDetail, PluginHealthReport, PluginState, PluginSummary } from '@shared/domain/plugins';
import { HavenError, isHavenError } from '@shared/ipc/errors';
import { StreamCoalescer } from '@shared/ipc/coalesce';
import { DisposableObject, Emitter, toDisposable, type Disposable } from '@shared/lifecycle';
import type { Capability } from '@shared/sdk/capabilities';
import { pluginShortId } from '@shared/sdk/manifest';
import { ProcessResult } from '@shared/sdk/processing';
import {
  ArchiveResult,
  DiscoveryResult,
  HealthCheckResult,
  MediaSource,
  type MediaItem,
  type ActionInfo,
  type ViewInfo,
  type ViewRow,
  type HookName,
  type ProgressUpdate,
} from '@shared/sdk/types';
import type { EventBus } from '../events/bus';
import { emitRefusal } from '../events/bus';
import { MESSAGE_MAX_BYTES, toJsonValue } from '@shared/sdk/messaging';
import type { HavenPaths } from '../home';
import type { Logger } from '../log';
import type { CallHandlers, EventHandlers } from '../ipc/router';
import type { PluginCatalog } from './catalog';
import { planDependencies, type DependencyPlan } from './dependencies';
import type { DiscoveredPlugin } from './discovery';
import type { CoreContract, HostDescription } from './host/contracts';
import { DEFAULT_HOST_TIMEOUTS, HostConnection, type HostExit, type HostTimeouts } from './hostConnection';
import { MessageQueues } from './messages';
import { cleanEnvironment, type ProcessLauncher } from './launcher';
import type { PluginLogBook } from './pluginLogs';
import type { PluginStore, StoredHealth } from './pluginStore';
import { redactConfig, scrub, scrubValue, secretPaths, secretValues } from './secrets';
import { allowsRead, declaredFolders, expandFolder, isInside, unsafeFolder, permissionFlags, planSandbox, samePlan, SANDBOX_REFUSAL, type SandboxPlan } from './sandbox';
import { sourceForPlugin } from './sources';

export interface RuntimeTimeouts {
  loadMs: number;
  startMs: number;
  healthMs: number;
  apiMs: number;
  /** How long ctx.send waits for room in a full queue before it fails with BUSY. */
  messageWaitMs: number;
  saveIntervalMs: number;
  /** How often running plugins are health-checked in the background (desktop and serve). */
  healthIntervalMs: number;
  /**
   * How long a processor that starts on demand may sit without work before its process is
   * stopped (desktop and serve; 0: never). It starts again when a pipeline needs it.
   */
  idleStopMs: number;
  host: HostTimeouts;
}

export interface RestartPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
  /** Crashes within windowMs after which Haven stops restarting the plugin. */
  maxCrashes: number;
  windowMs: number;
}

/** Files and folders added to one plugin's sandbox at run time (user-named files, originals) kept at most. */
const MAX_EXTRA_READ = 64;

/** A file the user names for a job is copied to the plugin up to this size, opened to it above. */
const MAX_SHARED_COPY_BYTES = 64 * 1024 * 1024;

export interface PluginRuntimeOptions {
  catalog: PluginCatalog;
  store: PluginStore;
  bus: EventBus;
  logs: PluginLogBook;
  logger: Logger;
  launcher: ProcessLauncher;
  hostEntry: string;
  paths: HavenPaths;
  havenVersion: string;
  /** Start enabled plugins as soon as they are found (desktop and serve); the CLI starts them on demand. */
  autoStart: boolean;
  /** Heap limit of a plugin process in MiB when its manifest sets none (read at each start). */
  defaultHeapMb?: () => number;
  timeouts?: Partial<Omit<RuntimeTimeouts, 'host'>> & { host?: Partial<HostTimeouts> };
  restart?: Partial<RestartPolicy>;
  /**
   * Run plugin hosts under Node's permission model (default). Off only for debugging a plugin
   * (`HAVEN_PLUGIN_SANDBOX=off`), or where the launcher cannot pass the flags.
   */
  sandbox?: boolean;
  /** Folders outside the plugins' own where library items live (imported archives). */
  importedFolders?: () => string[];
}

export interface ProgressEvent {
  plugin: string;
  jobId: string;
  update: ProgressUpdate;
}

interface Entry {
  key: string;
  discovered: DiscoveredPlugin;
  state: PluginState;
  reason?: string;
  conn?: HostConnection;
  description?: HostDescription;
  api: string[];
  hooks: HookName[];
  actions: ActionInfo[];
  views: ViewInfo[];
  restarts: number;
  crashTimes: number[];
  restartTimer?: ReturnType<typeof setTimeout>;
  nextRestartAt?: number;
  starting?: Promise<void>;
  stopping?: Promise<void>;
  /** State a reload carries to the next start. */
  preserved?: Record<string, unknown>;
  lastExit?: HostExit;
  secrets: string[];
  configIssues: ConfigIssue[];
  /** Progress of this plugin's jobs, at most ~10 updates a second per job. */
  progress: StreamCoalescer<ProgressEvent>;
  /** What the running process may touch (undefined when not sandboxed or not running). */
  sandbox?: SandboxPlan;
  /** Files and folders opened to the plugin at run time (user-named files, originals' folders). */
  extraRead: Set<string>;
  /** Of those, the folders of originals Haven handed a processor: media it may link to. */
  handedMedia: Set<string>;
  /** Every folder it could write since Core started: where its outputs may be. */
  writtenRoots: Set<string>;
  /** Whether the copies of user-named files of an earlier run were removed. */
  inboxCleared?: boolean;
  sandboxChange?: Promise<void>;
  /** Shared by ctx.logger and the process output: a flood is cut, not stored. */
  logLimit: () => 'keep' | 'drop' | 'resume';
  /** Hooks running now, and when one last began or ended (idle processors are stopped). */
  busy: number;
  lastUsedAt: number;
}

const HOOK_CAPABILITY: Partial<Record<HookName, Capability>> = {
  discoverSources: 'DISCOVER',
  archive: 'ARCHIVE',
  record: 'STREAM',
  metadata: 'METADATA',
  process: 'PROCESS',
};

const MAX_OUTPUT_LINES_PER_SECOND = 200;
/** At quit a plugin gets this long to save, then its shutdown hook runs. */
const SHUTDOWN_SAVE_MS = 3000;

/**
 * Runs plugins: one host process each, started in dependency order, watched by a heartbeat,
 * restarted with backoff after a crash, stopped with a deadline. Owns enable/disable,
 * configuration, health checks, hot reload and calls between plugins.
 */
export class PluginRuntime extends DisposableObject {
  private discoveryRequester?: (plugin: string, reason: string) => Promise<{ id: string; state: string }>;
  private readonly entries = new Map<string, Entry>();
  private plan: DependencyPlan = { order: [], blocked: new Map(), dependents: new Map() };
  private readonly changed = this.register(new Emitter<PluginSummary[]>());
  readonly onDidChange = this.changed.event;
  private readonly progressEmitter = this.register(new Emitter<ProgressEvent>());
  readonly onProgress = this.progressEmitter.event;
  private changeQueued = false;
  private disposed = false;
  private readonly timeouts: RuntimeTimeouts;
  private readonly restartPolicy: RestartPolicy;
  private readonly messages: MessageQueues;

  constructor(private readonly options: PluginRuntimeOptions) {
    super();
    this.timeouts = {
      loadMs: 15_000,
      startMs: 30_000,
      healthMs: 10_000,
      apiMs: 30_000,
      messageWaitMs: 30_000,
      saveIntervalMs: 5 * 60_000,
      healthIntervalMs: 10 * 60_000,
      idleStopMs: 10 * 60_000,
      ...options.timeouts,
      host: { ...DEFAULT_HOST_TIMEOUTS, ...options.timeouts?.host },
    };
    this.restartPolicy = { baseDelayMs: 1000, maxDelayMs: 60_000, maxCrashes: 5, windowMs: 10 * 60_000, ...options.restart };
    this.messages = new MessageQueues({
      waitMs: this.timeouts.messageWaitMs,
      deliver: (from, to, message) => this.deliverMessage(from, to, message),
      onUndelivered: (from, to, error) => {
        const message = `a message from ${from} to ${to} was not handled: ${isHavenError(error) || error instanceof Error ? error.message : String(error)}`;
        this.options.logs.write({ time: new Date().toISOString(), plugin: to, level: 'warn', message: scrub(message, this.entries.get(to)?.secrets ?? []) });
      },
    });
    this.register(toDisposable(() => this.messages.dispose()));
    this.register(options.catalog.onDidChange(() => this.sync()));
    const saveTimer = setInterval(() => void this.saveAll(), this.timeouts.saveIntervalMs);
    saveTimer.unref();
    this.register(toDisposable(() => clearInterval(saveTimer)));
    if (options.autoStart) {
      const healthTimer = setInterval(() => void this.healthOfRunning(), this.timeouts.healthIntervalMs);
      healthTimer.unref();
      this.register(toDisposable(() => clearInterval(healthTimer)));
      if (this.timeouts.idleStopMs > 0) {
        const idleTimer = setInterval(() => this.stopIdleProcessors(), Math.min(60_000, Math.max(50, this.timeouts.idleStopMs / 4)));
        idleTimer.unref();
        this.register(toDisposable(() => clearInterval(idleTimer)));
      }
    }
    this.sync();
  }

  // ----- what clients see -----

  list(): PluginSummary[] {
    return [...this.entries.values()].map((entry) => this.summarize(entry));
  }

  info(ref: string): PluginDetail {
    const entry = this.resolve(ref);
    const history = this.options.store.healthHistory(entry.key).map(toPluginHealth);
    return { ...this.summarize(entry), hooks: entry.hooks, api: entry.api, actions: entry.actions, views: entry.views, healthHistory: history };
  }

  /** A plugin by manifest name or short id, case-insensitive. */
  resolve(ref: string): Entry {
    const wanted = ref.toLowerCase();
    for (const entry of this.entries.values()) {
      if (!entry.discovered.manifest) continue;
      const { name } = entry.discovered.manifest;
      if (name.toLowerCase() === wanted || pluginShortId(name) === wanted) return entry;
    }
    const known = [...this.entries.values()].filter((e) => e.discovered.manifest).map((e) => e.key);
    throw new HavenError('NOT_FOUND', `no plugin named ${ref}${known.length ? ` (installed: ${known.join(', ')})` : ''}`);
  }

  /**
   * The plugin that archives a URL: the first usable plugin (installed before built-in) whose
   * urlPatterns match and that can archive or record.
   */
  routeUrl(url: string): { plugin: string; kind: 'archive' | 'record' } {
    for (const entry of this.entries.values()) {
      const manifest = entry.discovered.manifest;
      if (!manifest || ['invalid', 'blocked', 'disabled'].includes(entry.state)) continue;
      const kind = manifest.capabilities.includes('ARCHIVE') ? 'archive' : manifest.capabilities.includes('STREAM') ? 'record' : undefined;
      if (!kind) continue;
      if (manifest.urlPatterns.some((pattern) => new RegExp(pattern, 'i').test(url))) return { plugin: entry.key, kind };
    }
    throw new HavenError('NOT_FOUND', `no enabled plugin claims ${url}: choose one with --plugin (see \`haven plugins list\`)`);
  }

  /** A hand-given URL's source as this plugin names it (its manifest's `sourceIds`). */
  sourceFor(ref: string, source: MediaSource): MediaSource {
    return sourceForPlugin(source, this.resolve(ref).discovered.manifest?.sourceIds ?? []);
  }

  /** archive or record, by what the plugin declares. */
  kindFor(ref: string): 'archive' | 'record' {
    const entry = this.resolve(ref);
    const capabilities = entry.discovered.manifest!.capabilities;
    if (capabilities.includes('ARCHIVE')) return 'archive';
    if (capabilities.includes('STREAM')) return 'record';
    throw new HavenError('FORBIDDEN', `${entry.key} can neither archive nor record`);
  }

  // ----- lifecycle -----

  async startAll(): Promise<void> {
    for (const level of this.levels()) {
      await Promise.all(level.filter((key) => !this.startsOnDemand(key)).map((key) => this.start(key).catch(() => undefined)));
    }
  }

  /**
   * Processors (PROCESS and nothing else, and no plugin depending on them) start when a pipeline
   * first needs them: five idle ffmpeg wrappers need not hold five processes.
   */
  private startsOnDemand(key: string): boolean {
    const manifest = this.entries.get(key)?.discovered.manifest;
    if (!manifest || manifest.capabilities.length === 0 || !manifest.capabilities.every((capability) => capability === 'PROCESS')) return false;
    return ![...this.entries.values()].some((other) => Object.keys(other.discovered.manifest?.dependencies ?? {}).some((dep) => dep.toLowerCase() === manifest.name.toLowerCase()));
  }

  async enable(ref: string): Promise<PluginSummary> {
    const entry = this.resolve(ref);
    this.assertLoadable(entry);
    const disabledDeps = this.disabledDependencies(entry);
    if (disabledDeps.length > 0) {
      throw new HavenError('CONFLICT', `${entry.key} needs ${disabledDeps.join(', ')}, which ${disabledDeps.length > 1 ? 'are' : 'is'} disabled: enable ${disabledDeps.length > 1 ? 'them' : 'it'} first`);
    }
    this.options.store.setEnabled(entry.key, true);
    this.resetLifecycle(entry);
    this.options.bus.publish('plugin.enabled', { plugin: entry.key });
    if (this.options.autoStart) await this.start(entry.key).catch(() => undefined);
    return this.summarize(entry);
  }

  async disable(ref: string): Promise<PluginSummary> {
    const entry = this.resolve(ref);
    // Off first, so nothing (a dependent's call, a health check, a rescan) starts it meanwhile.
    this.options.store.setEnabled(entry.key, false);
    this.clearRestart(entry);
    await Promise.all(this.transitiveDependents(entry.key).map((dependent) => this.stop(dependent)));
    await this.stop(entry.key);
    this.resetLifecycle(entry);
    this.options.bus.publish('plugin.disabled', { plugin: entry.key });
    return this.summarize(entry);
  }

  /** Starts a plugin (and its dependencies first). Resolves when it runs; rejects with the reason. */
  async start(ref: string): Promise<void> {
    const entry = this.resolve(ref);
    if (entry.stopping) await entry.stopping;
    if (entry.state === 'running' && entry.conn) return;
    if (entry.starting) return entry.starting;
    this.assertLoadable(entry);
    if (!this.isEnabled(entry)) throw new HavenError('CONFLICT', `${entry.key} is disabled: enable it first`);
    const disabledDeps = this.disabledDependencies(entry);
    if (disabledDeps.length > 0) throw new HavenError('CONFLICT', `${entry.key} needs ${disabledDeps.join(', ')}, which is disabled`);
    entry.starting = this.launch(entry).finally(() => {
      entry.starting = undefined;
    });
    return entry.starting;
  }

  /** Stops a plugin's process: save, shutdown hook, then the process ends. Concurrent calls share one stop. */
  stop(ref: string, saveTimeoutMs = this.timeouts.apiMs): Promise<void> {
    const entry = this.resolve(ref);
    if (entry.stopping) return entry.stopping;
    entry.stopping = (async () => {
      this.clearRestart(entry);
      if (entry.starting) await entry.starting.catch(() => undefined);
      const conn = entry.conn;
      if (!conn) return;
      this.setState(entry, 'stopping');
      await this.invokeSave(entry, saveTimeoutMs).catch(() => undefined);
      await conn.stop();
      conn.dispose();
      if (entry.conn === conn) entry.conn = undefined;
      this.clearRestart(entry);
      if (entry.state === 'stopping') entry.state = 'stopped';
      this.options.bus.publish('plugin.unloaded', { plugin: entry.key, reason: 'stopped' });
    })().finally(() => {
      entry.stopping = undefined;
      this.refreshStates();
    });
    return entry.stopping;
  }

  /**
   * Hot reload, and the way back from `failed`: keep ctx.storage and the preserveOnReload state,
   * restart the process with the current code.
   */
  async reload(ref: string): Promise<PluginSummary> {
    const entry = this.resolve(ref);
    if (entry.conn && entry.state === 'running') {
      // Whoever starts the plugin next (this reload, or a caller meanwhile) gets this state.
      const conn = entry.conn;
      entry.preserved = await this.working(entry, () => conn.client.call('host.snapshotState', {}, { timeoutMs: this.timeouts.apiMs }), false)
        .then((r) => r.state)
        .catch(() => ({}));
    }
    await this.stop(entry.key);
    this.resetLifecycle(entry);
    if (this.isEnabled(entry) && entry.state === 'stopped') await this.start(entry.key).catch(() => undefined);
    this.options.bus.publish('plugin.reloaded', { plugin: entry.key });
    return this.summarize(entry);
  }

  /** Forget crashes and sticky states (crashed, failed, needs-config): the user acted. */
  private resetLifecycle(entry: Entry): void {
    this.clearRestart(entry);
    entry.crashTimes = [];
    if (!entry.conn && !entry.starting && ['crashed', 'failed', 'needs-config', 'stopping'].includes(entry.state)) entry.state = 'stopped';
    this.refreshStates();
  }

  /** Drops what Haven keeps about a plugin (on uninstall, when the user asks). */
  forgetData(ref: string): void {
    const key = this.entries.get(ref)?.key ?? ref;
    this.options.store.forget(key);
  }

  // ----- configuration -----

  async getConfig(ref: string): Promise<PluginConfigView> {
    const entry = this.resolve(ref);
    const schema = await this.schemaOf(entry);
    const stored = this.options.store.getConfig(entry.key);
    const checked = schema ? await this.validateWith(entry, stored) : undefined;
    // The effective values (defaults filled in) when the stored config is valid; as stored otherwise.
    const effective = checked?.ok ? checked.config : stored;
    const redacted = redactConfig(effective, schema ? secretPaths(schema) : []);
    return { schema: schema ?? null, values: redacted.values, secrets: redacted.secrets, issues: checked && !checked.ok ? checked.issues : [] };
  }

  async setConfig(
    ref: string,
    values: Record<string, unknown>,
    replace: boolean,
  ): Promise<{ ok: true; config: PluginConfigView } | { ok: false; issues: ConfigIssue[] }> {
    const entry = this.resolve(ref);
    const schema = await this.schemaOf(entry);
    if (!schema) throw new HavenError('UNAVAILABLE', `${entry.key} could not be loaded to read its settings`);
    const stored = this.options.store.getConfig(entry.key);
    const secrets = secretPaths(schema);
    const candidate: Record<string, unknown> = replace ? structuredClone(values) : { ...stored, ...structuredClone(values) };
    // A secret the client did not send keeps its stored value (clients never see it), at any depth.
    for (const secret of secrets) restoreSecret(candidate, stored, values, secret);
    const known = new Set(Object.keys((schema.properties as Record<string, unknown> | undefined) ?? {}));
    const unknownKeys = Object.keys(values).filter((key) => !known.has(key));
    if (unknownKeys.length > 0 && schema.additionalProperties === false) {
      return { ok: false, issues: unknownKeys.map((key) => ({ path: key, message: `unknown setting (known: ${[...known].join(', ')})` })) };
    }
    const result = await this.validateWith(entry, candidate);
    if (!result.ok) return result;
    const folderIssues = this.unsafeFolderSettings(entry, result.config);
    if (folderIssues.length > 0) return { ok: false, issues: folderIssues };
    this.options.store.setConfig(entry.key, candidate);
    entry.secrets = secretValues(result.config, secrets);
    entry.configIssues = [];
    if (entry.conn && entry.state === 'running' && entry.sandbox && !samePlan(entry.sandbox, this.sandboxPlan(entry))) {
      // A folder setting changed what the process may touch: it restarts with the new folders.
      await this.reload(entry.key).catch(() => undefined);
    } else if (entry.conn && entry.state === 'running') {
      await entry.conn.client.call('host.configChanged', { config: result.config }, { timeoutMs: this.timeouts.apiMs }).catch(() => undefined);
    } else if (entry.state === 'needs-config') {
      this.setState(entry, 'stopped');
      if (this.options.autoStart) void this.start(entry.key).catch(() => undefined);
    }
    this.options.bus.publish('plugin.configured', { plugin: entry.key });
    this.queueChange();
    return { ok: true, config: await this.getConfig(entry.key) };
  }

  // ----- health -----

  /** Health checks of the named (or all enabled) plugins, concurrently, each bounded by a timeout. */
  async health(refs?: readonly string[]): Promise<PluginHealthReport[]> {
    const targets = refs
      ? refs.map((ref) => this.resolve(ref))
      : [...this.entries.values()].filter((entry) => entry.discovered.manifest && this.isEnabled(entry));
    return Promise.all(targets.map((entry) => this.checkOne(entry)));
  }

  /**
   * Stops the process of each processor that starts on demand and has had no work (a hook
   * running, or one ended) for idleStopMs; health checks do not count as work.
   */
  private stopIdleProcessors(): void {
    const now = Date.now();
    for (const entry of this.entries.values()) {
      if (entry.state !== 'running' || !entry.conn || entry.starting || entry.stopping || entry.busy > 0) continue;
      if (now - entry.lastUsedAt < this.timeouts.idleStopMs || !this.startsOnDemand(entry.key)) continue;
      const idleMs = now - entry.lastUsedAt;
      const why = entry.lastUsedAt === 0 ? 'it was started without work (a health check, enabling or reloading it)' : `after ${idleMs >= 60_000 ? `${Math.round(idleMs / 60_000)} min` : formatDelay(idleMs)} without work`;
      this.options.logs.write({ time: new Date().toISOString(), plugin: entry.key, level: 'info', message: `stopped: ${why}; starts again when a pipeline needs it` });
      void this.stop(entry.key).catch(() => undefined);
    }
  }

  /** A call into the plugin's process that counts as work: the process is not stopped as idle meanwhile. */
  private async working<T>(entry: Entry, call: () => Promise<T>, work = true): Promise<T> {
    entry.busy++;
    if (work) entry.lastUsedAt = Date.now();
    try {
      return await call();
    } finally {
      entry.busy--;
      if (work) entry.lastUsedAt = Date.now();
    }
  }

  /** Starts a stopped plugin on demand; a crashed or failed one is reported, never rushed past its backoff. */
  private async ensureRunning(entry: Entry, work = true): Promise<void> {
    // A caller that needs the plugin is work: an idle processor is not stopped under it.
    if (work) entry.lastUsedAt = Date.now();
    if (entry.state === 'running' && entry.conn) return;
    if (entry.state === 'crashed' || entry.state === 'failed') {
      throw new HavenError('UNAVAILABLE', `${entry.key} is ${entry.state === 'crashed' ? 'restarting after a crash' : 'failed'}: ${entry.reason ?? ''}`);
    }
    await this.start(entry.key);
  }

  private async healthOfRunning(): Promise<void> {
    const running = [...this.entries.values()].filter((entry) => entry.state === 'running');
    await Promise.all(running.map((entry) => this.checkOne(entry).catch(() => undefined)));
  }

  private async checkOne(entry: Entry): Promise<PluginHealthReport> {
    const started = Date.now();
    let result: HealthCheckResult;
    try {
      await this.ensureRunning(entry, false);
      result = await this.withTimeout(this.callHealth(entry), this.timeouts.healthMs, `health check timed out after ${formatDelay(this.timeouts.healthMs)}`);
    } catch (error) {
      result = { status: 'fail', componentId: entry.key, output: this.explainNotRunning(entry, error) };
    }
    if (result.output) result = { ...result, output: scrub(result.output, entry.secrets) };
    const stored: StoredHealth = { result, checkedAt: new Date().toISOString(), durationMs: Date.now() - started };
    this.options.store.recordHealth(entry.key, stored);
    this.queueChange();
    return { name: entry.key, ...stored };
  }

  private async callHealth(entry: Entry): Promise<HealthCheckResult> {
    if (!entry.hooks.includes('healthCheck')) return { status: 'pass', componentId: entry.key, output: 'running' };
    // The caller's own timeout decides; this one only keeps the call from lingering after it.
    const raw = await this.invokeOn(entry, 'healthCheck', [], { timeoutMs: this.timeouts.healthMs + 5000 });
    const parsed = HealthCheckResult.safeParse(raw);
    if (!parsed.success) return { status: 'fail', componentId: entry.key, output: `healthCheck returned an invalid result: ${parsed.error.issues[0]?.message}` };
    return parsed.data;
  }

  // ----- running hooks -----

  /** Runs a hook, starting the plugin first if needed; results are checked against the SDK's schemas. */
  async invoke(ref: string, hook: HookName, args: unknown[], options: { jobId?: string; timeoutMs?: number } = {}): Promise<unknown> {
    const entry = this.resolve(ref);
    const capability = HOOK_CAPABILITY[hook];
    if (capability && !entry.discovered.manifest!.capabilities.includes(capability)) {
      throw new HavenError('FORBIDDEN', `${entry.key} does not declare the ${capability} capability`);
    }
    await this.ensureRunning(entry);
    if (!entry.hooks.includes(hook)) throw new HavenError('NOT_IMPLEMENTED', `${entry.key} does not implement ${hook}`);
    const raw = await this.invokeOn(entry, hook, args, options);
    return this.checkResult(entry, hook, raw);
  }

  /** A discovery run; with a job id it can be cancelled like any job. */
  async discover(ref: string, dryRun: boolean, jobId?: string): Promise<DiscoveryResult> {
    return (await this.invoke(ref, 'discoverSources', [{ dryRun }], { timeoutMs: 10 * 60_000, ...(jobId ? { jobId } : {}) })) as DiscoveryResult;
  }

  /** Runs a PROCESS plugin on one archived item (`item` already built by Core). */
  async process(ref: string, item: MediaItem, jobId: string): Promise<ProcessResult> {
    // The original (its folder: sidecars) and what other processors made from it.
    const entry = this.resolve(ref);
    const handed = [item.path, ...item.derived.map((file) => file.path)];
    for (const file of handed) entry.handedMedia.add(path.dirname(path.resolve(file)));
    keepNewest(entry.handedMedia, MAX_EXTRA_READ);
    await this.allowRead(entry, handed, 'folder');
    return (await this.invoke(ref, 'process', [item], { jobId, timeoutMs: 24 * 3600_000 })) as ProcessResult;
  }

  async archive(ref: string, source: MediaSource, jobId: string): Promise<ArchiveResult> {
    return (await this.invoke(ref, 'archive', [MediaSource.parse(source)], { jobId, timeoutMs: 7 * 24 * 3600_000 })) as ArchiveResult;
  }

  /** How `ctx.discover` reaches the job queue, which is built after the runtime. */
  setDiscoveryRequester(requester: (plugin: string, reason: string) => Promise<{ id: string; state: string }>): void {
    this.discoveryRequester = requester;
  }

  /** The actions a plugin offers (it is started to learn them). */
  async actions(ref: string): Promise<ActionInfo[]> {
    const entry = this.resolve(ref);
    await this.ensureRunning(entry);
    return entry.actions;
  }

  /**
   * Whether a file a plugin reports as its output lies where it may write. Core records and
   * serves what a plugin reports, and writes a sidecar beside it, so an output elsewhere (the
   * database, a key file) is refused even before the sandbox would stop a write there.
   */
  isOwnOutput(ref: string, file: string): boolean {
    if (this.options.sandbox === false) return true;
    const entry = this.resolve(ref);
    let real: string;
    try {
      real = fs.realpathSync(file);
    } catch {
      real = path.resolve(file);
    }
    // Any folder it could write during this run counts: a folder setting changed meanwhile.
    const roots = [...(entry.sandbox ?? this.sandboxPlan(entry)).write, ...entry.writtenRoots];
    return roots.some((root) => isInside(real, root) || isInside(path.resolve(file), root));
  }

  /**
   * A local file the user named for a job of this plugin (a .torrent, an SDP file), where the
   * plugin may read it: as it is when it may already, else a copy in its data folder (same name,
   * removed by `dispose`), so no running job is interrupted; a file too big to copy is opened to
   * the plugin instead, restarting it if it runs.
   */
  async shareUserFile(ref: string, file: string, jobId: string): Promise<{ path: string; dispose(): void }> {
    const entry = this.resolve(ref);
    const kept = { path: file, dispose: () => undefined };
    if (this.options.sandbox === false || allowsRead(entry.sandbox ?? this.sandboxPlan(entry), file)) return kept;
    const stat = await fs.promises.stat(file).catch(() => undefined);
    if (!stat?.isFile() || stat.size > MAX_SHARED_COPY_BYTES) {
      await this.allowRead(entry, [file], 'file');
      return kept;
    }
    this.clearInbox(entry);
    const inbox = path.join(this.options.paths.pluginData, pluginShortId(entry.discovered.manifest!.name), 'inbox', jobId.replace(/[^A-Za-z0-9_-]/g, '_'));
    await fs.promises.mkdir(inbox, { recursive: true });
    const copy = path.join(inbox, path.basename(file));
    await fs.promises.copyFile(file, copy);
    return { path: copy, dispose: () => fs.rmSync(inbox, { recursive: true, force: true }) };
  }

  /** Runs one of the plugin's user actions (updating a tool can take minutes). */
  async runAction(ref: string, action: string, input?: string): Promise<string> {
    const entry = this.resolve(ref);
    // A file the user names (an archive list to import) is theirs to share with the plugin.
    if (input && path.isAbsolute(input.trim())) await this.allowRead(entry, [input.trim()], 'file');
    await this.ensureRunning(entry);
    if (!entry.actions.some((a) => a.id === action)) {
      const offered = entry.actions.map((a) => a.id).join(', ');
      throw new HavenError('NOT_FOUND', `${entry.key} has no action ${action}${offered ? ` (it offers: ${offered})` : ''}`);
    }
    const conn = entry.conn!;
    try {
      const { message } = await this.working(entry, () => conn.client.call('host.runAction', { action, ...(input !== undefined ? { input } : {}) }, { timeoutMs: 15 * 60_000 }));
      return scrub(message, entry.secrets);
    } catch (error) {
      throw await this.explainCallError(entry, conn, `action ${action}`, error);
    }
  }

  /** The rows of one of a plugin's views, secrets scrubbed. */
  async viewRows(ref: string, view: string): Promise<ViewRow[]> {
    const { entry, conn } = await this.runningView(ref, view);
    try {
      const { rows } = await this.working(entry, () => conn.client.call('host.viewRows', { view }, { timeoutMs: this.timeouts.apiMs }));
      // A row whose id holds a secret is not shown (its id travels to clients and back).
      return rows
        .filter((row) => scrub(row.id, entry.secrets) === row.id)
        .map((row) => ({ ...row, cells: Object.fromEntries(Object.entries(row.cells).map(([key, value]) => [key, typeof value === 'string' ? scrub(value, entry.secrets) : value])) }));
    } catch (error) {
      throw await this.explainCallError(entry, conn, `view ${view}`, error);
    }
  }

  async viewAction(ref: string, view: string, action: string, row: string): Promise<string> {
    const { entry, conn, info } = await this.runningView(ref, view);
    if (!info.rowActions.some((a) => a.id === action)) throw new HavenError('NOT_FOUND', `${entry.key}'s view ${view} has no action ${action}`);
    try {
      const { message } = await this.working(entry, () => conn.client.call('host.viewAction', { view, action, row }, { timeoutMs: 5 * 60_000 }));
      return scrub(message, entry.secrets);
    } catch (error) {
      throw await this.explainCallError(entry, conn, `${view} ${action}`, error);
    }
  }

  private async runningView(ref: string, view: string): Promise<{ entry: Entry; conn: HostConnection; info: ViewInfo }> {
    const entry = this.resolve(ref);
    await this.ensureRunning(entry);
    const info = entry.views.find((v) => v.id === view);
    if (!info) {
      const offered = entry.views.map((v) => v.id).join(', ');
      throw new HavenError('NOT_FOUND', `${entry.key} has no view ${view}${offered ? ` (it shows: ${offered})` : ''}`);
    }
    return { entry, conn: entry.conn!, info };
  }

  async cancel(ref: string, jobId: string): Promise<boolean> {
    const entry = this.resolve(ref);
    if (!entry.conn) return false;
    return (await entry.conn.client.call('host.cancel', { jobId }, { timeoutMs: this.timeouts.apiMs })).found;
  }

  private checkResult(entry: Entry, hook: HookName, raw: unknown): unknown {
    const schema =
      hook === 'discoverSources'
        ? DiscoveryResult
        : hook === 'archive' || hook === 'record'
          ? ArchiveResult
          : hook === 'process'
            ? ProcessResult
          : hook === 'healthCheck'
            ? HealthCheckResult
            : undefined;
    if (!schema) return raw;
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new HavenError('INVALID_OUTPUT', `${entry.key}.${hook} returned an invalid result (${issue?.path.join('.') || 'result'}: ${issue?.message})`);
    }
    return parsed.data;
  }

  private async invokeOn(entry: Entry, hook: HookName, args: unknown[], options: { jobId?: string; timeoutMs?: number }): Promise<unknown> {
    const conn = entry.conn;
    if (!conn) throw new HavenError('UNAVAILABLE', `${entry.key} is not running (${entry.reason ?? entry.state})`);
    try {
      const { result } = await this.working(
        entry,
        () => conn.client.call('host.invoke', { hook, args, ...(options.jobId ? { jobId: options.jobId } : {}) }, { timeoutMs: options.timeoutMs ?? this.timeouts.apiMs }),
        hook !== 'healthCheck',
      );
      return result;
    } catch (error) {
      throw await this.explainCallError(entry, conn, hook, error);
    } finally {
      // The last progress of a finished job is delivered now, not after the throttle interval.
      if (options.jobId) entry.progress.forget(options.jobId);
    }
  }

  /** A call that failed because the process died is reported as the crash, with its reason. */
  private async explainCallError(entry: Entry, conn: HostConnection, what: string, error: unknown): Promise<HavenError> {
    const base = isHavenError(error) ? error : new HavenError('INTERNAL', String(error));
    const own = new HavenError(base.code, scrub(base.message.replace(/^host\.\w+: /, ''), entry.secrets));
    if (own.message.includes(SANDBOX_REFUSAL) && entry.logLimit() !== 'drop') {
      this.options.logs.write({ time: new Date().toISOString(), plugin: entry.key, level: 'error', message: `${what}: ${own.message}` });
      this.options.logger.warn('plugin sandbox refused an operation', { plugin: entry.key, message: own.message });
    }
    // Only a call that lost its process is a crash; UNAVAILABLE from the plugin itself is its answer.
    const lostProcess = !conn.isAlive || /connection to Core closed|not connected to Core/.test(base.message);
    if (!lostProcess) return own;
    const exit = await new Promise<HostExit | undefined>((resolve) => {
      if (!conn.isAlive) {
        resolve(entry.lastExit);
        return;
      }
      const timer = setTimeout(() => {
        sub.dispose();
        resolve(undefined);
      }, 2000);
      const sub = conn.onDidExit((info) => {
        clearTimeout(timer);
        sub.dispose();
        resolve(info);
      });
    });
    return new HavenError('UNAVAILABLE', scrub(`${entry.key} crashed while running ${what}: ${exit?.reason ?? base.message}`, entry.secrets));
  }

  // ----- between plugins -----

  private async callApi(callerKey: string, targetRef: string, method: string, args: unknown[]): Promise<unknown> {
    const caller = this.resolve(callerKey);
    const declared = Object.keys(caller.discovered.manifest!.dependencies).map((name) => name.toLowerCase());
    let target: Entry;
    try {
      target = this.resolve(targetRef);
    } catch {
      throw new HavenError('FORBIDDEN', `${callerKey} may call only the plugins it declares as dependencies; ${targetRef} is not one of them`);
    }
    if (!declared.includes(target.key.toLowerCase())) {
      throw new HavenError('FORBIDDEN', `${callerKey} may call only the plugins it declares as dependencies; ${target.key} is not one of them`);
    }
    await this.ensureRunning(target);
    if (!target.api.includes(method)) throw new HavenError('NOT_FOUND', `${target.key} has no api function ${method}`);
    const conn = target.conn!;
    try {
      const { result } = await this.working(target, () => conn.client.call('host.callApi', { method, args, caller: callerKey }, { timeoutMs: this.timeouts.apiMs }));
      return result;
    } catch (error) {
      throw await this.explainCallError(target, conn, `api ${method}`, error);
    }
  }

  /**
   * `ctx.send`: only to a plugin the sender declares as a dependency or that declares the sender
   * (either side of a declared relation may start the conversation). The receiver is started if
   * it is not running; the message then waits its turn in the pair's bounded queue.
   */
  private async sendMessage(senderKey: string, targetRef: string, message: unknown): Promise<void> {
    const sender = this.resolve(senderKey);
    const refusal = (name: string): HavenError =>
      new HavenError('FORBIDDEN', `${senderKey} may send messages only to the plugins it declares as dependencies or that declare it; ${name} is neither`);
    let target: Entry;
    try {
      target = this.resolve(targetRef);
    } catch {
      throw refusal(targetRef);
    }
    if (!related(sender, target)) throw refusal(target.key);
    const { value, bytes } = toJsonValue(message, 'a message', MESSAGE_MAX_BYTES);
    await this.ensureRunning(target);
    await this.messages.send(sender.key, target.key, value, bytes);
  }

  private async deliverMessage(from: string, to: string, message: unknown): Promise<void> {
    const target = this.entries.get(to);
    const conn = target?.conn;
    if (!target || !conn || target.state !== 'running') throw new HavenError('UNAVAILABLE', `${to} is not running`);
    try {
      await this.working(target, () => conn.client.call('host.message', { from, message }, { timeoutMs: this.timeouts.apiMs }));
    } catch (error) {
      throw await this.explainCallError(target, conn, `a message from ${from}`, error);
    }
  }

  // ----- the process -----

  private async launch(entry: Entry): Promise<void> {
    if (entry.conn) return;
    for (const dep of Object.keys(entry.discovered.manifest!.dependencies)) {
      try {
        await this.start(dep);
      } catch (error) {
        const reason = `needs ${dep}, which did not start (${isHavenError(error) ? error.message : String(error)})`;
        this.setState(entry, 'blocked', reason);
        throw new HavenError('CONFLICT', reason);
      }
    }
    this.clearRestart(entry);
    this.setState(entry, 'starting');
    const conn = this.openConnection(entry);
    try {
      const description = await this.loadInto(entry, conn);
      const stored = this.options.store.getConfig(entry.key);
      const validated = await conn.client.call('host.validateConfig', { config: stored }, { timeoutMs: this.timeouts.loadMs });
      if (!validated.ok) {
        entry.configIssues = validated.issues;
        await conn.stop();
        conn.dispose();
        entry.conn = undefined;
        const reason = `needs configuration: ${validated.issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}`;
        this.setState(entry, 'needs-config', reason);
        throw new HavenError('CONFLICT', `${entry.key} ${reason}`);
      }
      entry.configIssues = [];
      entry.secrets = secretValues(validated.config, secretPaths(description.configSchema));
      const preserved = entry.preserved ?? {};
      entry.preserved = undefined;
      const started = await conn.client.call('host.start', { config: validated.config, state: preserved }, { timeoutMs: this.timeouts.startMs });
      entry.api = started.api;
      entry.hooks = started.hooks;
      entry.actions = started.actions;
      entry.views = started.views;
      conn.startHeartbeat();
      this.setState(entry, 'running');
      this.options.bus.publish('plugin.loaded', { plugin: entry.key, version: entry.discovered.manifest!.version });
      // A first health result as soon as it runs, so the UI can show it (background hosts only).
      if (this.options.autoStart) void this.checkOne(entry).catch(() => undefined);
    } catch (error) {
      if (entry.state === 'needs-config') throw error;
      const explained = conn.isAlive ? error : await this.explainCallError(entry, conn, 'initialize', error);
      const message = isHavenError(explained) ? explained.message.replace(/^host\.(load|start|validateConfig): /, '') : String(explained);
      const permanent = isHavenError(explained) && explained.message.startsWith('host.load:') && explained.code !== 'TIMEOUT';
      conn.dispose();
      if (entry.conn === conn) entry.conn = undefined;
      this.options.logs.write({ time: new Date().toISOString(), plugin: entry.key, level: 'error', message: scrub(`failed to start: ${message}`, entry.secrets) });
      if (permanent) {
        this.setState(entry, 'failed', `cannot load: ${message}`);
      } else {
        this.recordCrash(entry, `failed to start: ${message}`);
      }
      throw new HavenError('UNAVAILABLE', scrub(`${entry.key} ${entry.state === 'failed' ? 'failed' : 'could not start'}: ${message}`, entry.secrets));
    }
  }

  private progressCoalescer(): StreamCoalescer<ProgressEvent> {
    return new StreamCoalescer<ProgressEvent>({
      minIntervalMs: 100,
      key: (event) => event.jobId,
      send: (event) => this.progressEmitter.fire(event),
    });
  }

  private openConnection(entry: Entry): HostConnection {
    const manifest = entry.discovered.manifest!;
    const id = pluginShortId(manifest.name);
    const dataDir = path.join(this.options.paths.pluginData, id);
    fs.mkdirSync(dataDir, { recursive: true });
    const heap = manifest.maxMemoryMb ?? this.options.defaultHeapMb?.() ?? 1024;
    entry.sandbox = this.options.sandbox === false ? undefined : this.sandboxPlan(entry);
    for (const root of entry.sandbox?.write ?? []) entry.writtenRoots.add(root);
    this.clearInbox(entry);
    const conn = HostConnection.launch(
      this.options.launcher,
      {
        serviceName: `plugin-${id}`,
        entry: this.options.hostEntry,
        env: this.hostEnvironment(entry),
        execArgv: [`--max-old-space-size=${heap}`, ...(entry.sandbox ? permissionFlags(entry.sandbox) : [])],
        cwd: dataDir,
      },
      this.coreHandlers(entry),
      this.options.logger.child(`plugin.${id}`),
      this.timeouts.host,
    );
    entry.conn = conn;
    entry.lastExit = undefined;
    conn.onOutput((line, stream) => {
      const verdict = entry.logLimit();
      if (verdict === 'drop') return;
      const message = verdict === 'resume' ? `(some output was dropped) ${line}` : line;
      this.options.logs.write({
        time: new Date().toISOString(),
        plugin: entry.key,
        level: stream === 'stderr' ? 'warn' : 'info',
        message: scrub(message, entry.secrets),
        fields: { stream },
      });
    });
    conn.onDidExit((exit) => this.onExit(entry, conn, exit));
    return conn;
  }

  /**
   * `ctx.linkFile`: Node's permission model refuses links to a sandboxed plugin (a symbolic link
   * always, a hard link unless it may write the source), so Core makes them for a plugin that
   * declares `links`, from a file it may read to a new name where it may write.
   */
  private async linkFile(entry: Entry, source: string, target: string, symbolic: boolean): Promise<{ ok: true } | { ok: false; code: string; message: string }> {
    const manifest = entry.discovered.manifest!;
    if (!manifest.permissions.links) throw new HavenError('FORBIDDEN', `${entry.key} may not make links: add "links": true to permissions in plugin.json`);
    if (!path.isAbsolute(source) || !path.isAbsolute(target)) throw new HavenError('INVALID_INPUT', 'linkFile takes absolute paths');
    const plan = entry.sandbox ?? this.sandboxPlan(entry);
    // A link can be written through, so only media may be linked (never Haven's code, programs or
    // another plugin's folder), judged by where the files really are, links in the path resolved.
    const real = (p: string): string => {
      try {
        return fs.realpathSync(p);
      } catch {
        return path.resolve(p);
      }
    };
    const media = [...this.libraryRoots(), this.options.paths.derived, ...plan.write, ...entry.handedMedia].map(real);
    const writable = plan.write.map(real);
    try {
      const realSource = await fs.promises.realpath(source);
      if (!media.some((root) => isInside(realSource, root))) {
        throw new HavenError('FORBIDDEN', `blocked by ${SANDBOX_REFUSAL}: ${entry.key} may link only to archived media and its own files, not ${source}`);
      }
      const realTarget = path.join(await fs.promises.realpath(path.dirname(target)), path.basename(target));
      if (!writable.some((root) => isInside(realTarget, root))) {
        throw new HavenError('FORBIDDEN', `blocked by ${SANDBOX_REFUSAL}: ${entry.key} may not write ${target}`);
      }
      const stat = await fs.promises.stat(realSource);
      if (!stat.isFile()) return { ok: false, code: 'EISDIR', message: `${source} is not a file` };
      if (symbolic) await fs.promises.symlink(realSource, realTarget);
      else await fs.promises.link(realSource, realTarget);
      return { ok: true };
    } catch (error) {
      if (isHavenError(error)) throw error;
      const { code = 'EIO', message = String(error) } = error as NodeJS.ErrnoException;
      return { ok: false, code, message };
    }
  }

  /** Settings the manifest opens to the plugin as folders (`${config.key}`) that would open too much. */
  private unsafeFolderSettings(entry: Entry, config: Record<string, unknown>): ConfigIssue[] {
    const manifest = entry.discovered.manifest!;
    const issues: ConfigIssue[] = [];
    for (const declared of manifest.permissions.filesystem) {
      const key = /^\$\{config\.([A-Za-z0-9_]+)\}/.exec(declared)?.[1];
      const folder = key ? expandFolder(declared, { havenHome: this.options.paths.home, userHome: os.homedir(), config }) : undefined;
      const reason = folder && unsafeFolder(folder, { havenHome: this.options.paths.home, userHome: os.homedir() });
      if (key && reason) issues.push({ path: key, message: reason });
    }
    return issues;
  }

  /**
   * Removes copies of user-named files a previous run of Core left (a crash before their
   * clean-up), once per run, before this run makes its first copy or starts the plugin.
   */
  private clearInbox(entry: Entry): void {
    if (entry.inboxCleared) return;
    entry.inboxCleared = true;
    fs.rmSync(path.join(this.options.paths.pluginData, pluginShortId(entry.discovered.manifest!.name), 'inbox'), { recursive: true, force: true });
  }

  /** A clean environment; temporary files go to the plugin's own folder, inside its sandbox. */
  private hostEnvironment(entry: Entry): Record<string, string> {
    const manifest = entry.discovered.manifest!;
    const tmp = path.join(this.options.paths.pluginData, pluginShortId(manifest.name), 'tmp');
    fs.mkdirSync(tmp, { recursive: true });
    return cleanEnvironment({ HAVEN_PLUGIN: manifest.name, TMPDIR: tmp, TMP: tmp, TEMP: tmp });
  }

  private sandboxPlan(entry: Entry): SandboxPlan {
    const manifest = entry.discovered.manifest!;
    const id = pluginShortId(manifest.name);
    const { paths } = this.options;
    return planSandbox({
      manifest,
      config: this.options.store.getConfig(entry.key),
      havenHome: paths.home,
      userHome: os.homedir(),
      pluginDir: entry.discovered.dir,
      hostEntry: this.options.hostEntry,
      dataDir: path.join(paths.pluginData, id),
      outputDir: path.join(paths.downloads, id),
      binDirs: this.binDirsOf(entry),
      searchPath: process.env.PATH ?? '',
      libraryRoots: manifest.capabilities.includes('PROCESS') ? this.libraryRoots() : [],
      derivedRoot: paths.derived,
      // Files dropped on the window to archive (a .torrent) are kept there for their jobs.
      extraRead: [paths.dropped, ...entry.extraRead],
    });
  }

  /**
   * Where a plugin's programs are looked up before PATH: its own tools folder (in its data
   * folder: what it installs, like a managed yt-dlp, only it runs) and HAVEN_HOME/bin, which the
   * user fills and no plugin may write.
   */
  private binDirsOf(entry: Entry): string[] {
    const id = pluginShortId(entry.discovered.manifest!.name);
    return [path.join(this.options.paths.pluginData, id, 'bin'), path.join(this.options.paths.home, 'bin')];
  }

  /** Where originals can be: the downloads folder, every plugin's declared folders, imports. */
  private libraryRoots(): string[] {
    const context = { havenHome: this.options.paths.home, userHome: os.homedir() };
    const declared = [...this.entries.values()].flatMap((other) =>
      other.discovered.manifest ? declaredFolders(other.discovered.manifest, { ...context, config: this.options.store.getConfig(other.key) }) : [],
    );
    return [this.options.paths.downloads, ...declared, ...(this.options.importedFolders?.() ?? [])];
  }

  /**
   * A plugin asked to read a file the user named (a local .torrent or SDP file, an action's
   * input) or, for a processor, an original outside the library roots (its folder, for
   * sidecars): it is added to what the process may read, restarting a running process that
   * cannot (jobs it was running are retried).
   */
  private async allowRead(entry: Entry, targets: readonly string[], scope: 'file' | 'folder'): Promise<void> {
    if (this.options.sandbox === false) return;
    while (entry.sandboxChange) await entry.sandboxChange;
    // The usual case (an original in the downloads folder) needs no new plan.
    const running = entry.sandbox;
    if (entry.conn && running && targets.every((target) => allowsRead(running, target))) return;
    const plan = this.sandboxPlan(entry);
    for (const target of targets) {
      if (!allowsRead(plan, target)) entry.extraRead.add(scope === 'file' ? path.resolve(target) : path.dirname(path.resolve(target)));
    }
    keepNewest(entry.extraRead, MAX_EXTRA_READ);
    if (!entry.conn || !running || targets.every((target) => allowsRead(running, target))) return;
    this.options.logger.info('restarting a plugin to let it read what it was given', { plugin: entry.key, paths: targets });
    entry.sandboxChange = this.reload(entry.key)
      .then(() => undefined)
      .finally(() => {
        entry.sandboxChange = undefined;
      });
    await entry.sandboxChange;
  }

  private async loadInto(entry: Entry, conn: HostConnection): Promise<HostDescription> {
    const manifest = entry.discovered.manifest!;
    const description = await conn.client.call(
      'host.load',
      {
        pluginDir: entry.discovered.dir,
        entry: manifest.main,
        manifest,
        dataDir: path.join(this.options.paths.pluginData, pluginShortId(manifest.name)),
        outputDir: path.join(this.options.paths.downloads, pluginShortId(manifest.name)),
        havenVersion: this.options.havenVersion,
        binDirs: this.binDirsOf(entry),
        programFiles: entry.sandbox?.programFiles ?? [],
      },
      { timeoutMs: this.timeouts.loadMs },
    );
    entry.description = description;
    this.options.store.setSchema(entry.key, manifest.version, description.configSchema);
    return description;
  }

  /** The plugin's JSON Schema: from the running host, the database, or a short-lived host that only loads it. */
  private async schemaOf(entry: Entry): Promise<Record<string, unknown> | undefined> {
    this.assertLoadable(entry);
    if (entry.description) return entry.description.configSchema;
    const cached = this.options.store.getSchema(entry.key, entry.discovered.manifest!.version);
    if (cached && !entry.conn) return cached;
    return this.withInspector(entry, async (conn) => (await this.loadInto(entry, conn)).configSchema);
  }

  private async validateWith(entry: Entry, config: Record<string, unknown>): Promise<{ ok: true; config: Record<string, unknown> } | { ok: false; issues: ConfigIssue[] }> {
    const conn = entry.conn;
    if (conn && entry.state === 'running') {
      return this.working(entry, () => conn.client.call('host.validateConfig', { config }, { timeoutMs: this.timeouts.loadMs }), false);
    }
    return this.withInspector(entry, async (conn) => {
      await this.loadInto(entry, conn);
      return conn.client.call('host.validateConfig', { config }, { timeoutMs: this.timeouts.loadMs });
    });
  }

  /** A host that loads the plugin's module without running it (to read its schema or validate). */
  private async withInspector<T>(entry: Entry, work: (conn: HostConnection) => Promise<T>): Promise<T> {
    const manifest = entry.discovered.manifest!;
    const id = pluginShortId(manifest.name);
    const sandbox = this.options.sandbox === false ? [] : permissionFlags(this.sandboxPlan(entry));
    const process = this.options.launcher.launch({
      serviceName: `plugin-${id}-inspect`,
      entry: this.options.hostEntry,
      env: this.hostEnvironment(entry),
      execArgv: [`--max-old-space-size=${manifest.maxMemoryMb ?? 256}`, ...sandbox],
      cwd: this.options.paths.pluginData,
    });
    const conn = new HostConnection(process, this.coreHandlers(entry), this.options.logger.child(`plugin.${id}`), this.timeouts.host);
    try {
      return await work(conn);
    } catch (error) {
      throw new HavenError(isHavenError(error) ? error.code : 'INTERNAL', `${entry.key}: ${isHavenError(error) ? error.message.replace(/^host\.\w+: /, '') : String(error)}`);
    } finally {
      await conn.stop();
      conn.dispose();
    }
  }

  private onExit(entry: Entry, conn: HostConnection, exit: HostExit): void {
    entry.lastExit = exit;
    // Messages to and from the plugin go with it (not when a newer process already replaced this one).
    if (entry.conn === conn || !entry.conn) this.messages.dropPlugin(entry.key, exit.expected ? 'stopped' : exit.reason);
    if (entry.conn !== conn) return;
    entry.conn = undefined;
    if (exit.expected || entry.stopping || this.disposed) return;
    this.options.logs.write({ time: new Date().toISOString(), plugin: entry.key, level: 'error', message: `plugin process ${exit.reason}` });
    this.options.logger.warn('plugin crashed', { plugin: entry.key, reason: exit.reason });
    this.options.bus.publish('plugin.unloaded', { plugin: entry.key, reason: exit.reason });
    if (entry.state === 'starting') return; // launch() reports it
    this.recordCrash(entry, exit.reason);
  }

  private recordCrash(entry: Entry, reason: string): void {
    const now = Date.now();
    entry.crashTimes = [...entry.crashTimes.filter((t) => now - t < this.restartPolicy.windowMs), now];
    const crashes = entry.crashTimes.length;
    if (crashes >= this.restartPolicy.maxCrashes) {
      this.setState(
        entry,
        'failed',
        `${reason}. It failed ${crashes} times in ${Math.round(this.restartPolicy.windowMs / 60_000)} min, so Haven stopped restarting it: fix the plugin, then reload or enable it again`,
      );
      return;
    }
    const delay = Math.min(this.restartPolicy.baseDelayMs * 2 ** (crashes - 1), this.restartPolicy.maxDelayMs);
    entry.nextRestartAt = now + delay;
    this.setState(entry, 'crashed', `${reason}; restarting in ${formatDelay(delay)}`);
    entry.restartTimer = setTimeout(() => {
      entry.restartTimer = undefined;
      entry.nextRestartAt = undefined;
      if (this.disposed || !this.isEnabled(entry)) return;
      entry.restarts++;
      this.setState(entry, 'stopped');
      this.start(entry.key).catch(() => undefined);
    }, delay);
    entry.restartTimer.unref?.();
  }

  private clearRestart(entry: Entry): void {
    if (entry.restartTimer) clearTimeout(entry.restartTimer);
    entry.restartTimer = undefined;
    entry.nextRestartAt = undefined;
  }

  private async invokeSave(entry: Entry, timeoutMs = this.timeouts.apiMs): Promise<void> {
    if (!entry.conn || entry.state === 'starting' || !entry.hooks.includes('save')) return;
    await entry.conn.client.call('host.invoke', { hook: 'save', args: [] }, { timeoutMs });
    this.options.bus.publish('plugin.saved', { plugin: entry.key });
  }

  private async saveAll(): Promise<void> {
    await Promise.all([...this.entries.values()].filter((e) => e.state === 'running').map((e) => this.invokeSave(e).catch(() => undefined)));
  }

  private coreHandlers(entry: Entry): { calls: CallHandlers<CoreContract>; events: EventHandlers<CoreContract> } {
    const key = entry.key;
    const { store, logs, bus } = this.options;
    return {
      calls: {
        'core.linkFile': ({ source, target, symbolic }) => this.linkFile(entry, source, target, symbolic),
        'core.log': ({ level, message, fields }) => {
          const verdict = entry.logLimit();
          if (verdict === 'drop') return null;
          logs.write({
            time: new Date().toISOString(),
            plugin: key,
            level,
            message: scrub(verdict === 'resume' ? `(some log lines were dropped) ${message}` : message, entry.secrets),
            ...(fields ? { fields: scrubValue(fields, entry.secrets) as Record<string, unknown> } : {}),
          });
          return null;
        },
        'core.storage.get': ({ key: k }) => store.kvGet(key, k),
        'core.jobs.discover': async ({ reason }) => {
          if (!this.discoveryRequester) throw new HavenError('UNAVAILABLE', 'this Haven runs no job queue');
          const job = await this.discoveryRequester(key, reason);
          return { jobId: job.id, state: job.state };
        },
        'core.storage.set': ({ key: k, value }) => {
          store.kvSet(key, k, value);
          return null;
        },
        'core.storage.delete': ({ key: k }) => {
          store.kvDelete(key, k);
          return null;
        },
        'core.storage.keys': () => store.kvKeys(key),
        'core.progress': ({ jobId, update }) => {
          entry.progress.push({ plugin: key, jobId, update });
          return null;
        },
        'core.events.emit': ({ name, payload }) => {
          const refusal = emitRefusal(entry.discovered.manifest!, name);
          if (refusal) {
            logs.write({ time: new Date().toISOString(), plugin: key, level: 'warn', message: `event refused: ${refusal}` });
            throw new HavenError('FORBIDDEN', refusal);
          }
          bus.publish(name, payload === undefined ? undefined : toJsonValue(payload, `the payload of ${name}`, MESSAGE_MAX_BYTES).value, key);
          return null;
        },
        'core.plugins.call': async ({ plugin, method, args }) => ({ result: await this.callApi(key, plugin, method, args) }),
        'core.plugins.send': async ({ plugin, message }) => {
          await this.sendMessage(key, plugin, message);
          return null;
        },
        'core.fatal': ({ message, stack }) => {
          entry.conn?.reportFatal(scrub(message, entry.secrets));
          logs.write({
            time: new Date().toISOString(),
            plugin: key,
            level: 'error',
            message: scrub(message, entry.secrets),
            ...(stack ? { fields: { stack: scrub(stack, entry.secrets) } } : {}),
          });
          return null;
        },
      },
      events: {
        'core.events': ({ name }, sink) => bus.subscribe(name, (event) => sink.next(event)),
      },
    };
  }

  // ----- bookkeeping -----

  private sync(): void {
    if (this.disposed) return;
    const discovered = this.options.catalog.list();
    const seen = new Set<string>();
    for (const plugin of discovered) {
      const key = plugin.manifest && !plugin.error ? plugin.manifest.name : `folder:${plugin.dir}`;
      seen.add(key);
      const existing = this.entries.get(key);
      if (!existing) {
        const created: Entry = {
          key,
          discovered: plugin,
          state: 'stopped',
          api: [],
          hooks: [],
          actions: [],
          views: [],
          restarts: 0,
          crashTimes: [],
          secrets: [],
          configIssues: [],
          progress: this.progressCoalescer(),
          logLimit: rateLimiter(MAX_OUTPUT_LINES_PER_SECOND),
          extraRead: new Set(),
          handedMedia: new Set(),
          busy: 0,
          lastUsedAt: 0,
          writtenRoots: new Set(),
        };
        this.entries.set(key, created);
        if (plugin.manifest && !plugin.error) {
          const cached = this.options.store.getSchema(key, plugin.manifest.version);
          if (cached) created.secrets = secretValues(this.options.store.getConfig(key), secretPaths(cached));
        }
        continue;
      }
      const changed = existing.discovered.fingerprint !== plugin.fingerprint || existing.discovered.dir !== plugin.dir;
      existing.discovered = plugin;
      if (changed) {
        existing.description = undefined;
        if (existing.conn) void this.reload(key).catch(() => undefined);
        else if (['crashed', 'failed', 'needs-config'].includes(existing.state)) {
          // New code deserves a new try.
          this.resetLifecycle(existing);
        }
      }
    }
    // Keep the catalog's order (user, extra, built-in folders; by folder name within each).
    const ordered = [...seen].map((key) => [key, this.entries.get(key)!] as const);
    for (const [key, entry] of [...this.entries]) {
      if (seen.has(key)) continue;
      this.entries.delete(key);
      this.clearRestart(entry);
      entry.progress.dispose();
      if (entry.conn) {
        const conn = entry.conn;
        entry.conn = undefined;
        void conn.stop().finally(() => conn.dispose());
        this.options.bus.publish('plugin.unloaded', { plugin: key, reason: 'removed' });
      }
    }
    this.entries.clear();
    for (const [key, entry] of ordered) this.entries.set(key, entry);
    this.plan = planDependencies(
      [...this.entries.values()]
        .filter((entry) => entry.discovered.manifest)
        .map((entry) => ({
          name: entry.key,
          version: entry.discovered.manifest!.version,
          dependencies: entry.discovered.manifest!.dependencies,
          ...(entry.discovered.error ? { problem: entry.discovered.error } : {}),
        })),
    );
    this.refreshStates();
    if (this.options.autoStart) void this.startAll();
  }

  /** States of plugins that are not running follow from files, dependencies and the enabled flag. */
  private refreshStates(): void {
    for (const entry of this.entries.values()) {
      // Running, starting or stopping plugins have their state from the process; crashed, failed
      // and needs-config stay until the user acts (enable, reload, configure) or a restart runs.
      if (entry.conn || entry.starting || entry.stopping || ['crashed', 'failed', 'needs-config'].includes(entry.state)) continue;
      if (entry.discovered.error) this.setState(entry, 'invalid', entry.discovered.error);
      else if (this.plan.blocked.has(entry.key)) this.setState(entry, 'blocked', this.plan.blocked.get(entry.key));
      else if (!this.isEnabled(entry)) this.setState(entry, 'disabled');
      else {
        const off = this.disabledDependencies(entry);
        if (off.length > 0) this.setState(entry, 'blocked', `needs ${off.join(', ')}, which ${off.length > 1 ? 'are' : 'is'} disabled`);
        else this.setState(entry, 'stopped', this.options.autoStart && this.startsOnDemand(entry.key) ? 'starts when a pipeline needs it' : undefined);
      }
    }
    this.queueChange();
  }

  private setState(entry: Entry, state: PluginState, reason?: string): void {
    entry.state = state;
    entry.reason = reason === undefined ? undefined : scrub(reason, entry.secrets);
    this.queueChange();
  }

  private queueChange(): void {
    if (this.changeQueued || this.disposed) return;
    this.changeQueued = true;
    queueMicrotask(() => {
      this.changeQueued = false;
      if (!this.disposed) this.changed.fire(this.list());
    });
  }

  private isEnabled(entry: Entry): boolean {
    return this.options.store.isEnabled(entry.key) ?? true;
  }

  private assertLoadable(entry: Entry): void {
    if (entry.discovered.error || !entry.discovered.manifest) {
      throw new HavenError('CONFLICT', `${entry.discovered.folderName} cannot load: ${entry.discovered.error ?? 'no manifest'}`);
    }
    const blocked = this.plan.blocked.get(entry.key);
    if (blocked) throw new HavenError('CONFLICT', `${entry.key} cannot load: ${blocked}`);
  }

  private disabledDependencies(entry: Entry): string[] {
    const off: string[] = [];
    const visit = (current: Entry, seen: Set<string>): void => {
      for (const dep of Object.keys(current.discovered.manifest?.dependencies ?? {})) {
        let target: Entry;
        try {
          target = this.resolve(dep);
        } catch {
          continue;
        }
        if (seen.has(target.key)) continue;
        seen.add(target.key);
        if (!this.isEnabled(target)) off.push(target.key);
        visit(target, seen);
      }
    };
    visit(entry, new Set([entry.key]));
    return off;
  }

  private transitiveDependents(key: string): string[] {
    const result: string[] = [];
    const visit = (name: string): void => {
      for (const dependent of this.plan.dependents.get(name) ?? []) {
        if (result.includes(dependent)) continue;
        result.push(dependent);
        visit(dependent);
      }
    };
    visit(key);
    return result;
  }

  /** Loadable plugins grouped so each group's dependencies are in earlier groups. */
  private levels(): string[][] {
    const level = new Map<string, number>();
    for (const key of this.plan.order) {
      const deps = Object.keys(this.entries.get(key)?.discovered.manifest?.dependencies ?? {}).map((dep) => {
        try {
          return level.get(this.resolve(dep).key) ?? 0;
        } catch {
          return 0;
        }
      });
      level.set(key, deps.length ? Math.max(...deps) + 1 : 0);
    }
    const groups: string[][] = [];
    for (const [key, index] of level) {
      const entry = this.entries.get(key);
      if (!entry || !this.isEnabled(entry) || entry.state !== 'stopped') continue;
      (groups[index] ??= []).push(key);
    }
    return groups.filter(Boolean);
  }

  private summarize(entry: Entry): PluginSummary {
    const manifest = entry.discovered.manifest;
    const name = manifest?.name ?? entry.discovered.folderName;
    const latest = manifest ? this.options.store.healthHistory(entry.key, 1)[0] : undefined;
    return {
      id: manifest ? pluginShortId(manifest.name) : entry.discovered.folderName.toLowerCase(),
      name,
      version: manifest?.version ?? '',
      description: manifest?.description ?? '',
      ...(manifest?.author ? { author: manifest.author } : {}),
      ...(manifest?.homepage ? { homepage: manifest.homepage } : {}),
      ...(manifest?.license ? { license: manifest.license } : {}),
      category: manifest?.category ?? 'other',
      tags: manifest?.tags ?? [],
      capabilities: manifest?.capabilities ?? [],
      origin: entry.discovered.origin,
      path: entry.discovered.dir,
      enabled: manifest && !entry.discovered.error ? this.isEnabled(entry) : false,
      state: entry.state,
      ...(entry.reason ? { stateReason: entry.reason } : {}),
      ...(latest ? { health: toPluginHealth(latest) } : {}),
      dependencies: Object.entries(manifest?.dependencies ?? {}).map(([depName, range]) => ({ name: depName, range })),
      dependents: this.plan.dependents.get(entry.key) ?? [],
      permissions: manifest?.permissions ?? { network: [], filesystem: [], binaries: [], programFiles: [], links: false, addons: false },
      urlPatterns: manifest?.urlPatterns ?? [],
      ...(manifest?.processes ? { processes: manifest.processes } : {}),
      restarts: entry.restarts,
      ...(entry.nextRestartAt ? { nextRestartAt: new Date(entry.nextRestartAt).toISOString() } : {}),
      ...(entry.conn?.pid !== undefined && entry.state === 'running' ? { pid: entry.conn.pid } : {}),
    };
  }

  private explainNotRunning(entry: Entry, error: unknown): string {
    const message = isHavenError(error) ? error.message : String(error);
    return entry.state === 'running' ? message : `not running (${entry.state}): ${entry.reason ?? message}`;
  }

  private withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new HavenError('TIMEOUT', message)), ms);
      promise.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }

  /**
   * Stops every plugin, dependents before their dependencies; plugins of one level stop in
   * parallel, each with a short save and its shutdown deadline, so quitting stays quick.
   */
  async shutdown(): Promise<void> {
    const level = new Map<string, number>();
    const depth = (key: string, seen: Set<string>): number => {
      if (level.has(key)) return level.get(key)!;
      if (seen.has(key)) return 0;
      seen.add(key);
      const dependents = this.plan.dependents.get(key) ?? [];
      const value = dependents.length ? Math.max(...dependents.map((d) => depth(d, seen))) + 1 : 0;
      level.set(key, value);
      return value;
    };
    const running = [...this.entries.values()].filter((entry) => entry.conn || entry.starting);
    for (const entry of running) depth(entry.key, new Set());
    const maxLevel = Math.max(-1, ...running.map((entry) => level.get(entry.key) ?? 0));
    for (let current = 0; current <= maxLevel; current++) {
      const batch = running.filter((entry) => (level.get(entry.key) ?? 0) === current);
      await Promise.all(batch.map((entry) => this.stop(entry.key, SHUTDOWN_SAVE_MS).catch(() => undefined)));
    }
    for (const entry of this.entries.values()) {
      this.clearRestart(entry);
      entry.conn?.kill();
    }
  }

  override dispose(): void {
    this.disposed = true;
    for (const entry of this.entries.values()) {
      this.clearRestart(entry);
      entry.progress.dispose();
      entry.conn?.dispose();
    }
    super.dispose();
  }
}

function toPluginHealth(stored: StoredHealth): { status: HealthCheckResult['status']; output?: string; checkedAt: string; durationMs: number } {
  return {
    status: stored.result.status,
    ...(stored.result.output !== undefined ? { output: stored.result.output } : {}),
    checkedAt: stored.checkedAt,
    durationMs: stored.durationMs,
  };
}

/** One of the two declares the other as a dependency. */
function related(a: Entry, b: Entry): boolean {
  const declares = (x: Entry, y: Entry): boolean => Object.keys(x.discovered.manifest?.dependencies ?? {}).some((name) => name.toLowerCase() === y.key.toLowerCase());
  return a !== b && (declares(a, b) || declares(b, a));
}

function formatDelay(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`;
}

/** Allows a burst of `perSecond` lines, then drops until the next second ('resume' marks the first line after a gap). */
function rateLimiter(perSecond: number): () => 'keep' | 'drop' | 'resume' {
  let windowStart = 0;
  let count = 0;
  let dropped = false;
  return () => {
    const now = Date.now();
    if (now - windowStart >= 1000) {
      windowStart = now;
      count = 0;
    }
    count++;
    if (count > perSecond) {
      dropped = true;
      return 'drop';
    }
    if (dropped) {
      dropped = false;
      return 'resume';
    }
    return 'keep';
  };
}

export type { Disposable };

/** Puts a stored secret back at its path when the update did not set that path. */
function restoreSecret(candidate: Record<string, unknown>, stored: Record<string, unknown>, sent: Record<string, unknown>, path: string): void {
  const keys = path.split('.');
  const lookup = (root: unknown): { found: boolean; value: unknown } => {
    let node = root;
    for (const key of keys) {
      if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) return { found: false, value: undefined };
      node = (node as Record<string, unknown>)[key];
    }
    return { found: true, value: node };
  };
  if (lookup(sent).found) return;
  const previous = lookup(stored);
  if (!previous.found) return;
  let node: Record<string, unknown> = candidate;
  for (const key of keys.slice(0, -1)) {
    const child = node[key];
    if (typeof child !== 'object' || child === null || Array.isArray(child)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys.at(-1)!] = previous.value;
}

/** Drops a set's oldest entries beyond `max` (a long-running plugin's flag list stays short). */
function keepNewest(set: Set<string>, max: number): void {
  for (const old of [...set].slice(0, Math.max(0, set.size - max))) set.delete(old);
}
