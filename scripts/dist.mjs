#!/usr/bin/env node
// `npm run dist`: builds the app, then installers for this OS with electron-builder.
// electron-builder downloads Electron; where it cannot, this says so in one line.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// electron-builder rebuilds native modules in node_modules for Electron; Node (tests, `haven
// serve`, the CLI) needs them back as they were.
function restoreNodeBinding() {
  const probe = spawnSync(process.execPath, ['-e', "new (require('better-sqlite3'))(':memory:').close()"], { cwd: root, stdio: 'ignore' });
  if (probe.status === 0) return;
  process.stdout.write('Rebuilding better-sqlite3 for Node after packaging…\n');
  spawnSync('npm', ['rebuild', 'better-sqlite3'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
}

function run(label, args) {
  const result = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  process.stdout.write(result.stdout ?? '');
  if (result.status !== 0) {
    const lines = `${result.stderr}\n${result.stdout}`.split('\n').map((l) => l.trim()).filter(Boolean);
    const reason = lines.find((l) => /ENOTFOUND|ECONNREFUSED|EAI_AGAIN|download|error/i.test(l)) ?? lines.at(-1) ?? 'unknown error';
    restoreNodeBinding();
    process.stderr.write(`haven: ${label} failed (${reason.slice(0, 200)}). Installers need Electron from the network; see docs/development.md.\n`);
    process.exit(1);
  }
}

run('the build', [path.join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build']);
run('electron-builder', [path.join(root, 'node_modules', 'electron-builder', 'cli.js'), '--config', 'electron-builder.config.mjs', '--publish', 'never', ...process.argv.slice(2)]);
restoreNodeBinding();
process.stdout.write(`Installers are in ${path.join(root, 'dist')}\n`);
