import { createClient, type IpcClient } from '@shared/ipc/client';
import { HavenError } from '@shared/ipc/errors';
import { DisposableStore, Emitter, toDisposable, type Disposable } from '@shared/lifecycle';
import { IpcRouter, type CallHandlers, type EventHandlers } from '../ipc/router';
import type { Logger } from '../log';
import { channel } from './host/channels';
import { coreContract, hostContract, type CoreContract, type HostContract } from './host/contracts';
import type { LaunchOptions, LaunchedProcess, ProcessLauncher } from './launcher';

export interface HostTimeouts {
  /** Heartbeat period, and how long one ping may take. */
  pingIntervalMs: number;
  pingTimeoutMs: number;
  /** Missed pings in a row before the host counts as hung. */
  maxMissedPings: number;
  /** How long shutdown may take before the process is killed. */
  shutdownMs: number;
}

export const DEFAULT_HOST_TIMEOUTS: HostTimeouts = {
  pingIntervalMs: 5000,
  pingTimeoutMs: 5000,
  maxMissedPings: 3,
  shutdownMs: 5000,
};

export interface HostExit {
  /** In words: `exited with code 1`, `killed by SIGKILL`, `uncaught exception: …`, `stopped answering`. */
  reason: string;
  expected: boolean;
}

/**
 * One plugin host process and the two contracts over its channel: Core calls the host, the host
 * calls Core (served by handlers bound to this plugin). Watches the process with a heartbeat.
 */
export class HostConnection implements Disposable {
  readonly client: IpcClient<HostContract>;
  private readonly store = new DisposableStore();
  private readonly exitEmitter = new Emitter<HostExit>();
  readonly onDidExit = this.exitEmitter.event;
  private fatal?: string;
  private hung = false;
  private stopping = false;
  private exited = false;

  constructor(
    private readonly process: LaunchedProcess,
    handlers: { calls: CallHandlers<CoreContract>; events: EventHandlers<CoreContract> },
    private readonly logger: Logger,
    private readonly timeouts: HostTimeouts,
  ) {
    this.client = this.store.add(createClient<HostContract>(channel(process.protocol, 'host'), { validateWith: hostContract }));
    const router = this.store.add(new IpcRouter(coreContract, handlers, { logger }));
    this.store.add(router.connect(channel(process.protocol, 'core'), 'plugin-host'));
    this.store.add(
      process.onExit((info) => {
        this.exited = true;
        const reason = this.hung
          ? 'stopped answering (heartbeat timed out) and was killed'
          : this.fatal
            ? this.fatal
            : info.signal
              ? `killed by ${info.signal}`
              : `exited with code ${info.code}`;
        this.exitEmitter.fire({ reason, expected: this.stopping && !this.hung });
      }),
    );
  }

  static launch(
    launcher: ProcessLauncher,
    options: LaunchOptions,
    handlers: { calls: CallHandlers<CoreContract>; events: EventHandlers<CoreContract> },
    logger: Logger,
    timeouts: HostTimeouts,
  ): HostConnection {
    const process = launcher.launch(options);
    return new HostConnection(process, handlers, logger, timeouts);
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  get isAlive(): boolean {
    return !this.exited;
  }

  /** The host reported an uncaught error before dying. */
  reportFatal(message: string): void {
    this.fatal = message;
  }

  onOutput(listener: (line: string, stream: 'stdout' | 'stderr') => void): Disposable {
    return this.store.add(this.process.onOutput(listener));
  }

  startHeartbeat(): void {
    let missed = 0;
    let inFlight = false;
    const timer = setInterval(() => {
      if (inFlight || this.exited) return;
      inFlight = true;
      this.client
        .call('host.ping', {}, { timeoutMs: this.timeouts.pingTimeoutMs })
        .then(() => {
          missed = 0;
        })
        .catch(() => {
          missed++;
          if (missed >= this.timeouts.maxMissedPings && !this.exited) {
            this.hung = true;
            this.logger.warn('plugin host stopped answering; killing it', { pid: this.pid, missed });
            this.process.kill('SIGKILL');
          }
        })
        .finally(() => {
          inFlight = false;
        });
    }, this.timeouts.pingIntervalMs);
    timer.unref();
    this.store.add(toDisposable(() => clearInterval(timer)));
  }

  /** Shutdown hook with a deadline, then close the channel, then wait for exit; kill if it lingers. */
  async stop(): Promise<void> {
    if (this.exited) return;
    this.stopping = true;
    const deadline = this.timeouts.shutdownMs;
    try {
      await this.client.call('host.shutdown', {}, { timeoutMs: deadline });
    } catch (error) {
      this.logger.warn('plugin shutdown did not finish in time', { error: error instanceof HavenError ? error.message : String(error) });
    }
    await new Promise<void>((resolve) => {
      if (this.exited) {
        resolve();
        return;
      }
      const sub = this.process.onExit(() => {
        clearTimeout(timer);
        sub.dispose();
        resolve();
      });
      const timer = setTimeout(() => {
        this.process.kill('SIGKILL');
        // SIGKILL cannot be refused; this only guards against a process that never existed.
        setTimeout(() => {
          sub.dispose();
          resolve();
        }, 2000).unref();
      }, deadline);
      this.process.protocol.close();
    });
  }

  kill(): void {
    this.process.kill('SIGKILL');
  }

  dispose(): void {
    if (!this.exited) this.process.kill('SIGKILL');
    this.store.dispose();
    this.exitEmitter.dispose();
  }
}
