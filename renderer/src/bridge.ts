import { createClient, type IpcClient } from '@shared/ipc/client';
import type { HavenContract } from '@shared/ipc/contract';
import type { PackagePreview } from '@shared/domain/packages';
import type { AppSettingsPatch, PipelineDryRun } from '@shared/domain/settings';
import { DisposableStore } from '@shared/lifecycle';
import type { Connector } from './ipc/connectors';
import { useConnectionStore } from './stores/connectionStore';
import { usePluginsStore } from './stores/pluginsStore';
import { useSettingsStore } from './stores/settingsStore';
import { TAB_STATES, useJobsStore, type JobTab } from './stores/jobsStore';
import { useLibraryStore } from './stores/libraryStore';
import { notifyFinished } from './notifications';
import { useCatalogStore, useInstallStore, type InstallState } from './stores/catalogStore';
import { usePluginDetailStore } from './stores/pluginDetailStore';
import { useToastStore } from './stores/toastStore';

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

let openSerial = 0;

/** Opens one item by its id (clicked, or the route `#/library/<id>` from a notification), with what processors made from it. */
export async function openLibraryItem(id: number): Promise<void> {
  if (!client) return;
  const serial = ++openSerial;
  useLibraryStore.getState().itemSelected(id);
  try {
    const item = await client.call('library.get', { id });
    // A later click (or closing the panel) wins over this answer.
    if (serial === openSerial && useLibraryStore.getState().selectedId === id) useLibraryStore.getState().itemOpened(item);
  } catch (error) {
    if (serial === openSerial) useLibraryStore.getState().searchFailed(errorText(error));
  }
}

/** Reads the open item again after a change, leaving the selection as the user has it. */
async function refreshOpenItem(id: number): Promise<void> {
  try {
    const item = await requireClient().call('library.get', { id });
    if (useLibraryStore.getState().selectedId === id) useLibraryStore.getState().itemRefreshed(item);
  } catch {
    // Deleted meanwhile: the list refresh removes it.
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
  refreshTimer = window.setTimeout(() => {
    void searchLibrary().then(() => {
      // The list's copies carry no derived files: the open item is read again in full.
      const { selectedId, items } = useLibraryStore.getState();
      if (selectedId !== undefined && items.some((item) => item.id === selectedId)) void refreshOpenItem(selectedId);
    });
  }, 400);
}

/** What a source plugin's pipeline would do with its newest item; an error as text. */
export async function dryRunPipeline(source: string): Promise<PipelineDryRun | string> {
  try {
    return await requireClient().call('pipelines.dryRun', { source });
  } catch (error) {
    return errorText(error);
  }
}

/** Queues the item's source pipeline for it now; returns the error to show, if any. */
export async function runPipeline(itemId: number): Promise<string | undefined> {
  try {
    await requireClient().call('pipelines.run', { itemId });
    return undefined;
  } catch (error) {
    return errorText(error);
  }
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

// ----- plugin detail -----

let logSubscription: { dispose(): void } | undefined;
/** Counts plugin pages opened; answers for a page the user already left are dropped. */
let pluginVisit = 0;

/** Opens a plugin's page: details, settings, README, icon, recent jobs, and a live log. */
export async function openPlugin(name: string): Promise<void> {
  const store = usePluginDetailStore.getState();
  if (store.name !== name) store.pluginOpened(name);
  closePlugin();
  const visit = ++pluginVisit;
  if (!client) return;
  const current = client;
  const stillHere = (): boolean => visit === pluginVisit && client === current;
  try {
    const info = await current.call('plugins.info', { name });
    if (!stillHere()) return;
    usePluginDetailStore.getState().infoReceived(info);
    const [readme, icon, logs, jobs] = await Promise.all([
      current.call('plugins.readme', { name }),
      current.call('plugins.icon', { name }),
      current.call('plugins.logs', { name, limit: 300 }),
      current.call('jobs.list', { plugin: info.name, limit: 20 }),
    ]);
    if (!stillHere()) return;
    usePluginDetailStore.getState().readmeReceived(readme.markdown, icon.dataUrl);
    usePluginDetailStore.getState().logsReceived(logs.records);
    usePluginDetailStore.getState().jobsReceived(jobs.jobs);
    // The connection's end disposes it too (session); a later page or closePlugin, sooner.
    logSubscription = current.subscribe('plugins.log', { name }, { onData: (record) => usePluginDetailStore.getState().logRecordReceived(record) });
    if (info.state !== 'invalid' && info.state !== 'blocked') {
      const config = await current.call('plugins.config.get', { name }, { timeoutMs: 60_000 });
      if (!stillHere()) return;
      usePluginDetailStore.getState().configReceived(config);
    }
    usePluginDetailStore.getState().detailFailed(undefined);
  } catch (error) {
    if (stillHere()) usePluginDetailStore.getState().detailFailed(errorText(error));
  }
}

export function closePlugin(): void {
  pluginVisit++;
  logSubscription?.dispose();
  logSubscription = undefined;
}

/** Saves settings; resolves with Core's issues when it refuses them. */
export async function savePluginConfig(name: string, values: Record<string, unknown>): Promise<{ path: string; message: string }[] | undefined> {
  try {
    const result = await requireClient().call('plugins.config.set', { name, values, replace: true }, { timeoutMs: 60_000 });
    if (!result.ok) return result.issues;
    usePluginDetailStore.getState().configReceived(result.config);
    return undefined;
  } catch (error) {
    return [{ path: '', message: errorText(error) }];
  }
}

export async function refreshPluginInfo(name: string): Promise<void> {
  try {
    usePluginDetailStore.getState().infoReceived(await requireClient().call('plugins.info', { name }));
  } catch {
    // The page shows the last state it had.
  }
}

/** Runs one of a plugin's actions; its answer shows beside the button. */
export async function runPluginAction(name: string, action: string, input?: string): Promise<void> {
  const store = usePluginDetailStore.getState();
  store.actionStarted(action);
  try {
    const { message } = await requireClient().call('plugins.action', { name, action, ...(input ? { input } : {}) }, { timeoutMs: 15 * 60_000 + 5_000 });
    usePluginDetailStore.getState().actionFinished(action, { ok: true, message });
    void refreshPluginInfo(name);
  } catch (error) {
    usePluginDetailStore.getState().actionFinished(action, { ok: false, message: errorText(error) });
  }
}

/**
 * Archives a small file dropped on the window (a .torrent): Core keeps a copy and queues it for
 * the plugin that claims it. The answer shows as a toast; the job appears on the Jobs page.
 */
export async function archiveDroppedFile(fileName: string, bytes: Uint8Array): Promise<void> {
  const toast = useToastStore.getState().toastAdded;
  try {
    const job = await requireClient().call('jobs.archiveFile', { fileName, data: toBase64(bytes) }, { timeoutMs: 60_000 });
    const done = job.state === 'skipped';
    toast({ title: done ? `${fileName}: already archived` : `${fileName} queued`, body: done ? 'It is in your library already.' : `${job.plugin} archives it; follow it on the Jobs page.`, tone: 'ok' });
  } catch (error) {
    toast({ title: `${fileName} cannot be archived`, body: errorText(error), tone: 'fail' });
  }
}

/** Reads one of a plugin's views into the store (the open view asks again every few seconds). */
const viewReads = new Set<string>();

export async function loadViewRows(name: string, view: string): Promise<void> {
  // One read at a time per view: a slow plugin is not asked again until it answered.
  const key = `${name}\u0000${view}`;
  if (viewReads.has(key)) return;
  viewReads.add(key);
  try {
    const { rows } = await requireClient().call('plugins.view', { name, view });
    if (usePluginDetailStore.getState().info?.name === name) usePluginDetailStore.getState().viewRowsReceived(view, rows);
  } catch (error) {
    if (usePluginDetailStore.getState().info?.name === name) usePluginDetailStore.getState().viewRowsFailed(view, errorText(error));
  } finally {
    viewReads.delete(key);
  }
}

/** Runs a row action of a view (stop, remove), then reads the view again. */
export async function runViewAction(name: string, view: string, action: string, row: string): Promise<void> {
  usePluginDetailStore.getState().rowActionStarted(`${action}:${row}`);
  try {
    const { message } = await requireClient().call('plugins.viewAction', { name, view, action, row }, { timeoutMs: 5 * 60_000 + 5_000 });
    if (usePluginDetailStore.getState().info?.name === name) usePluginDetailStore.getState().rowActionFinished(view, { ok: true, message });
  } catch (error) {
    if (usePluginDetailStore.getState().info?.name === name) usePluginDetailStore.getState().rowActionFinished(view, { ok: false, message: errorText(error) });
  }
  // The answer to a read that started before the action would show the row as it was.
  while (viewReads.has(`${name}\u0000${view}`)) await new Promise((resolve) => setTimeout(resolve, 50));
  await loadViewRows(name, view);
}

export async function runPluginTest(name: string, kind: 'health' | 'discover' | 'archive', url?: string): Promise<void> {
  const store = usePluginDetailStore.getState();
  store.testStarted(kind);
  try {
    if (kind === 'health') {
      const { results } = await requireClient().call('plugins.health', { names: [name] }, { timeoutMs: 60_000 });
      const health = results[0];
      usePluginDetailStore.getState().testFinished(kind, { ok: health?.result.status !== 'fail', ...(health ? { health } : {}) });
    } else {
      const report = await requireClient().call('plugins.test', { name, discover: kind === 'discover', ...(kind === 'archive' && url ? { archiveUrl: url } : {}) }, { timeoutMs: 3600_000 });
      usePluginDetailStore.getState().testFinished(kind, { ok: report.health.result.status !== 'fail', report });
    }
  } catch (error) {
    usePluginDetailStore.getState().testFinished(kind, { ok: false, message: errorText(error) });
  }
  void refreshPluginInfo(name);
}

export async function reloadPlugin(name: string): Promise<string | undefined> {
  try {
    await requireClient().call('plugins.reload', { name }, { timeoutMs: 60_000 });
    void openPlugin(name);
    return undefined;
  } catch (error) {
    return errorText(error);
  }
}

export async function uninstallPlugin(name: string, deleteData: boolean): Promise<string | undefined> {
  try {
    await requireClient().call('plugins.uninstall', { name, deleteData }, { timeoutMs: 60_000 });
    return undefined;
  } catch (error) {
    return errorText(error);
  }
}

// ----- catalog and install -----

export async function loadCatalog(): Promise<void> {
  if (!client) return;
  useCatalogStore.getState().catalogLoading();
  try {
    const { plugins, problems } = await client.call('catalog.list', {}, { timeoutMs: 60_000 });
    useCatalogStore.getState().catalogLoaded(plugins, problems);
  } catch (error) {
    useCatalogStore.getState().catalogLoaded([], [{ catalog: 'catalogs', error: errorText(error) }]);
  }
}

function discardStaged(stagingId: string): void {
  void client?.call('packages.discard', { stagingId }).catch(() => undefined);
}

/**
 * Starts an install attempt and returns its `apply`: updates for it reach the store only while
 * it is still the dialog's attempt (not closed, not replaced by another drop).
 */
export function beginInstall(label: string): (update: (store: InstallState) => void) => boolean {
  const { preview, phase } = useInstallStore.getState();
  if (preview && phase === 'preview') discardStaged(preview.stagingId);
  useInstallStore.getState().installStarted(label);
  const attempt = useInstallStore.getState().attempt;
  return (update) => {
    const state = useInstallStore.getState();
    if (state.attempt !== attempt) return false;
    update(state);
    return true;
  };
}

/** Shows a staged package in the dialog, or forgets it on Core when the user moved on. */
function showPreview(apply: ReturnType<typeof beginInstall>, preview: PackagePreview): void {
  if (!apply((store) => store.previewReceived(preview))) discardStaged(preview.stagingId);
}

/** Closes the install dialog (not while installing); a package it showed is discarded. */
export function cancelInstall(): void {
  const { phase, preview } = useInstallStore.getState();
  if (phase === 'installing') return;
  if (preview && phase === 'preview') discardStaged(preview.stagingId);
  useInstallStore.getState().installClosed();
}

export async function stageFromCatalog(name: string, version?: string): Promise<void> {
  const apply = beginInstall(`${name}${version ? ` ${version}` : ''}`);
  try {
    showPreview(apply, await requireClient().call('catalog.stage', { name, ...(version ? { version } : {}) }, { timeoutMs: 120_000 }));
  } catch (error) {
    apply((store) => store.installFailed(errorText(error)));
  }
}

const CHUNK = 512 * 1024;

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** Sends a package to Core in chunks (the web UI), or by path (the desktop app), and shows its preview. */
export async function stagePackage(apply: ReturnType<typeof beginInstall>, source: { bytes: Uint8Array } | { path: string }): Promise<void> {
  try {
    const current = requireClient();
    if ('path' in source) {
      showPreview(apply, await current.call('packages.stage', { path: source.path }, { timeoutMs: 120_000 }));
      return;
    }
    const { uploadId } = await current.call('packages.uploadBegin', { size: source.bytes.length });
    for (let offset = 0; offset < source.bytes.length; offset += CHUNK) {
      const chunk = source.bytes.subarray(offset, offset + CHUNK);
      await current.call('packages.uploadChunk', { uploadId, offset, data: toBase64(chunk) });
      // Closed meanwhile: stop sending; Core drops the unfinished upload after a while.
      if (!apply((store) => store.uploadProgressed(offset + chunk.length, source.bytes.length))) return;
    }
    showPreview(apply, await current.call('packages.uploadFinish', { uploadId }, { timeoutMs: 120_000 }));
  } catch (error) {
    apply((store) => store.installFailed(errorText(error)));
  }
}

export async function confirmInstall(): Promise<void> {
  const { preview } = useInstallStore.getState();
  if (!preview) return;
  useInstallStore.getState().installConfirmed();
  try {
    const summary = await requireClient().call('packages.install', { stagingId: preview.stagingId }, { timeoutMs: 120_000 });
    useInstallStore.getState().installSucceeded(summary.name);
    void loadCatalog();
  } catch (error) {
    useInstallStore.getState().installFailed(errorText(error));
  }
}
