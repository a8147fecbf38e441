import { utilityProcess } from 'electron';
import type { MessagePassingProtocol } from '@shared/ipc/protocol';
import { Emitter, toDisposable } from '@shared/lifecycle';
import { lineSplitter, type ExitInfo, type ProcessLauncher } from '../core/plugins/launcher';

/** Plugin hosts in the desktop app: Electron utility processes, named `plugin-<id>`. */
export const utilityProcessLauncher: ProcessLauncher = {
  kind: 'utilityProcess',
  launch(options) {
    const child = utilityProcess.fork(options.entry, [], {
      serviceName: options.serviceName,
      env: options.env,
      execArgv: options.execArgv,
      cwd: options.cwd,
      stdio: 'pipe',
    });
    const exited = new Emitter<ExitInfo>();
    const output = new Emitter<{ line: string; stream: 'stdout' | 'stderr' }>();
    const messages = new Emitter<unknown>();
    const closed = new Emitter<string>();
    let exitInfo: ExitInfo | undefined;
    child.stdout?.setEncoding('utf8').on('data', lineSplitter((line) => output.fire({ line, stream: 'stdout' })));
    child.stderr?.setEncoding('utf8').on('data', lineSplitter((line) => output.fire({ line, stream: 'stderr' })));
    child.on('message', (message: unknown) => messages.fire(message));
    child.on('exit', (code) => {
      exitInfo = { code, signal: null };
      closed.fire(`exited (${code})`);
      exited.fire(exitInfo);
    });
    const protocol: MessagePassingProtocol = {
      send: (message) => {
        if (!exitInfo) child.postMessage(message);
      },
      onMessage: messages.event,
      onClose: closed.event,
      close: () => {
        // A utility process has no channel to close; the host exits when asked to shut down.
        if (!exitInfo) child.kill();
      },
    };
    return {
      get pid() {
        return child.pid;
      },
      protocol,
      onExit(listener) {
        if (exitInfo) {
          const info = exitInfo;
          queueMicrotask(() => listener(info));
          return toDisposable(() => undefined);
        }
        return exited.event(listener);
      },
      onOutput: (listener) => output.event(({ line, stream }) => listener(line, stream)),
      kill: () => {
        if (!exitInfo) child.kill();
      },
    };
  },
};
