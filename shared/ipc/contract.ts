import { z } from 'zod';
import { PluginSummary } from '../domain/plugins';
import { AppSettings, AppSettingsPatch } from '../domain/settings';
import { call, defineContract, event } from './define';

const NoInput = z.strictObject({});

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
      description: 'Every plugin Core found, valid or not.',
      input: NoInput,
      output: z.object({ plugins: z.array(PluginSummary) }),
    }),
    'plugins.rescan': call({
      description: 'Search the plugin folders again now.',
      input: NoInput,
      output: z.object({ plugins: z.array(PluginSummary) }),
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
