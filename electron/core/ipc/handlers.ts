import fs from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import { HavenError } from '@shared/ipc/errors';
import type { AppInfo, HavenContract } from '@shared/ipc/contract';
import type { PluginHealthReport } from '@shared/domain/plugins';
import type { CallHandlers, EventHandlers } from './router';
import type { PluginCatalog } from '../plugins/catalog';
import type { PluginRuntime } from '../plugins/runtime';
import type { SettingsService } from '../storage/settings';
import { sourceFromUrl } from '../plugins/sources';
import { keepDroppedFile, safeDroppedName } from '../library/droppedFiles';
import type { JobQueue } from '../jobs/queue';
import type { ArchiveIndex } from '../library/archiveIndex';
import type { DerivedFiles } from '../library/derivedFiles';
import { dryRunPipeline } from '../jobs/pipelines';
import { availableFrom, loadCatalog, type LoadedCatalog } from '../plugins/packages/catalogs';
import type { PackageManager } from '../plugins/packages/manager';
import { readIcon, readReadme } from '../plugins/pluginFiles';
import type { PluginLogBook } from '../plugins/pluginLogs';

export interface HandlerServices {
  info: AppInfo;
  catalog: PluginCatalog;
  plugins: PluginRuntime;
  settings: SettingsService;
  jobs: JobQueue;
  library: ArchiveIndex;
  derived: DerivedFiles;
  packages: PackageManager;
  pluginLogs: PluginLogBook;
  /** The catalog index that ships with Haven, if any. */
  builtinCatalog?: string;
  /** Where files dropped on the window to archive are kept (HAVEN_HOME/dropped). */
  droppedDir: string;
}

const selection = (input: { ids?: string[] | undefined; all: boolean }): readonly string[] | 'all' => (input.all ? 'all' : (input.ids ?? []));

/** Binds every call and event of the contract to Core's services. */
export function createHandlers(services: HandlerServices): {
  calls: CallHandlers<HavenContract>;
  events: EventHandlers<HavenContract>;
} {
  const { info, catalog, plugins, settings, jobs, library, packages, pluginLogs } = services;
  const catalogSources = (): string[] => [...(services.builtinCatalog ? [services.builtinCatalog] : []), ...settings.get().catalogs];
  const loadCatalogs = async (): Promise<{ loaded: LoadedCatalog[]; problems: { catalog: string; error: string }[] }> => {
    const results = await Promise.allSettled(catalogSources().map((source) => loadCatalog(source)));
    const loaded: LoadedCatalog[] = [];
    const problems: { catalog: string; error: string }[] = [];
    results.forEach((result, i) => {
      if (result.status === 'fulfilled') loaded.push(result.value);
      else problems.push({ catalog: catalogSources()[i]!, error: result.reason instanceof Error ? result.reason.message : String(result.reason) });
    });
    return { loaded, problems };
  };
  const archiveUrl = (url: string, plugin: string | undefined, force: boolean, durationSeconds?: number) => {
    const given = sourceFromUrl(url);
    const target = plugin ? { plugin: plugins.resolve(plugin).key, kind: plugins.kindFor(plugin) } : plugins.routeUrl(given.uri);
    let source = plugins.sourceFor(target.plugin, given);
    if (target.kind === 'record') {
      // A stream is recorded again each time it is asked for (a new library item), unless it is being recorded now.
      const active = jobs.list({ plugin: target.plugin, states: ['queued', 'running', 'paused'], limit: 1000 }).jobs.find((job) => job.kind === 'record' && job.uri === source.uri);
      if (active) return active;
      // Named by its folder (the stream and the time), not the playlist's file name.
      const { title: _fileName, ...rest } = source;
      source = { ...rest, mediaType: 'video', sourceId: `${source.sourceId}@${new Date().toISOString()}`, metadata: { ...source.metadata, ...(durationSeconds ? { durationSeconds } : {}) } };
    }
    return jobs.enqueueArchive(target.plugin, source, { force, kind: target.kind, reason: 'requested by the user', byUser: true });
  };
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
      'plugins.actions': async ({ name }) => ({ actions: await plugins.actions(name) }),
      'plugins.action': async ({ name, action, input }) => ({ message: await plugins.runAction(name, action, input) }),
      'plugins.view': async ({ name, view }) => ({ rows: await plugins.viewRows(name, view) }),
      'plugins.viewAction': async ({ name, view, action, row }) => ({ message: await plugins.viewAction(name, view, action, row) }),
      'plugins.test': async ({ name, discover, archiveUrl }) => {
        const entry = plugins.resolve(name);
        const [health] = (await plugins.health([entry.key])) as [PluginHealthReport];
        if (health.result.status === 'fail') return { name: entry.key, health };
        const discovery = discover ? await plugins.discover(entry.key, true) : undefined;
        let archive;
        if (archiveUrl) {
          const source = plugins.sourceFor(entry.key, sourceFromUrl(archiveUrl));
          archive = await plugins.archive(entry.key, source, `test-${Date.now().toString(36)}`);
          if (!archive.success) throw new HavenError('UNAVAILABLE', `archive failed: ${archive.error ?? 'no reason given'}`);
        }
        return { name: entry.key, health, ...(discovery ? { discovery } : {}), ...(archive ? { archive } : {}) };
      },
      'jobs.list': (filter) => jobs.list(filter),
      'jobs.get': ({ id }) => jobs.get(id),
      'jobs.counts': () => jobs.counts(),
      'jobs.archive': ({ url, plugin, force, durationSeconds }) => archiveUrl(url, plugin, force, durationSeconds),
      'jobs.archiveFile': ({ fileName, data, plugin }) => {
        const bytes = Buffer.from(data, 'base64');
        // Which plugin takes it is settled (by the name it is kept under) before anything is written.
        if (plugin) plugins.resolve(plugin);
        else {
          try {
            plugins.routeUrl(`file:///${encodeURIComponent(safeDroppedName(fileName))}`);
          } catch {
            throw new HavenError('NOT_FOUND', `no enabled plugin archives files like ${fileName} (each claims the files it takes, such as BitTorrentPlugin's .torrent; see Plugins)`);
          }
        }
        return archiveUrl(keepDroppedFile(services.droppedDir, fileName, bytes), plugin, false);
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
      'library.search': (query) => {
        const found = library.search(query);
        const thumbnails = services.derived.thumbnails(found.items.map((item) => item.id));
        return { ...found, items: found.items.map((item) => (thumbnails.has(item.id) ? { ...item, thumbnailId: thumbnails.get(item.id)! } : item)) };
      },
      'library.get': ({ id }) => {
        const item = library.get(id);
        const derived = services.derived.list(id);
        const thumbnail = derived.filter((file) => file.kind === 'thumbnail').at(-1);
        return { ...item, derived, ...(thumbnail ? { thumbnailId: thumbnail.id } : {}) };
      },
      'pipelines.dryRun': ({ source, itemId }) => {
        const sourceKey = plugins.resolve(source).key;
        const item = itemId !== undefined ? library.get(itemId) : library.search({ plugin: sourceKey, limit: 1, offset: 0 }).items[0];
        if (item && item.plugin.toLowerCase() !== sourceKey.toLowerCase()) throw new HavenError('INVALID_INPUT', `item ${item.id} comes from ${item.plugin}, not ${sourceKey}`);
        const steps = (settings.get().pipelines[Object.keys(settings.get().pipelines).find((key) => key.toLowerCase() === sourceKey.toLowerCase()) ?? ''] ?? []);
        const processorOf = (name: string) => {
          try {
            const info = plugins.info(name);
            return { enabled: info.enabled, ...(info.processes ? { processes: info.processes } : {}) };
          } catch {
            return undefined;
          }
        };
        return {
          source: sourceKey,
          ...(item ? { item: { id: item.id, title: item.title, ...(item.mime ? { mime: item.mime } : {}) } } : {}),
          steps: dryRunPipeline(steps, item, processorOf),
        };
      },
      'pipelines.run': ({ itemId }) => {
        const item = library.get(itemId);
        const job = jobs.startPipeline(item, { reason: 'run on this item by the user', byUser: true });
        if (!job) throw new HavenError('NOT_FOUND', `${item.plugin} has no pipeline: add processors on its page (Pipeline)`);
        return job;
      },
      'library.delete': async ({ id, deleteFile }) => {
        await library.delete(id, deleteFile);
        return null;
      },
      'library.import': ({ dir }) => jobs.enqueueImport(path.resolve(dir)),
      'library.verify': () => jobs.enqueueVerify(),
      'plugins.readme': ({ name }) => ({ markdown: readReadme(plugins.resolve(name).discovered.dir) }),
      'plugins.icon': ({ name }) => {
        const entry = plugins.resolve(name);
        return { dataUrl: readIcon(entry.discovered.dir, entry.discovered.manifest?.icon) };
      },
      'plugins.logs': ({ name, limit }) => ({ records: pluginLogs.tail(plugins.resolve(name).key, limit) }),
      'plugins.uninstall': ({ name, deleteData }) => packages.uninstall(name, deleteData),
      'packages.stage': ({ path: target, url, sha256 }) => {
        if ((target ? 1 : 0) + (url ? 1 : 0) !== 1) throw new HavenError('INVALID_INPUT', 'give either a path or a url');
        if (url) return packages.stageUrl(url, sha256);
        const resolved = path.resolve(target!);
        if (fs.existsSync(resolved) && fs.statSync(resolved).isDirectory()) {
          if (sha256) throw new HavenError('INVALID_INPUT', 'a sha256 checks a package file, not a folder');
          return packages.stageFolder(resolved);
        }
        return packages.stageFile(resolved, sha256 ? { expectedSha256: sha256 } : {});
      },
      'packages.uploadBegin': ({ size }) => ({ uploadId: packages.beginUpload(size) }),
      'packages.uploadChunk': ({ uploadId, offset, data }) => {
        const bytes = Buffer.from(data, 'base64');
        if (bytes.length > 512 * 1024) throw new HavenError('TOO_LARGE', 'a chunk holds at most 512 KiB');
        return { received: packages.appendUpload(uploadId, offset, bytes) };
      },
      'packages.uploadFinish': ({ uploadId }) => packages.finishUpload(uploadId),
      'packages.discard': ({ stagingId }) => {
        packages.discard(stagingId);
        return null;
      },
      'packages.install': async ({ stagingId }) => {
        const installed = await packages.install(stagingId);
        const entry = plugins.resolve(installed.name);
        if (!entry.discovered.manifest || entry.discovered.error) throw new HavenError('INVALID_INPUT', `installed, but it cannot load: ${entry.discovered.error ?? 'no manifest'}`);
        // Installing is a request to use it: a plugin that was disabled before is enabled.
        return plugins.enable(installed.name);
      },
      'catalog.list': async () => {
        const { loaded, problems } = await loadCatalogs();
        return { plugins: availableFrom(loaded, plugins.list(), info.version), problems };
      },
      'catalog.stage': async ({ name, version }) => {
        const { loaded } = await loadCatalogs();
        const candidates = availableFrom(loaded, plugins.list(), info.version).filter((p) => p.name.toLowerCase() === name.toLowerCase() && (!version || p.version === version));
        const entry = candidates.sort((a, b) => (semver.gt(a.version, b.version) ? -1 : 1))[0];
        if (!entry) throw new HavenError('NOT_FOUND', `no catalog offers ${name}${version ? ` ${version}` : ''}`);
        if (!entry.compatible) throw new HavenError('CONFLICT', `${entry.name} ${entry.version} cannot be installed: ${entry.incompatibleReason}`);
        const preview = await packages.stageUrl(entry.url, entry.sha256);
        if (preview.manifest.name !== entry.name || preview.manifest.version !== entry.version) {
          packages.discard(preview.stagingId);
          throw new HavenError('CONFLICT', `the catalog says ${entry.name} ${entry.version}, but the package holds ${preview.manifest.name} ${preview.manifest.version}`);
        }
        return preview;
      },
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
      'plugins.log': ({ name }, sink) => {
        const key = name ? plugins.resolve(name).key : undefined;
        return pluginLogs.onRecord((record) => (!key || record.plugin === key) && sink.next(record));
      },
      'settings.changed': (_params, sink) => {
        sink.next(settings.get());
        return settings.onDidChange((value) => sink.next(value));
      },
    },
  };
}
