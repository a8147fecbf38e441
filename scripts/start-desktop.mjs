#!/usr/bin/env node
// `npm start`: the desktop app. It needs an Electron binary and a display; where either is
// missing it says so in one line and points to the headless mode. It never prints a stack.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronBinaryPath, electronSqliteBinding, prepareElectronSqlite } from './electron-native.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const HEADLESS_HINT = 'Run `npm run serve` to use Haven headless in a browser.';

function fail(message) {
  process.stderr.write(`haven: ${message} ${HEADLESS_HINT}\n`);
  process.exit(1);
}

function tail(text) {
  const lines = String(text ?? '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('at '));
  return (lines.find((line) => /error/i.test(line)) ?? lines.at(-1) ?? 'unknown error').slice(0, 200);
}

if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
  fail('no display found (DISPLAY and WAYLAND_DISPLAY are unset), so the desktop window cannot open.');
}

if (!electronBinaryPath(root)) {
  // npm installs Electron without its binary (allowScripts: electron=false); fetch it on first start.
  const install = spawnSync(process.execPath, [path.join(root, 'node_modules', 'electron', 'install.js')], {
    cwd: root,
    encoding: 'utf8',
    timeout: 300_000,
  });
  if (install.status !== 0) {
    fail(`the Electron binary is missing and could not be downloaded (${tail(install.stderr || install.stdout || install.error)}).`);
  }
  if (!electronBinaryPath(root)) {
    fail('the Electron binary is missing and could not be downloaded (the installer ran, but no binary is where Electron expects it).');
  }
}

const build = spawnSync(process.execPath, [path.join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], {
  cwd: root,
  encoding: 'utf8',
});
if (build.status !== 0) fail(`the build failed (${tail(build.stderr || build.stdout)}).`);

let binding = electronSqliteBinding(root);
if (!fs.existsSync(binding)) {
  const result = prepareElectronSqlite(root);
  if (!result.ok) fail(`better-sqlite3 could not be built for Electron (${result.reason}).`);
  binding = result.binding;
}

const child = spawn(electronBinaryPath(root), [root, ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, HAVEN_ELECTRON_SQLITE_BINDING: binding },
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
