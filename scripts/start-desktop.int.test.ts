import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, tempHome } from '../electron/testing/fixtures';

// `npm start` where the desktop app cannot run (no display, or no Electron binary that can be
// downloaded) must say so in one line and point to `npm run serve`, quickly, without a stack.
function start(env: NodeJS.ProcessEnv) {
  const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !['DISPLAY', 'WAYLAND_DISPLAY'].includes(key)));
  return spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'start-desktop.mjs')], {
    env: { ...base, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('npm start where the desktop cannot run', () => {
  it('without a display: one line pointing to npm run serve', () => {
    const result = start({});
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^haven: no display found .* Run `npm run serve`/);
  });

  it('without an Electron binary that can be downloaded: one line pointing to npm run serve', () => {
    // An empty dist folder, an empty download cache and a mirror on a closed local port make
    // this the same on every machine, whether or not it has Electron's binary.
    const result = start({
      DISPLAY: ':99',
      ELECTRON_OVERRIDE_DIST_PATH: tempHome('haven-no-electron-'),
      electron_config_cache: tempHome('haven-electron-cache-'),
      ELECTRON_MIRROR: 'http://127.0.0.1:9/',
    });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^haven: the Electron binary is missing and could not be downloaded \(.+\)\. Run `npm run serve`/);
  });
});
