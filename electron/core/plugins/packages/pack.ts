import fs from 'node:fs';
import path from 'node:path';
import yazl from 'yazl';
import { HavenError } from '@shared/ipc/errors';
import type { PluginManifest } from '@shared/sdk/manifest';
import { readManifest } from '../discovery';
import { PACKAGE_LIMITS } from './limits';

/** What a package leaves out: version control, dependencies to bundle instead, tests, maps, dev configs. */
export function isDevFile(relative: string, manifest: PluginManifest): boolean {
  const parts = relative.split('/');
  const name = parts.at(-1)!;
  if (parts.some((part) => part.startsWith('.') || part === 'node_modules' || part === 'coverage' || part === 'test' || part === 'tests' || part === '__tests__')) {
    return true;
  }
  if (/\.(test|spec)\.[cm]?[jt]sx?$/.test(name) || name.endsWith('.map') || /^tsconfig.*\.json$/.test(name)) return true;
  // Earlier packages (`haven plugin pack .` writes into the folder) and half-written ones.
  if (name.endsWith('.havenplugin') || name.endsWith('.part')) return true;
  // Sources are dev files when the entry is a build output (dist/index.js built from src/).
  if (parts[0] === 'src' && /^(dist|build|out)\//.test(entryOf(manifest))) return true;
  return false;
}

/** The entry file as a package path (`./index.js` → `index.js`). */
export function entryOf(manifest: PluginManifest): string {
  return path.posix.normalize(manifest.main);
}

function listFiles(dir: string, manifest: PluginManifest): string[] {
  const files: string[] = [];
  const walk = (current: string): void => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(current, entry.name);
      const relative = path.relative(dir, full).split(path.sep).join('/');
      if (entry.isSymbolicLink()) throw new HavenError('INVALID_INPUT', `${relative} is a symbolic link; packages hold real files only`);
      if (isDevFile(relative, manifest)) continue;
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) {
        files.push(relative);
        if (files.length > PACKAGE_LIMITS.maxFiles) throw new HavenError('TOO_LARGE', `more than ${PACKAGE_LIMITS.maxFiles} files`);
      }
    }
  };
  walk(dir);
  return files;
}

/**
 * `haven plugin pack DIR`: a `.havenplugin` (a zip with the manifest at its root) of a plugin
 * folder, after checking its manifest and entry file. Entries are sorted and dated 1980-01-01 so
 * the same folder packs to the same bytes.
 */
export async function packPlugin(dir: string, output?: string): Promise<{ file: string; manifest: PluginManifest; files: number; bytes: number }> {
  const root = path.resolve(dir);
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) throw new HavenError('NOT_FOUND', `${dir} is not a folder`);
  const result = readManifest(root);
  if (!result) throw new HavenError('INVALID_INPUT', `${dir} has no plugin.json (or package.json with a "haven" key)`);
  if ('error' in result) throw new HavenError('INVALID_INPUT', result.error);
  const manifest = result.manifest;
  const files = listFiles(root, manifest);
  if (!files.includes(entryOf(manifest))) throw new HavenError('INVALID_INPUT', `the entry file ${manifest.main} is missing (build the plugin first?)`);
  const file = path.resolve(output ?? `${manifest.name}-${manifest.version}.havenplugin`);
  const zip = new yazl.ZipFile();
  const epoch = new Date(1980, 0, 1);
  for (const relative of files) zip.addFile(path.join(root, relative), relative, { mtime: epoch, mode: 0o100644 });
  zip.end();
  const part = `${file}.part`;
  await new Promise<void>((resolve, reject) => {
    const out = fs.createWriteStream(part);
    zip.outputStream.pipe(out).on('close', () => resolve()).on('error', reject);
  });
  fs.renameSync(part, file);
  return { file, manifest, files: files.length, bytes: fs.statSync(file).size };
}
