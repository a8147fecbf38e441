// better-sqlite3 needs a binding per runtime: the one `npm install` builds serves Node (tests,
// `haven serve`, the CLI); Electron gets its own, built here into a cache folder and chosen at
// run time through better-sqlite3's `nativeBinding` option. `npm test` never touches it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export function electronVersion(root) {
  return JSON.parse(fs.readFileSync(path.join(root, 'node_modules', 'electron', 'package.json'), 'utf8')).version;
}

/**
 * The Electron executable, or undefined when its binary was never downloaded. Honours
 * ELECTRON_OVERRIDE_DIST_PATH exactly as electron's own index.js does.
 */
export function electronBinaryPath(root) {
  const pathFile = path.join(root, 'node_modules', 'electron', 'path.txt');
  const executable = fs.existsSync(pathFile) ? fs.readFileSync(pathFile, 'utf8').trim() : undefined;
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  if (!executable && !override) return undefined;
  const binary = override
    ? path.join(override, executable ?? 'electron')
    : path.join(root, 'node_modules', 'electron', 'dist', executable);
  return fs.existsSync(binary) ? binary : undefined;
}

export function electronSqliteBinding(root) {
  return path.join(root, 'node_modules', '.cache', 'haven', `electron-${electronVersion(root)}`, 'better_sqlite3.node');
}

export function prepareElectronSqlite(root) {
  const version = electronVersion(root);
  const work = path.join(root, 'node_modules', '.cache', 'haven', `electron-${version}`, 'better-sqlite3');
  const source = path.dirname(createRequire(path.join(root, 'package.json')).resolve('better-sqlite3/package.json'));
  fs.rmSync(work, { recursive: true, force: true });
  fs.cpSync(source, work, { recursive: true, filter: (file) => !file.includes(`${path.sep}build${path.sep}`) });
  const gyp = createRequire(path.join(root, 'package.json')).resolve('node-gyp/bin/node-gyp.js');
  const result = spawnSync(
    process.execPath,
    [gyp, 'rebuild', '--release', `--target=${version}`, '--runtime=electron', '--dist-url=https://electronjs.org/headers'],
    { cwd: work, encoding: 'utf8', env: withoutNodedir(process.env) },
  );
  const built = path.join(work, 'build', 'Release', 'better_sqlite3.node');
  if (result.status !== 0 || !fs.existsSync(built)) {
    const lines = `${result.stderr}\n${result.stdout}`.split('\n').filter((l) => /err/i.test(l));
    return { ok: false, reason: (lines[0] ?? 'node-gyp failed').trim().slice(0, 200) };
  }
  const binding = electronSqliteBinding(root);
  fs.copyFileSync(built, binding);
  return { ok: true, binding };
}

/** npm passes its `nodedir` setting down; it would point node-gyp at Node's headers instead of Electron's. */
function withoutNodedir(env) {
  return Object.fromEntries(Object.entries(env).filter(([key]) => key.toLowerCase() !== 'npm_config_nodedir'));
}
