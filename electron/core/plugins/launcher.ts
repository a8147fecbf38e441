import { fork } from 'node:child_process';
import type { MessagePassingProtocol } from '@shared/ipc/protocol';
import { Emitter, toDisposable, type Disposable } from '@shared/lifecycle';

export interface LaunchOptions {
  /** A name for the process, such as `plugin-youtube` (shown in logs and process lists). */
  serviceName: string;
  entry: string;
  env: Record<string, string>;
  execArgv: string[];
  cwd: string;
}

export interface ExitInfo {
  code: number | null;
  signal: string | null;
}

export interface LaunchedProcess {
  readonly pid: number | undefined;
  readonly protocol: MessagePassingProtocol;
  onExit(listener: (info: ExitInfo) => void): Disposable;
  /** Lines the process wrote to stdout or stderr. */
  onOutput(listener: (line: string, stream: 'stdout' | 'stderr') => void): Disposable;
  kill(signal?: 'SIGTERM' | 'SIGKILL'): void;
}

/** Starts plugin host processes: child_process under Node, utilityProcess in Electron (electron/main). */
export interface ProcessLauncher {
  readonly kind: string;
  launch(options: LaunchOptions): LaunchedProcess;
}

/** The environment a plugin process gets: nothing of Haven's own secrets, only what tools need. */
export function cleanEnvironment(extra: Record<string, string>, source: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const keep = ['PATH', 'HOME', 'USERPROFILE', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TZ', 'TMPDIR', 'TEMP', 'TMP', 'SystemRoot', 'windir', 'XDG_RUNTIME_DIR'];
  const env: Record<string, string> = {};
  for (const key of keep) {
    const value = source[key];
    if (value !== undefined) env[key] = value;
  }
  return { ...env, ...extra };
}

/** Splits a stream into lines, forwarding each; a very long line is cut rather than buffered forever. */
export function lineSplitter(onLine: (line: string) => void, maxLine = 16 * 1024): (chunk: string) => void {
  let buffer = '';
  return (chunk) => {
    buffer += chunk;
    let index: number;
    while ((index = buffer.indexOf('\n')) >= 0) {
      onLine(buffer.slice(0, index).replace(/\r$/, ''));
      buffer = buffer.slice(index + 1);
    }
    if (buffer.length > maxLine) {
      onLine(buffer.slice(0, maxLine));
      buffer = '';
    }
  };
}

export const nodeLauncher: ProcessLauncher = {
  kind: 'child_process',
  launch(options) {
    const child = fork(options.entry, [`--haven-service=${options.serviceName}`], {
      cwd: options.cwd,
      env: options.env,
      execArgv: options.execArgv,
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const exited = new Emitter<ExitInfo>();
    const output = new Emitter<{ line: string; stream: 'stdout' | 'stderr' }>();
    const closed = new Emitter<string>();
    let exitInfo: ExitInfo | undefined;
    child.stdout?.setEncoding('utf8').on('data', lineSplitter((line) => output.fire({ line, stream: 'stdout' })));
    child.stderr?.setEncoding('utf8').on('data', lineSplitter((line) => output.fire({ line, stream: 'stderr' })));
    const finish = (info: ExitInfo, reason: string): void => {
      if (exitInfo) return;
      exitInfo = info;
      closed.fire(reason);
      exited.fire(info);
    };
    child.on('exit', (code, signal) => finish({ code, signal }, `exited (${signal ?? code})`));
    // A process that never started (bad cwd, no node binary) emits 'error' and no 'exit'.
    child.on('error', (error) => {
      if (child.pid === undefined) finish({ code: null, signal: null }, `could not start: ${error.message}`);
    });
    const protocol: MessagePassingProtocol = {
      send(message) {
        if (child.connected) child.send(message as never);
      },
      onMessage(listener) {
        child.on('message', listener);
        return toDisposable(() => child.off('message', listener));
      },
      onClose: closed.event,
      close: () => {
        if (child.connected) child.disconnect();
      },
    };
    return {
      pid: child.pid,
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
      kill(signal = 'SIGTERM') {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      },
    };
  },
};
