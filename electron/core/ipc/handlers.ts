import type { AppInfo, HavenContract } from '@shared/ipc/contract';
import type { CallHandlers, EventHandlers } from './router';
import type { PluginManager } from '../plugins/manager';
import type { SettingsService } from '../storage/settings';

export interface HandlerServices {
  info: AppInfo;
  plugins: PluginManager;
  settings: SettingsService;
}

/** Binds every call and event of the contract to Core's services. */
export function createHandlers(services: HandlerServices): {
  calls: CallHandlers<HavenContract>;
  events: EventHandlers<HavenContract>;
} {
  const { info, plugins, settings } = services;
  return {
    calls: {
      'app.info': () => info,
      'plugins.list': () => ({ plugins: plugins.list() }),
      'plugins.rescan': () => ({ plugins: plugins.rescan() }),
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
