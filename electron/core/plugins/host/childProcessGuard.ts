/**
 * Which programs a plugin may start, checked inside its host. Node's permission model allows
 * child processes all or nothing; this narrows "all" to the manifest's `permissions.binaries`,
 * found in the folders Haven trusts (the plugin's tools folder, HAVEN_HOME/bin and PATH as the
 * host started with it). Installed before the plugin's code loads. This narrows what a plugin
 * runs by accident or casually; it is not a wall against a plugin that declares programs, which
 * run outside the permission model (docs/security.md).
 */
import childProcess, { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import nodeModule, { syncBuiltinESMExports } from 'node:module';
import path from 'node:path';
import workerThreads from 'node:worker_threads';

export interface GuardOptions {
  plugin: string;
  binaries: readonly string[];
  /** Folders searched for a bare program name, in order. */
  trustedDirs: readonly string[];
  /** Exact program files the user chose in the plugin's settings (any name). */
  programFiles?: readonly string[];
  isExecutable?: (file: string) => boolean;
}

/** An error shaped like Node's own permission errors, so one path reports both. */
export class ProgramDenied extends Error {
  readonly code = 'ERR_ACCESS_DENIED';
  readonly permission: string = 'ChildProcess';
  constructor(
    readonly resource: string,
    reason: string,
  ) {
    super(`Access to this API has been restricted: ${reason}`);
    this.name = 'ProgramDenied';
  }
}

function programName(file: string): string {
  const base = path.basename(file);
  return process.platform === 'win32' ? base.replace(/\.(exe|cmd|bat)$/i, '').toLowerCase() : base;
}

/** Folders compare case-insensitively on Windows. */
function sameFolder(a: string, b: string): boolean {
  return process.platform === 'win32' ? a.toLowerCase() === b.toLowerCase() : a === b;
}

function defaultIsExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The absolute program to run for `file`, or a ProgramDenied explaining why not. */
export function checkProgram(file: unknown, options: GuardOptions): string {
  if (typeof file !== 'string' || file === '') throw new ProgramDenied(String(file), `${options.plugin} tried to start a program without a name`);
  const name = programName(file);
  if ((options.programFiles ?? []).some((chosen) => path.resolve(chosen) === path.resolve(file))) return path.resolve(file);
  if (!options.binaries.some((declared) => (process.platform === 'win32' ? declared.toLowerCase() : declared) === name)) {
    throw new ProgramDenied(file, `${options.plugin} may not run "${name}": it is not in permissions.binaries (${options.binaries.join(', ') || 'none'})`);
  }
  const isExecutable = options.isExecutable ?? defaultIsExecutable;
  const trusted = options.trustedDirs.map((dir) => path.resolve(dir));
  if (file.includes('/') || file.includes('\\')) {
    const resolved = path.resolve(file);
    if (!trusted.some((dir) => sameFolder(dir, path.dirname(resolved)))) {
      throw new ProgramDenied(file, `${options.plugin} may run ${name} only from ${trusted.join(', ')}, not ${path.dirname(resolved)}`);
    }
    return resolved;
  }
  const extensions = process.platform === 'win32' ? ['.exe', '.cmd', ''] : [''];
  for (const dir of trusted) {
    for (const extension of extensions) {
      const candidate = path.join(dir, file + extension);
      if (isExecutable(candidate)) return candidate;
    }
  }
  // Not installed: a path that fails as ENOENT (the usual "not installed" message), never a
  // lookup through a PATH the plugin may have changed.
  return path.join(trusted[0] ?? path.resolve('/'), file);
}

/**
 * Variables that make a program load or run something else (a library the plugin wrote, a
 * script): removed from every child's environment.
 */
const LOADER_VARIABLES = /^(LD_|DYLD_|NODE_OPTIONS$|NODE_PATH$|PYTHONSTARTUP$|PYTHONPATH$|PYTHONHOME$|PERL5OPT$|PERL5LIB$|RUBYOPT$|RUBYLIB$|BASH_ENV$|ENV$|GCONV_PATH$|MALLOC_)/i;

export function isLoaderVariable(name: string): boolean {
  return LOADER_VARIABLES.test(name);
}

/** A loader-free copy of an environment (every key read once, as Node reads them). */
function cleanEnv(env: unknown): Record<string, unknown> {
  const source = (typeof env === 'object' && env !== null ? env : process.env) as Record<string, unknown>;
  const clean: Record<string, unknown> = {};
  for (const key in source) if (!isLoaderVariable(key)) clean[key] = source[key];
  return clean;
}

function shellOf(value: unknown): string | undefined {
  if (value === true) return process.platform === 'win32' ? 'cmd' : 'sh';
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * The arguments of a synchronous call with its options copied once (a getter cannot answer the
 * check one way and Node another), the environment cleaned; and the shell it would use.
 */
function frozenCall(rest: unknown[]): { args: unknown[]; shell: string | undefined } {
  const index = rest.findIndex((arg) => typeof arg === 'object' && arg !== null && !Array.isArray(arg));
  const given = index >= 0 ? { ...(rest[index] as Record<string, unknown>) } : {};
  const copy: Record<string, unknown> = { ...given, env: cleanEnv(given.env) };
  const args = index >= 0 ? rest.map((arg, i) => (i === index ? copy : arg)) : [...rest, copy];
  return { args, shell: shellOf(copy.shell) };
}

let installed = false;

/**
 * Wraps node:child_process for the rest of this process's life (a host runs one plugin), and
 * closes worker threads and module hooks to the plugin: either would run code with its own,
 * unwrapped child_process. Call it after the host's own module hooks have started.
 */
export function installChildProcessGuard(options: GuardOptions): void {
  if (installed) return;
  installed = true;
  const check = (file: unknown): string => checkProgram(file, options);
  // Every asynchronous start (spawn, exec, execFile, fork, and a ChildProcess driven by hand)
  // ends in the native handle's spawn, with the program in `file` (a shell for exec or
  // shell: true) and the environment as KEY=VALUE pairs: it is wrapped there.
  type SpawnOptions = { file?: unknown; envPairs?: unknown };
  const handlePrototype = Object.getPrototypeOf((new ChildProcess() as unknown as { _handle: object })._handle) as { spawn: (spawnOptions: SpawnOptions) => unknown };
  const originalSpawn = handlePrototype.spawn;
  handlePrototype.spawn = function guardedSpawn(this: unknown, spawnOptions: SpawnOptions) {
    const copy = { ...spawnOptions };
    const file = check(copy.file);
    const envPairs = Array.isArray(copy.envPairs) ? copy.envPairs.filter((pair) => typeof pair === 'string' && !isLoaderVariable(pair.split('=')[0] ?? '')) : copy.envPairs;
    return originalSpawn.call(this, { ...copy, file, envPairs });
  };
  const module = childProcess as unknown as Record<string, (...args: unknown[]) => unknown>;
  /** The synchronous calls do not pass through ChildProcess: the program, the shell and the environment are checked here. */
  const guardSync = (name: 'spawnSync' | 'execFileSync'): void => {
    const original = module[name]!;
    module[name] = (file: unknown, ...rest: unknown[]) => {
      const { args, shell } = frozenCall(rest);
      if (shell) check(shell);
      const program = check(file);
      return original(shell ? file : program, ...args);
    };
  };
  guardSync('spawnSync');
  guardSync('execFileSync');
  const originalExecSync = module.execSync!;
  module.execSync = (command: unknown, ...rest: unknown[]) => {
    const { args, shell } = frozenCall(rest);
    check(shell ?? shellOf(true));
    return originalExecSync(command, ...args);
  };
  // The host's own environment is the default for children that are given none.
  for (const key of Object.keys(process.env)) if (isLoaderVariable(key)) Reflect.deleteProperty(process.env, key);
  const workers = workerThreads as unknown as { Worker: unknown };
  workers.Worker = function RefusedWorker(): never {
    throw new ProgramDenied('worker', `${options.plugin} may not start worker threads (a worker would run outside Haven's check of programs)`);
  };
  const modules = nodeModule as unknown as { register: unknown };
  modules.register = function refusedRegister(): never {
    throw new ProgramDenied('module hooks', `${options.plugin} may not register module hooks (they would run outside Haven's check of programs)`);
  };
  syncBuiltinESMExports();
}
