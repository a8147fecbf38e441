import { launchProcess, type PipedProcess } from './launch';
import { newRecordingFolder, startFrameRecording, startRecording, startRtpRecording } from './recorder/recorder';
import fs from 'node:fs';
import path from 'node:path';
import type { IpcClient } from '@shared/ipc/client';
import { HavenError, isHavenError } from '@shared/ipc/errors';
import { type Emitter, toDisposable, type Disposable, type DisposableStore } from '@shared/lifecycle';
import type { PluginManifest } from '@shared/sdk/manifest';
import { toJsonValue, type MessageHandler } from '@shared/sdk/messaging';
import type {
  HttpInit,
  HttpResponse,
  PluginContext,
  PluginLogger,
  SpawnOptions,
  SpawnedProcess,
} from '@shared/sdk/types';
import { emitRefusal } from '../../events/bus';
import { isBinaryPermitted, isHostPermitted } from '../permissions';
import type { CoreContract } from './contracts';
import type { TaskScheduler } from './scheduler';

export interface ContextOptions {
  manifest: PluginManifest;
  dataDir: string;
  outputDir: string;
  havenVersion: string;
  binDirs: string[];
  core: IpcClient<CoreContract>;
  scheduler: TaskScheduler;
  store: DisposableStore;
  signal: AbortSignal;
  state: Record<string, unknown>;
  config: () => Record<string, unknown>;
  configChanged: Emitter<{ config: Record<string, unknown>; previous: Record<string, unknown> }>;
  /** Where ctx.onMessage puts its handlers; the host hands them what other plugins send. */
  messageHandlers: Set<MessageHandler>;
}

/**
 * Calls to Core that wait on another plugin (ctx.call, ctx.send): Core bounds them with its own
 * timeouts (api 30 s, a full queue 30 s, a dependency's start), so this is only a backstop.
 */
const BETWEEN_PLUGINS_TIMEOUT_MS = 10 * 60_000;

const MAX_REDIRECTS = 10;

/** A server that accepts the connection and never answers fails a ctx.http call after this. */
const HTTP_ANSWER_MS = 60_000;

/**
 * fetch, failing with TIMEOUT when no response headers come within `answerMs` (fetch itself
 * waits 300 s). The body is the caller's to read, with its own signal.
 */
export async function fetchAnswered(url: URL, init: RequestInit, answerMs: number): Promise<Response> {
  const unanswered = new AbortController();
  const timer = setTimeout(() => unanswered.abort(), answerMs);
  try {
    return await fetch(url, { ...init, signal: init.signal ? AbortSignal.any([init.signal, unanswered.signal]) : unanswered.signal });
  } catch (error) {
    if (unanswered.signal.aborted && !init.signal?.aborted) throw new HavenError('TIMEOUT', `no answer from ${url.host} within ${answerMs >= 1000 ? `${Math.round(answerMs / 1000)} s` : `${answerMs} ms`}`);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

const LOG_LINES_PER_SECOND = 200;

export function createLogger(core: IpcClient<CoreContract>): PluginLogger {
  let windowStart = 0;
  let count = 0;
  let dropped = 0;
  const send = (level: 'debug' | 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>): void => {
    // A plugin logging in a loop is cut here, before it floods the channel to Core.
    const now = Date.now();
    if (now - windowStart >= 1000) {
      windowStart = now;
      count = 0;
    }
    if (++count > LOG_LINES_PER_SECOND) {
      dropped++;
      return;
    }
    const text = dropped > 0 ? `(${dropped} log lines dropped) ${String(message)}` : String(message);
    dropped = 0;
    core.call('core.log', { level, message: text, ...(fields ? { fields: toPlain(fields) } : {}) }).catch(() => undefined);
  };
  return {
    debug: (m, f) => send('debug', m, f),
    info: (m, f) => send('info', m, f),
    warn: (m, f) => send('warn', m, f),
    error: (m, f) => send('error', m, f),
  };
}

/** Log fields cross a process boundary: keep what structured clone and JSON both carry. */
function toPlain(fields: Record<string, unknown>): Record<string, unknown> {
  try {
    return JSON.parse(JSON.stringify(fields, (_key, value: unknown) => (value instanceof Error ? { message: value.message } : value))) as Record<string, unknown>;
  } catch {
    return { fields: String(fields) };
  }
}

/** Builds the `ctx` a plugin's setup receives: everything it may use, and nothing else. */
export function createPluginContext(options: ContextOptions): PluginContext<Record<string, unknown>> {
  const { manifest, core, store } = options;
  const permissions = manifest.permissions;

  const resolveBinary = (binary: string): string | undefined => {
    if (!isBinaryPermitted(binary, permissions.binaries)) {
      throw new HavenError('FORBIDDEN', `${manifest.name} may not run "${binary}": add it to permissions.binaries in plugin.json`);
    }
    const dirs = [...options.binDirs, ...(process.env.PATH ?? '').split(path.delimiter)].filter(Boolean);
    const names = process.platform === 'win32' ? [`${binary}.exe`, `${binary}.cmd`, binary] : [binary];
    for (const dir of dirs) {
      for (const name of names) {
        const candidate = path.join(dir, name);
        try {
          fs.accessSync(candidate, fs.constants.X_OK);
          if (fs.statSync(candidate).isFile()) return candidate;
        } catch {
          // not here
        }
      }
    }
    return undefined;
  };
  const which = async (binary: string): Promise<string | undefined> => resolveBinary(binary);

  const http = async (input: string, init: HttpInit = {}): Promise<HttpResponse> => {
    let url: URL;
    try {
      url = new URL(input);
    } catch {
      throw new HavenError('INVALID_INPUT', `not a URL: ${input}`);
    }
    const { redirect = 'follow', ...first } = init;
    let rest: Omit<HttpInit, 'redirect'> = first;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw new HavenError('FORBIDDEN', `${manifest.name} may only fetch http(s) URLs, not ${url.protocol}`);
      }
      if (!isHostPermitted(url, permissions.network)) {
        throw new HavenError('FORBIDDEN', `${manifest.name} may not reach ${url.host}: add it to permissions.network in plugin.json`);
      }
      const signal = rest.signal ? AbortSignal.any([rest.signal as AbortSignal, options.signal]) : options.signal;
      let response: Response;
      try {
        response = await fetchAnswered(url, { ...rest, signal, redirect: 'manual' } as RequestInit, HTTP_ANSWER_MS);
      } catch (error) {
        if (signal.aborted || isHavenError(error)) throw error;
        // fetch says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND, …) is in its cause.
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        throw new HavenError('UNAVAILABLE', `cannot reach ${url.host}: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
      }
      const location = response.headers.get('location');
      if (redirect === 'manual' || response.status < 300 || response.status >= 400 || !location) return response as HttpResponse;
      if (redirect === 'error') throw new HavenError('FORBIDDEN', `redirected from ${url} but redirects are off`);
      await response.body?.cancel();
      const next = new URL(location, url);
      rest = redirectedInit(rest, response.status, url, next);
      url = next;
    }
    throw new HavenError('UNAVAILABLE', `more than ${MAX_REDIRECTS} redirects from ${input}`);
  };

  /** Starts a declared binary; `extraPipe` gives it a fourth pipe (fd 3) to write to, for the recorder's audio. */
  const launch = (binary: string, args: readonly string[], spawnOptions: SpawnOptions, extraPipe: boolean): PipedProcess => {
    if (!isBinaryPermitted(binary, permissions.binaries)) {
      throw new HavenError('FORBIDDEN', `${manifest.name} may not run "${binary}": add it to permissions.binaries in plugin.json`);
    }
    // The path is resolved here, so the plugin's own env cannot point PATH at another program.
    const executable = resolveBinary(binary);
    if (!executable) throw new HavenError('NOT_FOUND', `${binary} is not installed (looked in ${[...options.binDirs, 'PATH'].join(', ')})`);
    const { PATH: _ignored, Path: _ignoredToo, ...extraEnv } = spawnOptions.env ?? {};
    const proc = launchProcess(executable, args, {
      cwd: spawnOptions.cwd ?? options.dataDir,
      env: { ...extraEnv, PATH: [...options.binDirs, process.env.PATH ?? ''].join(path.delimiter) },
      extraPipe,
      ...(spawnOptions.signal ? { signal: spawnOptions.signal } : {}),
    });
    // Unloading the plugin kills what it started.
    const handle = store.add(toDisposable(() => proc.kill('SIGKILL')));
    void proc.exited.then(() => store.delete(handle));
    return proc;
  };
  const spawn = (binary: string, args: readonly string[], spawnOptions: SpawnOptions = {}): SpawnedProcess => {
    const { writeVideo: _video, writeAudio: _audio, endInputs: _end, pendingBytes: _pending, ...plain } = launch(binary, args, spawnOptions, false);
    return plain;
  };
  const spawnPiped = (binary: string, args: readonly string[], spawnOptions: SpawnOptions = {}): PipedProcess => launch(binary, args, spawnOptions, true);

  const logger = createLogger(core);
  const emit = (name: string, payload?: unknown): void => {
    const refusal = emitRefusal(manifest, name);
    if (refusal) throw new HavenError('FORBIDDEN', refusal);
    const checked = payload === undefined ? undefined : toJsonValue(payload, `the payload of ${name}`).value;
    core.call('core.events.emit', { name, payload: checked }).catch((error: unknown) => {
      logger.warn(`event ${name} was not published: ${error instanceof Error ? error.message : String(error)}`);
    });
  };
  /** The recorder's stream.* events: a refused one is logged, the recording goes on. */
  const emitQuietly = (name: string, payload?: unknown): void => {
    try {
      emit(name, payload);
    } catch (error) {
      logger.warn(`event ${name} was not published: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  return {
    name: manifest.name,
    version: manifest.version,
    havenVersion: options.havenVersion,
    get config() {
      return options.config();
    },
    onConfigChange(listener) {
      return store.add(
        options.configChanged.event(({ config, previous }) => {
          void Promise.resolve(listener(config, previous)).catch(() => undefined);
        }),
      );
    },
    logger,
    dataDir: options.dataDir,
    outputDir: options.outputDir,
    toolsDir: options.binDirs[0] ?? options.dataDir,
    discover: (reason = 'asked by the plugin') => core.call('core.jobs.discover', { reason }, { timeoutMs: 61 * 60_000 }),
    storage: {
      async get<T>(key: string) {
        const result = await core.call('core.storage.get', { key });
        return (result.found ? result.value : undefined) as T | undefined;
      },
      async set(key, value) {
        await core.call('core.storage.set', { key, value });
      },
      async delete(key) {
        await core.call('core.storage.delete', { key });
      },
      keys: () => core.call('core.storage.keys', {}),
    },
    state: options.state,
    events: {
      on(name, handler) {
        return store.add(core.subscribe('core.events', { name }, { onData: (event) => handler(event.payload, event.source) }));
      },
      emit,
    },
    async call<T>(plugin: string, method: string, ...args: unknown[]) {
      const { result } = await core.call('core.plugins.call', { plugin, method, args }, { timeoutMs: BETWEEN_PLUGINS_TIMEOUT_MS });
      return result as T;
    },
    async send(plugin: string, message: unknown) {
      const { value } = toJsonValue(message, 'a message');
      await core.call('core.plugins.send', { plugin, message: value }, { timeoutMs: BETWEEN_PLUGINS_TIMEOUT_MS });
    },
    onMessage(handler) {
      if (typeof handler !== 'function') throw new HavenError('INVALID_INPUT', 'ctx.onMessage needs a function');
      options.messageHandlers.add(handler);
      return store.add(toDisposable(() => options.messageHandlers.delete(handler)));
    },
    http,
    which,
    spawn,
    linkFile: (source, target, linkOptions = {}) => core.call('core.linkFile', { source, target, symbolic: linkOptions.symbolic === true }),
    recorder: {
      start: (recordOptions) => startRecording({ spawn, spawnPiped, http, logger, emit: emitQuietly }, recordOptions),
      startFrames: (recordOptions) => startFrameRecording({ spawn, spawnPiped, http, logger, emit: emitQuietly }, recordOptions),
      startRtp: (recordOptions) => startRtpRecording({ spawn, spawnPiped, http, logger, emit: emitQuietly }, recordOptions),
      newFolder: newRecordingFolder,
    },
    schedule: (task) => store.add(options.scheduler.schedule(task)),
    onDispose(disposable: Disposable) {
      store.add(disposable);
    },
    signal: options.signal,
  };
}

const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

/**
 * What a redirected request sends, as fetch does: a 303 (or a 301/302 after a POST) becomes a
 * GET without a body, and credentials are not carried to another origin.
 */
export function redirectedInit(init: Omit<HttpInit, 'redirect'>, status: number, from: URL, to: URL): Omit<HttpInit, 'redirect'> {
  let { method, body, headers } = init;
  const upper = (method ?? 'GET').toUpperCase();
  if (status === 303 ? upper !== 'HEAD' : (status === 301 || status === 302) && upper === 'POST') {
    method = 'GET';
    body = undefined;
    headers = headers && Object.fromEntries(Object.entries(headers).filter(([k]) => !/^content-(type|length)$/i.test(k)));
  }
  if (from.origin !== to.origin && headers) {
    headers = Object.fromEntries(Object.entries(headers).filter(([k]) => !CREDENTIAL_HEADERS.includes(k.toLowerCase())));
  }
  return { ...init, ...(method ? { method } : {}), body, headers };
}
