import type { IpcClient } from '@shared/ipc/client';
import type { HavenContract } from '@shared/ipc/contract';
import type { TrayCommand } from './trayModel';
import type { TrayState } from './trayState';

export interface TrayCommandTarget {
  client: IpcClient<HavenContract>;
  state: TrayState;
  showWindow(target?: { page: string; param?: string }): void;
  requestQuit(): void;
}

/** Carries out what the tray's menu asks, through the contract. Resolves when Core has answered. */
export async function runTrayCommand(command: TrayCommand, target: TrayCommandTarget): Promise<void> {
  const discover = async (streamsOnly: boolean): Promise<void> => {
    await Promise.all(target.state.discoverTargets(streamsOnly).map((name) => target.client.call('jobs.discover', { name }).catch(() => undefined)));
  };
  switch (command.kind) {
    case 'open':
      return target.showWindow(command.page ? { page: command.page, ...(command.param ? { param: command.param } : {}) } : undefined);
    case 'pause-all':
      await target.client.call('jobs.pause', { all: true }).catch(() => undefined);
      return;
    case 'resume-all':
      await target.client.call('jobs.resume', { all: true }).catch(() => undefined);
      return;
    case 'record-monitored':
      return discover(true);
    case 'check-now':
      return discover(false);
    case 'quit':
      return target.requestQuit();
  }
}
