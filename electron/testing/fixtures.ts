import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');
export const CLI = path.join(REPO_ROOT, 'electron', 'cli', 'haven.mjs');
export const PLUGIN_HOST_ENTRY = path.join(REPO_ROOT, 'out', 'main', 'plugin-host.js');

/** A fresh HAVEN_HOME; tests never touch the user's data. */
export function tempHome(prefix = 'haven-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function requireBuild(): void {
  if (!fs.existsSync(path.join(REPO_ROOT, 'out', 'main', 'cli.js')) || !fs.existsSync(path.join(REPO_ROOT, 'out', 'renderer', 'index.html'))) {
    throw new Error('Haven is not built: run `npm run build` before the integration and e2e tests (npm test does).');
  }
}

export interface PluginFolderOptions {
  name: string;
  version?: string;
  description?: string;
  capabilities?: string[];
  engines?: string;
  manifest?: Record<string, unknown>;
  /** Write this text as plugin.json instead of a manifest object. */
  rawManifest?: string;
  entry?: string;
}

/** Writes a plugin folder with a manifest and an entry file, as an author would. */
export function writePluginFolder(parent: string, folder: string, options: PluginFolderOptions): string {
  const dir = path.join(parent, folder);
  fs.mkdirSync(dir, { recursive: true });
  const manifest = {
    name: options.name,
    version: options.version ?? '1.0.0',
    description: options.description ?? `${options.name} for tests`,
    engines: { haven: options.engines ?? '>=0.1.0' },
    capabilities: options.capabilities ?? ['ARCHIVE'],
    ...options.manifest,
  };
  // Write the entry first so a watcher never sees a manifest whose entry is missing.
  fs.writeFileSync(
    path.join(dir, 'index.js'),
    options.entry ?? "import { definePlugin } from '@haven/sdk';\nexport default definePlugin({ setup: () => ({}) });\n",
  );
  fs.writeFileSync(path.join(dir, 'plugin.json'), options.rawManifest ?? JSON.stringify(manifest, null, 2));
  return dir;
}

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  origin: string;
  token: string;
  home: string;
  stderr: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `haven serve --port 0` as a real process and waits for its URL line. */
export async function startServe(options: { home?: string; args?: string[]; env?: NodeJS.ProcessEnv } = {}): Promise<ServeProcess> {
  requireBuild();
  const home = options.home ?? tempHome();
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...(options.args ?? [])], {
    env: { ...process.env, HAVEN_HOME: home, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`haven serve printed no URL within 20 s; stderr: ${stderr}`)), 20_000);
    const lines = readline.createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const match = /^Haven UI: (http:\/\/\S+)$/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`haven serve exited with ${code}: ${stderr}`));
    });
  });
  const parsed = new URL(url);
  return {
    child,
    url,
    origin: parsed.origin,
    token: parsed.searchParams.get('token') ?? '',
    home,
    stderr: () => stderr,
    stop(signal = 'SIGTERM') {
      return new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          resolve(child.exitCode);
          return;
        }
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.once('exit', (code) => {
          clearTimeout(timer);
          resolve(code);
        });
        child.kill(signal);
      });
    },
  };
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `haven ARGS` to completion (bounded by a timeout). */
export function runHaven(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 30_000): Promise<RunResult> {
  requireBuild();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`haven ${args.join(' ')} did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Polls until `check` returns a value, for at most `timeoutMs`. */
export async function waitFor<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
