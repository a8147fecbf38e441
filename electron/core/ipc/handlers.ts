import path from 'node:path';
import { HavenError } from '@shared/ipc/errors';
import type { AppInfo, HavenContract } from '@shared/ipc/contract';
import type { PluginHealthReport } from '@shared/domain/plugins';
import type { CallHandlers, EventHandlers } from './router';
import type { PluginCatalog } from '../plugins/catalog';
import type { PluginRuntime } from '../plugins/runtime';
import type { SettingsService } from '../storage/settings';
import { sourceFromUrl } from '../plugins/sources';
import type { JobQueue } from '../jobs/queue';
import type { ArchiveIndex } from '../library/archiveIndex';

export interface HandlerServices {
  info: AppInfo;
  catalog: PluginCatalog;
  plugins: PluginRuntime;
  settings: SettingsService;
  jobs: JobQueue;
  library: ArchiveIndex;
}

const selection = (input: { ids?: string[] | undefined; all: boolean }): readonly string[] | 'all' => (input.all ? 'all' : (input.ids ?? []));

/** Binds every call and event of the contract to Core's services. */
export function createHandlers(services: HandlerServices): {
  calls: CallHandlers<HavenContract>;
  events: EventHandlers<HavenContract>;
} {
  const { info, catalog, plugins, settings, jobs, library } = services;
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
      'jobs.list': (filter) => jobs.list(filter),
      'jobs.get': ({ id }) => jobs.get(id),
      'jobs.counts': () => jobs.counts(),
      'jobs.archive': ({ url, plugin, force }) => {
        const source = sourceFromUrl(url);
        const target = plugin ? { plugin: plugins.resolve(plugin).key, kind: plugins.kindFor(plugin) } : plugins.routeUrl(source.uri);
        return jobs.enqueueArchive(target.plugin, source, { force, kind: target.kind, reason: 'requested by the user', byUser: true });
      },
      'jobs.discover': ({ name }) => {
        const entry = plugins.resolve(name);
        if (!entry.discovered.manifest?.capabilities.includes('DISCOVER')) {
          throw new HavenError('FORBIDDEN', `${entry.key} does not declare the DISCOVER capability`);
        }
        return jobs.enqueueDiscover(entry.key);
      },
      'jobs.pause': (input) => ({ count: jobs.pause(selection(input)) }),
      'jobs.resume': (input) => ({ count: jobs.resume(selection(input)) }),
      'jobs.cancel': (input) => ({ count: jobs.cancel(selection(input)) }),
      'jobs.retry': ({ ids, failed }) => ({ count: jobs.retry(failed ? 'failed' : (ids ?? [])) }),
      'jobs.unskip': (input) => ({ count: jobs.unskip(selection(input)) }),
      'library.search': (query) => library.search(query),
      'library.get': ({ id }) => library.get(id),
      'library.delete': async ({ id, deleteFile }) => {
        await library.delete(id, deleteFile);
        return null;
      },
      'library.import': ({ dir }) => jobs.enqueueImport(path.resolve(dir)),
      'library.verify': () => jobs.enqueueVerify(),
      'settings.get': () => settings.get(),
      'settings.update': (patch) => settings.update(patch),
    },
    events: {
      'plugins.changed': (_params, sink) => {
        sink.next({ plugins: plugins.list() });
        return plugins.onDidChange((list) => sink.next({ plugins: list }));
      },
      'jobs.updated': (_params, sink) => jobs.onDidUpdate((job) => sink.next(job)),
      'jobs.progress': ({ jobId }, sink) => jobs.onProgress((event) => {
        if (!jobId || event.jobId === jobId) sink.next(event);
      }),
      'jobs.counts': (_params, sink) => {
        sink.next(jobs.counts());
        return jobs.onCounts((counts) => sink.next(counts));
      },
      'library.changed': (_params, sink) => library.onDidChange((change) => sink.next(change)),
      'settings.changed': (_params, sink) => {
        sink.next(settings.get());
        return settings.onDidChange((value) => sink.next(value));
      },
    },
  };
}
