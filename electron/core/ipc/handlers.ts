import { HavenError } from '@shared/ipc/errors';
import type { AppInfo, HavenContract } from '@shared/ipc/contract';
import type { PluginHealthReport } from '@shared/domain/plugins';
import type { CallHandlers, EventHandlers } from './router';
import type { PluginCatalog } from '../plugins/catalog';
import type { PluginRuntime } from '../plugins/runtime';
import type { SettingsService } from '../storage/settings';
import { sourceFromUrl } from '../plugins/sources';

export interface HandlerServices {
  info: AppInfo;
  catalog: PluginCatalog;
  plugins: PluginRuntime;
  settings: SettingsService;
}

/** Binds every call and event of the contract to Core's services. */
export function createHandlers(services: HandlerServices): {
  calls: CallHandlers<HavenContract>;
  events: EventHandlers<HavenContract>;
} {
  const { info, catalog, plugins, settings } = services;
  return {
    calls: {
      'app.info': () => info,
      'plugins.list': () => ({ plugins: plugins.list() }),
      'plugins.rescan': () => {
        catalog.rescan();
        return { plugins: plugins.list() };
      },
      'plugins.info': ({ name }) => plugins.info(name),
      'plugins.enable': ({ name }) => plugins.enable(name),
      'plugins.disable': ({ name }) => plugins.disable(name),
      'plugins.reload': ({ name }) => plugins.reload(name),
      'plugins.config.get': ({ name }) => plugins.getConfig(name),
      'plugins.config.set': ({ name, values, replace }) => plugins.setConfig(name, values, replace),
      'plugins.health': async ({ names }) => ({ results: await plugins.health(names) }),
      'plugins.test': async ({ name, discover, archiveUrl }) => {
        const entry = plugins.resolve(name);
        const [health] = (await plugins.health([entry.key])) as [PluginHealthReport];
        if (health.result.status === 'fail') return { name: entry.key, health };
        const discovery = discover ? await plugins.discover(entry.key, true) : undefined;
        let archive;
        if (archiveUrl) {
          const source = sourceFromUrl(archiveUrl);
          archive = await plugins.archive(entry.key, source, `test-${Date.now().toString(36)}`);
          if (!archive.success) throw new HavenError('UNAVAILABLE', `archive failed: ${archive.error ?? 'no reason given'}`);
        }
        return { name: entry.key, health, ...(discovery ? { discovery } : {}), ...(archive ? { archive } : {}) };
      },
      'settings.get': () => settings.get(),
      'settings.update': (patch) => settings.update(patch),
    },
    events: {
      'plugins.changed': (_params, sink) => {
        sink.next({ plugins: plugins.list() });
        return plugins.onDidChange((list) => sink.next({ plugins: list }));
      },
      'settings.changed': (_params, sink) => {
        sink.next(settings.get());
        return settings.onDidChange((value) => sink.next(value));
      },
    },
  };
}
