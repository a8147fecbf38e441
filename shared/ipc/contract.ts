import { z } from 'zod';
import {
  ConfigIssue,
  PluginConfigView,
  PluginDetail,
  PluginHealthReport,
  PluginSummary,
  PluginTestReport,
} from '../domain/plugins';
import { AppSettings, AppSettingsPatch } from '../domain/settings';
import { call, defineContract, event } from './define';

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
    'plugins.test': call({
      description: 'Health check, optionally a discovery dry run and one real archive of a URL.',
      input: PluginRef.extend({
        discover: z.boolean().default(false),
        archiveUrl: z.string().max(8192).optional(),
      }),
      output: PluginTestReport,
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
    'settings.changed': event({
      description: 'The app preferences: sent once on subscribe, then whenever they change.',
      params: NoInput,
      data: AppSettings,
    }),
  },
});

export type HavenContract = typeof havenContract;
