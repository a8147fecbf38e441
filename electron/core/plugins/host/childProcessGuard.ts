/**
 * Which programs a plugin may start, checked inside its host. Node's permission model allows
 * child processes all or nothing; this narrows "all" to the manifest's `permissions.binaries`,
 * found in the folders Haven trusts (HAVEN_HOME/bin and PATH as the host started with it, so a
 * plugin cannot put its own `ffmpeg` first). Installed before the plugin's code loads; every
 * way `node:child_process` starts a program passes through one of the wrapped functions.
 */
import childProcess, { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import path from 'node:path';

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
  readonly permission = 'ChildProcess';
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
  return process.platform === 'win32' ? base.replace(/\.(exe|cmd|bat)$/i, '') : base;
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
  if (!options.binaries.includes(name)) {
    throw new ProgramDenied(file, `${options.plugin} may not run "${name}": it is not in permissions.binaries (${options.binaries.join(', ') || 'none'})`);
  }
  const isExecutable = options.isExecutable ?? defaultIsExecutable;
  const trusted = options.trustedDirs.map((dir) => path.resolve(dir));
  if (file.includes('/') || file.includes('\\')) {
    const resolved = path.resolve(file);
    if (!trusted.includes(path.dirname(resolved))) {
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

let installed = false;

/** Wraps node:child_process for the rest of this process's life (a host runs one plugin). */
export function installChildProcessGuard(options: GuardOptions): void {
  if (installed) return;
  installed = true;
  const check = (file: unknown): string => checkProgram(file, options);
  const prototype = ChildProcess.prototype as unknown as { spawn: (spawnOptions: { file?: string }) => unknown };
  const originalSpawn = prototype.spawn;
  // spawn, exec, execFile and fork all end here with the program in `file` (a shell for exec).
  prototype.spawn = function guardedSpawn(this: ChildProcess, spawnOptions: { file?: string }) {
    const file = check(spawnOptions.file);
    return originalSpawn.call(this, { ...spawnOptions, file });
  };
  const module = childProcess as unknown as Record<string, (...args: unknown[]) => unknown>;
  const wrapFirst = (name: 'spawnSync' | 'execFileSync'): void => {
    const original = module[name]!;
    module[name] = (file: unknown, ...rest: unknown[]) => original(check(file), ...rest);
  };
  wrapFirst('spawnSync');
  wrapFirst('execFileSync');
  const originalExecSync = module.execSync!;
  module.execSync = (command: unknown, execOptions?: unknown) => {
    const shell = (execOptions as { shell?: unknown } | undefined)?.shell;
    check(typeof shell === 'string' ? shell : process.platform === 'win32' ? 'cmd' : 'sh');
    return originalExecSync(command, execOptions);
  };
  syncBuiltinESMExports();
}
