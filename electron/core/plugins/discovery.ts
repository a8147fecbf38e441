import fs from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import type { z } from 'zod';
import type { PluginOrigin } from '@shared/domain/plugins';
import { describeZodError } from '@shared/ipc/errors';
import { PluginManifest } from '@shared/sdk/manifest';

export interface PluginRoot {
  dir: string;
  origin: PluginOrigin;
  /** Report sub-folders that hold no manifest (in the user's folders they are mistakes). */
  reportStrays: boolean;
}

export interface DiscoveredPlugin {
  dir: string;
  origin: PluginOrigin;
  folderName: string;
  manifest?: PluginManifest;
  manifestFile?: string;
  error?: string;
  /** Changes when the manifest or the entry file changes (for hot reload). */
  fingerprint: string;
}

const MAX_MANIFEST_BYTES = 256 * 1024;

type ManifestResult = { manifest: PluginManifest; file: string } | { error: string; file?: string } | undefined;

/** The manifest a `package.json` carries under its `haven` key, with the package's own fields. */
export function manifestFromPackageJson(json: unknown): unknown {
  if (typeof json !== 'object' || json === null || !('haven' in json)) return undefined;
  const pkg = json as Record<string, unknown>;
  const author = typeof pkg.author === 'object' && pkg.author !== null ? (pkg.author as { name?: unknown }).name : pkg.author;
  return {
    name: pkg.name,
    version: pkg.version,
    description: pkg.description,
    ...(author !== undefined ? { author } : {}),
    ...(pkg.license !== undefined ? { license: pkg.license } : {}),
    ...(pkg.homepage !== undefined ? { homepage: pkg.homepage } : {}),
    ...(pkg.main !== undefined ? { main: pkg.main } : {}),
    ...(pkg.haven as object),
  };
}

/** Reads `plugin.json`, or the `haven` key of `package.json`; undefined when neither exists. */
export function readManifest(dir: string): ManifestResult {
  const pluginJson = path.join(dir, 'plugin.json');
  const packageJson = path.join(dir, 'package.json');
  if (fs.existsSync(pluginJson)) return parseManifestFile(pluginJson, (json) => json);
  if (fs.existsSync(packageJson)) {
    return parseManifestFile(packageJson, manifestFromPackageJson);
  }
  return undefined;
}

function parseManifestFile(file: string, select: (json: unknown) => unknown): ManifestResult {
  const label = path.basename(file);
  let text: string;
  try {
    const size = fs.statSync(file).size;
    if (size > MAX_MANIFEST_BYTES) return { error: `${label} is too large (${size} bytes)`, file };
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    return { error: `${label} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`, file };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { error: `${label} is not valid JSON (${(error as Error).message})`, file };
  }
  const selected = select(json);
  if (selected === undefined) return undefined;
  const parsed = PluginManifest.safeParse(selected);
  if (!parsed.success) return { error: `${label}: ${describeManifestError(parsed.error)}`, file };
  return { manifest: parsed.data, file };
}

function describeManifestError(error: z.ZodError): string {
  return describeZodError(error, '').replace(/(^|; )\./g, '$1');
}

/** Checks what a valid manifest promises about this Haven and this folder. */
export function checkManifest(manifest: PluginManifest, dir: string, havenVersion: string): string | undefined {
  if (!semver.satisfies(havenVersion, manifest.engines.haven, { includePrerelease: true })) {
    return `needs Haven ${manifest.engines.haven}; this is Haven ${havenVersion}`;
  }
  const entry = path.resolve(dir, manifest.main);
  if (!entry.startsWith(path.resolve(dir) + path.sep)) return `entry file ${manifest.main} is outside the plugin folder`;
  if (!fs.existsSync(entry)) return `entry file ${manifest.main} is missing`;
  return undefined;
}

/**
 * Finds plugins in each root's immediate sub-folders. Earlier roots win a name clash; the
 * later plugin is reported as a duplicate rather than dropped silently.
 */
export function discoverPlugins(roots: readonly PluginRoot[], havenVersion: string): DiscoveredPlugin[] {
  const found: DiscoveredPlugin[] = [];
  const byName = new Map<string, DiscoveredPlugin>();
  for (const root of roots) {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(root.dir, { withFileTypes: true });
    } catch {
      continue;
    }
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const dir = path.join(root.dir, entry.name);
      if (!isDirectory(dir)) continue;
      const base = { dir, origin: root.origin, folderName: entry.name, fingerprint: '' };
      const result = readManifest(dir);
      if (result === undefined) {
        if (root.reportStrays) found.push({ ...base, error: 'no plugin.json (or package.json with a "haven" key) in this folder' });
        continue;
      }
      if ('error' in result) {
        found.push({ ...base, error: result.error, ...(result.file ? { manifestFile: result.file } : {}) });
        continue;
      }
      const plugin: DiscoveredPlugin = {
        ...base,
        manifest: result.manifest,
        manifestFile: result.file,
        fingerprint: fingerprintOf(result.file, path.resolve(dir, result.manifest.main)),
      };
      const key = result.manifest.name.toLowerCase();
      const previous = byName.get(key);
      if (previous) {
        plugin.error = `duplicate plugin name ${result.manifest.name}: already found in ${previous.dir}`;
      } else {
        byName.set(key, plugin);
        const problem = checkManifest(result.manifest, dir, havenVersion);
        if (problem) plugin.error = problem;
      }
      found.push(plugin);
    }
  }
  return found;
}

function isDirectory(dir: string): boolean {
  try {
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

function fingerprintOf(...files: string[]): string {
  return files
    .map((file) => {
      try {
        const stat = fs.statSync(file);
        return `${stat.size}:${stat.mtimeMs}`;
      } catch {
        return 'missing';
      }
    })
    .join('|');
}
