import { createClient, type IpcClient } from '@shared/ipc/client';
import type { HavenContract } from '@shared/ipc/contract';
import type { AppSettingsPatch } from '@shared/domain/settings';
import { DisposableStore } from '@shared/lifecycle';
import type { Connector } from './ipc/connectors';
import { useConnectionStore } from './stores/connectionStore';
import { usePluginsStore } from './stores/pluginsStore';
import { useSettingsStore } from './stores/settingsStore';

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
