/**
 * The plugin sandbox: what a plugin host process may touch, enforced by Node's permission model
 * (`--permission`). Files are read and written only under the folders computed here; child
 * processes and native addons only when the manifest declares them. See docs/security.md.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { PluginManifest } from '@shared/sdk/manifest';

export interface SandboxPlan {
  read: string[];
  write: string[];
  /** Program files settings name (`permissions.programFiles`), which the plugin may run. */
  programFiles: string[];
  /** `permissions.binaries` is not empty (which programs run is checked in the host). */
  childProcess: boolean;
  /** `permissions.addons`: native code, which the permission model cannot contain. */
  addons: boolean;
}

export interface SandboxInput {
  manifest: PluginManifest;
  /** The plugin's stored settings: `${config.key}` in `permissions.filesystem` reads them. */
  config: Record<string, unknown>;
  havenHome: string;
  userHome: string;
  pluginDir: string;
  hostEntry: string;
  dataDir: string;
  outputDir: string;
  binDirs: string[];
  /** The PATH programs are looked up in (read access to it only with `binaries`). */
  searchPath: string;
  /** For processors: where originals live (they read, never write, there). */
  libraryRoots: string[];
  /** For processors: where derived files go. */
  derivedRoot: string;
  /** Folders added at run time (an original a processor must read outside the library roots). */
  extraRead: readonly string[];
}

/**
 * `~`, `$HAVEN_HOME` and `${config.key}` expanded; undefined when a setting it names is unset
 * or the result is not an absolute path (a relative folder means nothing to a sandbox).
 */
export function expandFolder(entry: string, context: { havenHome: string; userHome: string; config: Record<string, unknown> }): string | undefined {
  // `~` and `$HAVEN_HOME` belong to the manifest's text; a setting's value is taken as it is.
  let value = entry;
  if (value === '~' || value.startsWith('~/') || value.startsWith('~\\')) value = context.userHome + value.slice(1);
  value = value.replace(/^\$HAVEN_HOME(?=$|[\\/])/, context.havenHome);
  let unresolved = false;
  value = value.replace(/\$\{config\.([A-Za-z0-9_]+)\}/g, (_match, key: string) => {
    const setting = context.config[key];
    if (typeof setting === 'string' && setting.trim() !== '') return setting;
    unresolved = true;
    return '';
  });
  if (unresolved || !path.isAbsolute(value)) return undefined;
  return path.resolve(value);
}

/**
 * Why a folder a setting names must not be opened to a plugin: the root, the user's home, or
 * Haven's own folder (its database, other plugins' data) or one around it. Undefined when fine.
 */
export function unsafeFolder(folder: string, context: { havenHome: string; userHome: string }): string | undefined {
  const resolved = path.resolve(folder);
  if (path.dirname(resolved) === resolved) return 'must be a folder of its own, not the root of a drive';
  if (resolved === path.resolve(context.userHome)) return 'must be a folder of its own, not your whole home folder';
  if (isInside(context.havenHome, resolved)) return `must not be Haven's own folder (${context.havenHome}) or a folder that holds it`;
  if (isInside(resolved, context.havenHome) && !isInside(resolved, path.join(context.havenHome, 'downloads')) && !isInside(resolved, path.join(context.havenHome, 'derived'))) {
    return `must not be inside Haven's own folder (${context.havenHome}), except its downloads and derived folders`;
  }
  return undefined;
}

/** The folders a plugin declares beyond its own (`permissions.filesystem`), expanded. */
export function declaredFolders(manifest: PluginManifest, context: { havenHome: string; userHome: string; config: Record<string, unknown> }): string[] {
  return manifest.permissions.filesystem
    .map((entry) => {
      const folder = expandFolder(entry, context);
      // Never opened: the root, the home folder, Haven's folder (a manifest may name it, a setting
      // saved before the check may); the install dialog shows what a manifest declares.
      return folder && unsafeFolder(folder, context) ? undefined : folder;
    })
    .filter((folder): folder is string => folder !== undefined);
}

/** Every `node_modules` from `dir` up to the root, as Node's module resolution walks them. */
export function nodeModulesAbove(dir: string, exists: (p: string) => boolean = fs.existsSync): string[] {
  const found: string[] = [];
  let current = path.resolve(dir);
  for (let depth = 0; depth < 64; depth += 1) {
    const candidate = path.join(current, 'node_modules');
    if (exists(candidate)) found.push(candidate);
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  return found;
}

export function planSandbox(input: SandboxInput, exists: (p: string) => boolean = fs.existsSync): SandboxPlan {
  const { manifest } = input;
  const declared = declaredFolders(manifest, input);
  const processor = manifest.capabilities.includes('PROCESS');
  const binaries = manifest.permissions.binaries.length > 0;
  const hostDir = path.dirname(input.hostEntry);
  const write = [input.dataDir, input.outputDir, ...declared, ...(processor ? [input.derivedRoot] : [])];
  const programFiles = binaries ? manifest.permissions.programFiles.map((entry) => expandFolder(entry, input)).filter((file): file is string => file !== undefined) : [];
  const read = [
    hostDir,
    ...nodeModulesAbove(hostDir, exists),
    input.pluginDir,
    ...nodeModulesAbove(input.pluginDir, exists),
    ...write,
    ...(binaries ? [...input.binDirs, ...input.searchPath.split(path.delimiter).filter((dir) => path.isAbsolute(dir)), ...programFiles] : []),
    ...(processor ? input.libraryRoots : []),
    ...input.extraRead,
  ];
  return { read: minimalRoots(read), write: minimalRoots(write), programFiles, childProcess: binaries, addons: manifest.permissions.addons };
}

/** Distinct absolute folders, without those already inside another. */
export function minimalRoots(folders: readonly string[]): string[] {
  const sorted = [...new Set(folders.filter((folder) => path.isAbsolute(folder)).map((folder) => path.resolve(folder)))].sort();
  return sorted.filter((folder) => !sorted.some((other) => other !== folder && isInside(folder, other)));
}

export function isInside(target: string, folder: string): boolean {
  const relative = path.relative(folder, target);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

export function samePlan(a: SandboxPlan, b: SandboxPlan): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The words every sandbox refusal carries (see describeAccessDenied). */
export const SANDBOX_REFUSAL = "Haven's plugin sandbox";

export function allowsRead(plan: SandboxPlan, target: string): boolean {
  return plan.read.some((folder) => isInside(path.resolve(target), folder));
}

/**
 * Node's flags for a plan. Node 20 takes one path per `--allow-fs-*` flag; 22.13 renamed
 * `--experimental-permission` to `--permission`. The model's own start-up warnings are silenced
 * (they would land in every plugin's log); other warnings still show.
 */
export function permissionFlags(plan: SandboxPlan, nodeVersion: string = process.versions.node, isFile: (p: string) => boolean = isExistingFile): string[] {
  const [major = 0, minor = 0] = nodeVersion.split('.').map(Number);
  const stable = major > 22 || (major === 22 && minor >= 13);
  // A folder is given as `folder/*`: Node takes a plain path that does not exist yet (an output
  // folder made later) as a file, and would refuse what is created inside it.
  const pattern = (target: string): string => (isFile(target) ? target : path.join(target, '*'));
  return [
    stable ? '--permission' : '--experimental-permission',
    '--disable-warning=ExperimentalWarning',
    '--disable-warning=SecurityWarning',
    ...plan.read.map((target) => `--allow-fs-read=${pattern(target)}`),
    ...plan.write.map((target) => `--allow-fs-write=${pattern(target)}`),
    // The host's module hooks (`@haven/sdk` resolution) run on a worker thread; workers live
    // under the same limits as the process (a test reads outside the roots from one).
    '--allow-worker',
    ...(plan.childProcess ? ['--allow-child-process'] : []),
    ...(plan.addons ? ['--allow-addons'] : []),
  ];
}

function isExistingFile(target: string): boolean {
  return fs.statSync(target, { throwIfNoEntry: false })?.isFile() ?? false;
}
