import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HavenError } from '@shared/ipc/errors';

/** The platform's app-data folder, the same one Electron's `userData` uses for "Haven". */
export function defaultHavenHome(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const home = env.HOME ?? env.USERPROFILE ?? os.homedir();
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Haven');
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Haven');
  return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), 'Haven');
}

export function resolveHavenHome(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.HAVEN_HOME?.trim();
  return path.resolve(fromEnv ? fromEnv : defaultHavenHome(env));
}

export interface HavenPaths {
  home: string;
  database: string;
  settings: string;
  plugins: string;
  pluginData: string;
  logs: string;
  downloads: string;
  /** Copies of files dropped on the window to archive (a .torrent), kept for their jobs' retries. */
  dropped: string;
  /** What processors made from archived items: `derived/<item>/<processor>/`. */
  derived: string;
  lock: string;
}

export function havenPaths(home: string): HavenPaths {
  return {
    home,
    database: path.join(home, 'haven.db'),
    settings: path.join(home, 'settings.json'),
    plugins: path.join(home, 'plugins'),
    pluginData: path.join(home, 'plugin-data'),
    logs: path.join(home, 'logs'),
    downloads: path.join(home, 'downloads'),
    dropped: path.join(home, 'dropped'),
    derived: path.join(home, 'derived'),
    lock: path.join(home, 'core.lock'),
  };
}

/** Creates the folders Core needs, failing with one clear line when the home cannot be written. */
export function prepareHavenHome(home: string): HavenPaths {
  const paths = havenPaths(home);
  try {
    for (const dir of [paths.home, paths.plugins, paths.pluginData, paths.logs]) fs.mkdirSync(dir, { recursive: true });
    const probe = path.join(home, `.write-test-${process.pid}`);
    fs.writeFileSync(probe, '');
    fs.rmSync(probe);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new HavenError(
      'UNAVAILABLE',
      `HAVEN_HOME ${home} is not a writable folder (${code}). Set HAVEN_HOME to a folder you can write to.`,
    );
  }
  return paths;
}
