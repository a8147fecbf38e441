import { createClient, type IpcClient } from '@shared/ipc/client';
import type { HavenContract } from '@shared/ipc/contract';
import type { AppSettingsPatch } from '@shared/domain/settings';
import { DisposableStore } from '@shared/lifecycle';
import type { Connector } from './ipc/connectors';
import { useConnectionStore } from './stores/connectionStore';
import { usePluginsStore } from './stores/pluginsStore';
import { useSettingsStore } from './stores/settingsStore';
import { TAB_STATES, useJobsStore, type JobTab } from './stores/jobsStore';
import { useLibraryStore } from './stores/libraryStore';
import { notifyFinished } from './notifications';

/**
 * The single module that talks to Core: it keeps a connection open (reconnecting with backoff),
 * feeds the stores from the contract's events, and offers the commands components may run.
 * Components only select from stores and call these commands.
 */

const RETRY_DELAYS_MS = [500, 1000, 2000, 5000, 10_000];

let client: IpcClient<HavenContract> | undefined;
let session = new DisposableStore();
let retryTimer: number | undefined;
let attempt = 0;
let retryScheduled = false;
let activeConnector: Connector | undefined;

export function startBridge(connector: Connector): void {
  activeConnector = connector;
  void connect();
}

async function connect(): Promise<void> {
  const connector = activeConnector;
  if (!connector) return;
  window.clearTimeout(retryTimer);
  retryScheduled = false;
  useConnectionStore.getState().connectionAttempted(connector.transport);
  try {
    const protocol = await connector.connect();
    session.dispose();
    session = new DisposableStore();
    const next = createClient<HavenContract>(protocol);
    client = next;
    session.add(next);
    session.add(next.onDidClose(() => void scheduleRetry()));
    const info = await next.call('app.info', {});
    attempt = 0;
    useConnectionStore.getState().connectionOpened(info);
    session.add(
      next.subscribe('plugins.changed', {}, { onData: (data) => usePluginsStore.getState().pluginsReceived(data.plugins) }),
    );
    session.add(
      next.subscribe('settings.changed', {}, { onData: (data) => useSettingsStore.getState().settingsReceived(data) }),
    );
    session.add(next.subscribe('jobs.counts', {}, { onData: (counts) => useJobsStore.getState().countsReceived(counts) }));
    session.add(
      next.subscribe('jobs.updated', {}, {
        onData: (job) => {
          const before = useJobsStore.getState().byId[job.id]?.state;
          useJobsStore.getState().jobUpdated(job);
          if (before !== job.state && ['completed', 'failed'].includes(job.state)) notifyFinished(job);
          if (useJobsStore.getState().selectedId === job.id) void openJob(job.id);
        },
      }),
    );
    session.add(
      next.subscribe('jobs.progress', {}, { onData: (event) => useJobsStore.getState().jobProgressReceived(event.jobId, event.progress) }),
    );
    session.add(next.subscribe('library.changed', {}, { onData: () => scheduleLibraryRefresh() }));
    void loadJobs();
    void searchLibrary();
  } catch {
    await scheduleRetry();
  }
}

async function scheduleRetry(): Promise<void> {
  const connector = activeConnector;
  if (!connector || retryScheduled) return;
  retryScheduled = true;
  client = undefined;
  const delay = RETRY_DELAYS_MS[Math.min(attempt, RETRY_DELAYS_MS.length - 1)] ?? 10_000;
  attempt++;
  const problem = await connector.diagnose();
  useConnectionStore.getState().connectionLost(problem, Date.now() + delay);
  window.clearTimeout(retryTimer);
  retryTimer = window.setTimeout(() => void connect(), delay);
}

export function retryNow(): void {
  attempt = 0;
  void connect();
}

function requireClient(): IpcClient<HavenContract> {
  if (!client) throw new Error('Not connected to Haven Core');
  return client;
}

export async function rescanPlugins(): Promise<void> {
  const store = usePluginsStore.getState();
  store.rescanStarted();
  try {
    const { plugins } = await requireClient().call('plugins.rescan', {});
    usePluginsStore.getState().pluginsReceived(plugins);
  } finally {
    usePluginsStore.getState().rescanFinished();
  }
}

export async function updateSettings(patch: AppSettingsPatch): Promise<boolean> {
  try {
    const settings = await requireClient().call('settings.update', patch);
    useSettingsStore.getState().settingsReceived(settings);
    useSettingsStore.getState().settingsSaveSucceeded();
    return true;
  } catch (error) {
    useSettingsStore.getState().settingsSaveFailed(error instanceof Error ? error.message : String(error));
    return false;
  }
}

export async function setPluginEnabled(name: string, enabled: boolean): Promise<void> {
  usePluginsStore.getState().toggleStarted(name);
  try {
    await requireClient().call(enabled ? 'plugins.enable' : 'plugins.disable', { name }, { timeoutMs: 60_000 });
    usePluginsStore.getState().toggleFinished(name);
  } catch (error) {
    const message = error instanceof Error ? error.message.replace(/^plugins\.\w+: /, '') : String(error);
    usePluginsStore.getState().toggleFinished(name, message);
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message.replace(/^[a-z]+(\.[a-zA-Z]+)+: /, '') : String(error);
}

// ----- jobs -----

const PAGE = 500;

export async function loadJobs(append = false): Promise<void> {
  if (!client) return;
  const { tab, ids } = useJobsStore.getState();
  const states = TAB_STATES[tab];
  try {
    const { jobs, total } = await client.call('jobs.list', { ...(states ? { states } : {}), limit: PAGE, offset: append ? ids.length : 0 });
    if (useJobsStore.getState().tab === tab) useJobsStore.getState().jobsLoaded(jobs, total, append);
  } catch (error) {
    useJobsStore.getState().actionFailed(errorText(error));
  }
}

export function selectJobTab(tab: JobTab): void {
  useJobsStore.getState().tabSelected(tab);
  void loadJobs();
}

export async function openJob(id: string | undefined): Promise<void> {
  if (useJobsStore.getState().selectedId !== id) useJobsStore.getState().jobSelected(id);
  if (!id || !client) return;
  try {
    useJobsStore.getState().detailReceived(await client.call('jobs.get', { id }));
  } catch (error) {
    useJobsStore.getState().actionFailed(errorText(error));
  }
}

type JobAction = 'jobs.pause' | 'jobs.resume' | 'jobs.cancel' | 'jobs.unskip';

export async function actOnJobs(action: JobAction, ids: string[] | 'all'): Promise<void> {
  try {
    await requireClient().call(action, ids === 'all' ? { all: true } : { ids });
    useJobsStore.getState().actionFailed(undefined);
  } catch (error) {
    useJobsStore.getState().actionFailed(errorText(error));
  }
}

export async function retryJobs(ids: string[] | 'failed'): Promise<void> {
  try {
    await requireClient().call('jobs.retry', ids === 'failed' ? { failed: true } : { ids });
    useJobsStore.getState().actionFailed(undefined);
  } catch (error) {
    useJobsStore.getState().actionFailed(errorText(error));
  }
}

/** Queues a URL; returns the error to show next to the field, if any. */
export async function archiveUrl(url: string, plugin?: string): Promise<string | undefined> {
  try {
    await requireClient().call('jobs.archive', { url, ...(plugin ? { plugin } : {}) });
    return undefined;
  } catch (error) {
    return errorText(error);
  }
}

// ----- library -----

let searchTimer: number | undefined;
let refreshTimer: number | undefined;
let searchSerial = 0;

export async function searchLibrary(append = false): Promise<void> {
  if (!client) return;
  const { text, plugin, mediaType, sinceDays, items } = useLibraryStore.getState();
  const serial = ++searchSerial;
  useLibraryStore.getState().searchStarted();
  try {
    const result = await client.call('library.search', {
      ...(text.trim() ? { text } : {}),
      ...(plugin ? { plugin } : {}),
      ...(mediaType ? { mediaType } : {}),
      ...(sinceDays ? { from: new Date(Date.now() - sinceDays * 86_400_000).toISOString() } : {}),
      limit: 200,
      offset: append ? items.length : 0,
    });
    // An older, slower answer must not replace the one for what the user typed last.
    if (serial === searchSerial) useLibraryStore.getState().resultsReceived(result.items, result.total, append);
  } catch (error) {
    if (serial === searchSerial) useLibraryStore.getState().searchFailed(errorText(error));
  }
}

/** Search as you type: a short pause after the last key. */
export function libraryQueryChanged(query: { text?: string; plugin?: string | undefined; mediaType?: string | undefined; sinceDays?: number | undefined }): void {
  useLibraryStore.getState().queryChanged(query);
  window.clearTimeout(searchTimer);
  searchTimer = window.setTimeout(() => void searchLibrary(), 150);
}

function scheduleLibraryRefresh(): void {
  window.clearTimeout(refreshTimer);
  refreshTimer = window.setTimeout(() => void searchLibrary(), 400);
}

export async function deleteLibraryItem(id: number, deleteFile: boolean): Promise<string | undefined> {
  try {
    await requireClient().call('library.delete', { id, deleteFile });
    useLibraryStore.getState().itemRemoved(id);
    return undefined;
  } catch (error) {
    return errorText(error);
  }
}
