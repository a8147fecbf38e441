import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { MediaItem } from '../../shared/sdk/types';
import type { Core } from '../core/core';
import { REPO_ROOT, tempHome } from './fixtures';
import { pluginCores } from './pluginCores';

// What the integration tests of the processor plugins (thumbnails, loudness, remux, subtitles)
// share: making media with ffmpeg, real Cores over plugins/, items with their own derivedDir,
// and checks that a processor changed nothing it should not.

/** Runs ffmpeg quietly to make test media (throws when it fails). */
export function ffmpeg(...args: string[]): void {
  execFileSync('ffmpeg', ['-v', 'error', '-nostdin', '-y', ...args]);
}

/** What `ffprobe -show_streams` (and `-show_format`, `-show_packets`… when asked) says about a file, as JSON. */
export function ffprobe<T>(file: string, ...show: string[]): T {
  return JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_streams', ...show, '-of', 'json', file]).toString()) as T;
}

export function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Every file under a folder, relative, with its size and mtime: what changed shows. */
export function snapshot(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const file = path.join(entry.parentPath, entry.name);
      const stat = fs.statSync(file);
      return `${path.relative(dir, file)} ${stat.size} ${stat.mtimeMs}`;
    })
    .sort();
}

/**
 * A Haven home's files but its logs and database, which Core itself writes, and the derived
 * folder, where the harness gives each item its derivedDir (checked on its own).
 */
export function homeFiles(home: string): string[] {
  return snapshot(home).filter((line) => !/^(logs\/|haven\.db|derived\/)/.test(line));
}

/**
 * Real Cores over plugins/ for one processor plugin's tests. `cores.disposeAll()` stops the
 * Cores (in `afterEach`, or with `cleanup` in `afterAll`); `cleanup` also removes every folder
 * made through the harness.
 */
export function processorHarness(plugin: string, options: { itemPlugin?: string } = {}) {
  const cores = pluginCores([path.join(REPO_ROOT, 'plugins')]);
  const made: string[] = [];
  let serial = 0;
  // Core hands a processor a derivedDir inside its home's derived folder; so does the harness,
  // once a Core has started (the plugin sandbox lets processors write only there).
  let lastHome: string | undefined;
  const tempDir = (prefix?: string): string => {
    const dir = tempHome(prefix);
    made.push(dir);
    return dir;
  };
  return {
    cores,
    /** A temporary folder, removed by `cleanup`. */
    tempDir,
    /** An archived item for `file`, with its own empty derivedDir. */
    itemFor(file: string, mime: string, extra: Partial<MediaItem> = {}): MediaItem {
      serial += 1;
      const derivedDir = lastHome ? path.join(lastHome, 'derived', `item-${serial}`, plugin) : tempDir('haven-derived-');
      fs.mkdirSync(derivedDir, { recursive: true });
      return {
        id: `item-${serial}`,
        plugin: options.itemPlugin ?? 'RssPlugin',
        sourceId: `test:${serial}`,
        title: path.basename(file),
        path: file,
        mime,
        metadata: {},
        derivedDir,
        derived: [],
        ...extra,
      };
    },
    /** A Core in a new home with the plugin started, after setting its config when given. */
    async start(config?: Record<string, unknown>): Promise<{ core: Core; home: string }> {
      const home = tempDir();
      lastHome = home;
      const core = await cores.start(home);
      if (config) {
        const set = await core.plugins.setConfig(plugin, config, false);
        if (!set.ok) throw new Error(`config refused: ${JSON.stringify(set)}`);
      }
      await core.plugins.start(plugin);
      return { core, home };
    },
    async cleanup(): Promise<void> {
      await cores.disposeAll();
      for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
