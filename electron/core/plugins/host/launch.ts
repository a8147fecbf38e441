import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';
import { Emitter } from '@shared/lifecycle';
import type { SpawnedProcess } from '@shared/sdk/types';

/** A started program as plugins see it, with a fourth pipe (fd 3) when asked for (the recorder's audio). */
export interface PipedProcess extends SpawnedProcess {
  writeVideo(data: Uint8Array): void;
  writeAudio(data: Uint8Array): void;
  /** Ends stdin and the fourth pipe: a program reading them finishes what it has. */
  endInputs(): void;
  /** Bytes written to stdin (video) and to the fourth pipe (audio) that the program has not read yet. */
  pendingBytes(): { video: number; audio: number };
}

/** Starts a program without a shell, its output as text events, its inputs ignoring a closed pipe. */
export function launchProcess(executable: string, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv; extraPipe?: boolean; signal?: AbortSignal }): PipedProcess {
  const child = spawn(executable, [...args], {
    cwd: options.cwd,
    env: options.env,
    stdio: options.extraPipe ? ['pipe', 'pipe', 'pipe', 'pipe'] : ['pipe', 'pipe', 'pipe'],
    shell: false,
    windowsHide: true,
  });
  const stdout = new Emitter<string>();
  const stderr = new Emitter<string>();
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => stdout.fire(chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => stderr.fire(chunk));
  child.stdin!.on('error', () => undefined);
  const extra = options.extraPipe ? (child.stdio[3] as Writable) : undefined;
  extra?.on('error', () => undefined);
  const kill = (signal: 'SIGTERM' | 'SIGINT' | 'SIGKILL' = 'SIGTERM'): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  const onAbort = (): void => kill('SIGTERM');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    child.on('error', () => resolve({ code: null, signal: null }));
    child.on('close', (code, signal) => {
      options.signal?.removeEventListener('abort', onAbort);
      resolve({ code, signal });
    });
  });
  const open = (stream: Writable | null | undefined): stream is Writable => !!stream && !stream.destroyed && !stream.writableEnded;
  return {
    pid: child.pid,
    onStdout: stdout.event,
    onStderr: stderr.event,
    write: (data) => void (open(child.stdin) && child.stdin.write(data)),
    closeStdin: () => child.stdin?.end(),
    writeVideo: (data) => void (open(child.stdin) && child.stdin.write(data)),
    writeAudio: (data) => void (open(extra) && extra.write(data)),
    endInputs: () => {
      child.stdin?.end();
      extra?.end();
    },
    pendingBytes: () => ({ video: child.stdin?.writableLength ?? 0, audio: extra?.writableLength ?? 0 }),
    kill,
    exited,
  };
}
