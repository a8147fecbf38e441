import WebSocket from 'ws';
import { createClient, type IpcClient } from '@shared/ipc/client';
import type { HavenContract } from '@shared/ipc/contract';
import { HavenError } from '@shared/ipc/errors';
import { memoryProtocolPair } from '@shared/ipc/transports/memory';
import { fromWebSocket, type WebSocketLike } from '@shared/ipc/transports/websocket';
import { havenPaths, resolveHavenHome } from '../core/home';
import { isProcessAlive, readLock } from '../core/storage/lockfile';
import type { AppLayout } from './appRoot';

export interface CoreSession {
  client: IpcClient<HavenContract>;
  /** 'running': a `haven serve` already owns HAVEN_HOME and answers; 'local': Core runs in this process. */
  mode: 'running' | 'local';
  /**
   * Lets the in-process Core run these jobs (a running `haven serve` runs its queue anyway).
   * The rest of the queue stays for the app.
   */
  runJobs(ids: readonly string[]): void;
  close(): Promise<void>;
}

async function connectToRunning(url: string): Promise<{ client: IpcClient<HavenContract>; socket: WebSocket } | undefined> {
  const parsed = new URL(url);
  const token = parsed.searchParams.get('token') ?? '';
  const socket = new WebSocket(`ws://${parsed.host}/ws?token=${encodeURIComponent(token)}`);
  const opened = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => {
      socket.terminate();
      resolve(false);
    }, 5000);
    socket.once('open', () => {
      clearTimeout(timer);
      resolve(true);
    });
    socket.once('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
  return opened ? { client: createClient<HavenContract>(fromWebSocket(socket as unknown as WebSocketLike)), socket } : undefined;
}

/**
 * Runs CLI commands against Core: over the running `haven serve`'s WebSocket when one owns
 * HAVEN_HOME (one owner per database), otherwise against a Core started in this process, which
 * starts plugins only as the command needs them.
 */
export async function openCoreSession(layout: AppLayout): Promise<CoreSession> {
  const home = resolveHavenHome();
  const lock = readLock(havenPaths(home).lock);
  if (lock?.url && lock.pid !== process.pid && isProcessAlive(lock.pid)) {
    const connection = await connectToRunning(lock.url);
    if (!connection) throw new HavenError('UNAVAILABLE', `a Haven Core (pid ${lock.pid}) owns ${home} but does not answer at ${new URL(lock.url).host}`);
    return {
      client: connection.client,
      mode: 'running',
      runJobs: () => undefined,
      async close() {
        connection.client.dispose();
        connection.socket.close(1000, 'done');
      },
    };
  }
  // Loaded only here: a command handed to a running app need not load Core (a third of the CLI's start).
  const { startCore } = await import('../core/core');
  const core = await startCore({
    home,
    host: 'cli',
    builtinPluginRoots: layout.builtinPluginRoots,
    pluginHostEntry: layout.pluginHostEntry,
    builtinCatalog: layout.builtinCatalog,
    autoStartPlugins: false,
    watchPlugins: false,
    stderrLogLevel: 'off',
  });
  const [serverEnd, clientEnd] = memoryProtocolPair();
  core.router.connect(serverEnd, 'in-process');
  const client = createClient<HavenContract>(clientEnd);
  return {
    client,
    mode: 'local',
    runJobs: (only) => core.jobs.start({ only }),
    async close() {
      client.dispose();
      await core.dispose();
    },
  };
}
