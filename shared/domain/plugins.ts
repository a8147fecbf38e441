import { z } from 'zod';
import { Capability } from '../sdk/capabilities';
import { PluginPermissions } from '../sdk/manifest';
import { ProcessesDeclaration } from '../sdk/processing';
import { ActionInfo, ViewInfo, ArchiveResult, DiscoveryResult, HealthCheckResult, HealthStatus } from '../sdk/types';

export const PluginOrigin = z.enum(['builtin', 'user', 'extra']);
export type PluginOrigin = z.infer<typeof PluginOrigin>;

/**
 * Where a plugin stands. invalid: its manifest is wrong; blocked: a dependency is missing,
 * incompatible, disabled or cannot load; disabled: the user turned it off; stopped: enabled,
 * not running (yet); needs-config: a required setting is missing or invalid; crashed: its
 * process died and a restart is planned; failed: it keeps failing, Haven gave up.
 */
export const PluginState = z.enum([
  'invalid',
  'blocked',
  'disabled',
  'stopped',
  'starting',
  'running',
  'stopping',
  'needs-config',
  'crashed',
  'failed',
]);
export type PluginState = z.infer<typeof PluginState>;

export const PluginHealth = z.object({
  status: HealthStatus,
  output: z.string().optional(),
  checkedAt: z.string(),
  durationMs: z.number(),
});
export type PluginHealth = z.infer<typeof PluginHealth>;

/** What Core tells clients about one plugin it found. */
export const PluginSummary = z.object({
  /** Case-insensitive short id (`youtube`); for an invalid manifest, the folder name. */
  id: z.string(),
  name: z.string(),
  version: z.string(),
  description: z.string(),
  author: z.string().optional(),
  homepage: z.string().optional(),
  license: z.string().optional(),
  category: z.string(),
  tags: z.array(z.string()),
  capabilities: z.array(Capability),
  origin: PluginOrigin,
  path: z.string(),
  enabled: z.boolean(),
  state: PluginState,
  /** Why the plugin is not running, in words a user can act on. */
  stateReason: z.string().optional(),
  health: PluginHealth.optional(),
  dependencies: z.array(z.object({ name: z.string(), range: z.string() })),
  dependents: z.array(z.string()),
  permissions: PluginPermissions,
  urlPatterns: z.array(z.string()),
  /** PROCESS plugins: what they accept and produce (for pipelines). */
  processes: ProcessesDeclaration.optional(),
  restarts: z.number().int(),
  nextRestartAt: z.string().optional(),
  pid: z.number().int().optional(),
});
export type PluginSummary = z.infer<typeof PluginSummary>;

export const PluginDetail = PluginSummary.extend({
  hooks: z.array(z.string()),
  api: z.array(z.string()),
  /** What the user can run from the plugin's page (known while it runs). */
  actions: z.array(ActionInfo).default([]),
  /** Tables the plugin shows on its page (known while it runs). */
  views: z.array(ViewInfo).default([]),
  healthHistory: z.array(PluginHealth),
});
export type PluginDetail = z.infer<typeof PluginDetail>;

export const ConfigIssue = z.object({ path: z.string(), message: z.string() });
export type ConfigIssue = z.infer<typeof ConfigIssue>;

/** A plugin's configuration as clients see it: secret values are never included. */
export const PluginConfigView = z.object({
  /** JSON Schema (draft-07) of the config, from the plugin's zod schema; null if never loaded. */
  schema: z.record(z.string(), z.unknown()).nullable(),
  values: z.record(z.string(), z.unknown()),
  /** For each secret field: whether a value is set. */
  secrets: z.record(z.string(), z.boolean()),
  /** Problems with the stored configuration (a required value missing, say). */
  issues: z.array(ConfigIssue),
});
export type PluginConfigView = z.infer<typeof PluginConfigView>;

export const PluginHealthReport = z.object({
  name: z.string(),
  result: HealthCheckResult,
  checkedAt: z.string(),
  durationMs: z.number(),
});
export type PluginHealthReport = z.infer<typeof PluginHealthReport>;

export const PluginTestReport = z.object({
  name: z.string(),
  health: PluginHealthReport,
  discovery: DiscoveryResult.optional(),
  archive: ArchiveResult.optional(),
});
export type PluginTestReport = z.infer<typeof PluginTestReport>;

export const PluginLogRecord = z.object({
  time: z.string(),
  plugin: z.string(),
  level: z.enum(['debug', 'info', 'warn', 'error']),
  message: z.string(),
  fields: z.record(z.string(), z.unknown()).optional(),
});
export type PluginLogRecord = z.infer<typeof PluginLogRecord>;
