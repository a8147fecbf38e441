import { z } from 'zod';
import { call, defineContract, event } from '@shared/ipc/define';
import { PluginManifest } from '@shared/sdk/manifest';
import { ActionInfo, HOOK_NAMES, ProgressUpdate, VIEW_MAX_ROWS, ViewInfo, ViewRow } from '@shared/sdk/types';

/** What Core tells a host when it starts it. */
export const HostLoadInput = z.strictObject({
  pluginDir: z.string(),
  entry: z.string(),
  manifest: PluginManifest,
  dataDir: z.string(),
  outputDir: z.string(),
  havenVersion: z.string(),
  /** Folders searched before PATH for binaries (HAVEN_HOME/bin). */
  binDirs: z.array(z.string()).default([]),
  /** Program files the user chose in settings, which the plugin may run (sandboxed hosts). */
  programFiles: z.array(z.string()).default([]),
});
export type HostLoadInput = z.input<typeof HostLoadInput>;

export const ConfigIssue = z.object({ path: z.string(), message: z.string() });
export type ConfigIssue = z.infer<typeof ConfigIssue>;

const JsonSchema = z.record(z.string(), z.unknown());

export const HostDescription = z.object({
  configSchema: JsonSchema,
  preserveOnReload: z.array(z.string()),
});
export type HostDescription = z.infer<typeof HostDescription>;

/** The calls a plugin host serves to Core. */
export const hostContract = defineContract({
  calls: {
    'host.load': call({
      description: 'Import the plugin module and describe it (schema, hooks).',
      input: HostLoadInput,
      output: HostDescription,
    }),
    'host.ping': call({
      description: 'Heartbeat: answers while the event loop turns.',
      input: z.strictObject({}),
      output: z.object({ uptimeMs: z.number(), rssBytes: z.number() }),
    }),
    'host.validateConfig': call({
      description: "Validate a configuration with the plugin's own zod schema.",
      input: z.strictObject({ config: z.unknown() }),
      output: z.discriminatedUnion('ok', [
        z.object({ ok: z.literal(true), config: z.record(z.string(), z.unknown()) }),
        z.object({ ok: z.literal(false), issues: z.array(ConfigIssue) }),
      ]),
    }),
    'host.start': call({
      description: 'Run setup(ctx) and the initialize hook.',
      input: z.strictObject({ config: z.record(z.string(), z.unknown()), state: z.record(z.string(), z.unknown()) }),
      output: z.object({ api: z.array(z.string()), hooks: z.array(z.enum(HOOK_NAMES)), actions: z.array(ActionInfo).max(32).default([]), views: z.array(ViewInfo).max(8).default([]) }),
    }),
    'host.configChanged': call({
      description: 'A new, valid configuration.',
      input: z.strictObject({ config: z.record(z.string(), z.unknown()) }),
      output: z.null(),
    }),
    'host.invoke': call({
      description: 'Run one hook.',
      input: z.strictObject({ hook: z.enum(HOOK_NAMES), args: z.array(z.unknown()).max(8), jobId: z.string().max(128).optional() }),
      output: z.object({ result: z.unknown() }),
    }),
    'host.cancel': call({
      description: "Abort a job's signal.",
      input: z.strictObject({ jobId: z.string() }),
      output: z.object({ found: z.boolean() }),
    }),
    'host.callApi': call({
      description: "Run one of the plugin's api functions for another plugin.",
      input: z.strictObject({ method: z.string().max(128), args: z.array(z.unknown()).max(32), caller: z.string() }),
      output: z.object({ result: z.unknown() }),
    }),
    'host.message': call({
      description: "Hand a message another plugin sent (ctx.send) to the plugin's ctx.onMessage handlers; answers when they are done.",
      input: z.strictObject({ from: z.string().max(128), message: z.unknown() }),
      output: z.null(),
    }),
    'host.runAction': call({
      description: 'Run one of the actions the plugin offers the user.',
      input: z.strictObject({ action: z.string().max(64), input: z.string().max(8192).optional() }),
      output: z.object({ message: z.string().max(20_000) }),
    }),
    'host.viewRows': call({
      description: 'The rows of one of the views the plugin shows.',
      input: z.strictObject({ view: z.string().max(64) }),
      output: z.object({ rows: z.array(ViewRow).max(VIEW_MAX_ROWS) }),
    }),
    'host.viewAction': call({
      description: "Run one of a view's row actions on one row.",
      input: z.strictObject({ view: z.string().max(64), action: z.string().max(64), row: z.string().max(256) }),
      output: z.object({ message: z.string().max(20_000) }),
    }),
    'host.snapshotState': call({
      description: 'The preserveOnReload part of ctx.state.',
      input: z.strictObject({}),
      output: z.object({ state: z.record(z.string(), z.unknown()) }),
    }),
    'host.shutdown': call({
      description: 'Run the shutdown hook and release everything the plugin registered.',
      input: z.strictObject({}),
      output: z.null(),
    }),
  },
  events: {},
});

export const LogLevel = z.enum(['debug', 'info', 'warn', 'error']);

/** The calls Core serves to one plugin host (Core knows which plugin is asking). */
export const coreContract = defineContract({
  calls: {
    'core.log': call({
      description: 'A record from ctx.logger.',
      input: z.strictObject({
        level: LogLevel,
        message: z.string().max(8192),
        fields: z.record(z.string(), z.unknown()).optional(),
      }),
      output: z.null(),
    }),
    'core.linkFile': call({
      description: 'ctx.linkFile: a hard or symbolic link the sandboxed plugin cannot make itself.',
      input: z.strictObject({ source: z.string().min(1).max(4096), target: z.string().min(1).max(4096), symbolic: z.boolean().default(false) }),
      output: z.discriminatedUnion('ok', [z.object({ ok: z.literal(true) }), z.object({ ok: z.literal(false), code: z.string(), message: z.string() })]),
    }),
    'core.storage.get': call({
      description: 'ctx.storage.get',
      input: z.strictObject({ key: z.string().min(1).max(256) }),
      output: z.object({ found: z.boolean(), value: z.unknown() }),
    }),
    'core.storage.set': call({
      description: 'ctx.storage.set',
      input: z.strictObject({ key: z.string().min(1).max(256), value: z.unknown() }),
      output: z.null(),
    }),
    'core.storage.delete': call({
      description: 'ctx.storage.delete',
      input: z.strictObject({ key: z.string().min(1).max(256) }),
      output: z.null(),
    }),
    'core.storage.keys': call({
      description: 'ctx.storage.keys',
      input: z.strictObject({}),
      output: z.array(z.string()),
    }),
    'core.progress': call({
      description: 'ctx.progress / job.progress',
      input: z.strictObject({ jobId: z.string().max(128), update: ProgressUpdate }),
      output: z.null(),
    }),
    'core.events.emit': call({
      description: 'ctx.events.emit',
      input: z.strictObject({ name: z.string().min(1).max(128), payload: z.unknown() }),
      output: z.null(),
    }),
    'core.plugins.call': call({
      description: "ctx.call: a declared dependency's api",
      input: z.strictObject({ plugin: z.string().max(128), method: z.string().max(128), args: z.array(z.unknown()).max(32) }),
      output: z.object({ result: z.unknown() }),
    }),
    'core.plugins.send': call({
      description: 'ctx.send: a message to a related plugin; answers once it is queued (waits while the queue is full)',
      input: z.strictObject({ plugin: z.string().max(128), message: z.unknown() }),
      output: z.null(),
    }),
    'core.jobs.discover': call({
      description: 'ctx.discover: run this plugin\'s discovery as a job and wait for it',
      input: z.strictObject({ reason: z.string().max(200) }),
      output: z.object({ jobId: z.string(), state: z.string() }),
    }),
    'core.fatal': call({
      description: 'The host is about to die of an uncaught error; this is why.',
      input: z.strictObject({ message: z.string().max(8192), stack: z.string().max(32768).optional() }),
      output: z.null(),
    }),
  },
  events: {
    'core.events': event({
      description: 'Bus events the plugin subscribed to with ctx.events.on.',
      params: z.strictObject({ name: z.string().min(1).max(128) }),
      data: z.object({ name: z.string(), payload: z.unknown(), source: z.string() }),
      delivery: 'all',
    }),
  },
});

export type HostContract = typeof hostContract;
export type CoreContract = typeof coreContract;
