import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import semver from 'semver';
import type { PackagePreview } from '@shared/domain/packages';
import { HavenError } from '@shared/ipc/errors';
import { PluginManifest, pluginShortId } from '@shared/sdk/manifest';
import type { HavenPaths } from '../../home';
import type { Logger } from '../../log';
import type { PluginCatalog } from '../catalog';
import { checkManifest, manifestFromPackageJson, readManifest } from '../discovery';
import type { PluginRuntime } from '../runtime';
import { PACKAGE_LIMITS } from './limits';
import { entryOf, packPlugin } from './pack';
import { extractEntries, readEntryText, readZipEntries } from './zipReader';

interface Upload {
  file: string;
  size: number;
  received: number;
  expires: number;
}

const UPLOAD_TTL_MS = 10 * 60_000;
const STAGED_TTL_MS = 60 * 60_000;
const MAX_URL_BYTES = PACKAGE_LIMITS.maxPackageBytes;
/** Packages waiting for the user's answer; the oldest is dropped beyond this. */
const MAX_STAGED = 8;
/** While a new version is swapped in, the old one waits in staging under this name. */
const PREVIOUS_PREFIX = 'previous--';

function describeManifestProblem(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.map(String).join('.') || 'manifest'}: ${issue.message}`)
    .join('; ');
}

async function sha256Of(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * A crash between the two renames of an install leaves the old version aside in staging: put it
 * back. Runs at start, before plugins are discovered (the PackageManager then clears staging).
 */
export function recoverInterruptedInstall(pluginsDir: string, logger: Logger): void {
  const staging = path.join(pluginsDir, '.staging');
  let names: string[];
  try {
    names = fs.readdirSync(staging);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(PREVIOUS_PREFIX)) continue;
    const target = path.join(pluginsDir, name.slice(PREVIOUS_PREFIX.length));
    if (fs.existsSync(target)) continue;
    fs.renameSync(path.join(staging, name), target);
    logger.warn('restored a plugin whose update was interrupted', { dir: target });
  }
}

/**
 * Installs and removes plugin packages. Everything is checked before anything is written, and
 * written only under `plugins/.staging` until the swap into place; a failed install leaves the
 * previous version as it was.
 */
export class PackageManager {
  private readonly staging: string;
  private readonly uploads = new Map<string, Upload>();
  private readonly previews = new Map<string, { preview: PackagePreview; file: string; at: number }>();

  constructor(
    private readonly options: { paths: HavenPaths; catalog: PluginCatalog; runtime: PluginRuntime; havenVersion: string; logger: Logger },
  ) {
    this.staging = path.join(options.paths.plugins, '.staging');
    // Call recoverInterruptedInstall before plugins are discovered; whatever else an
    // interrupted install left behind is not a plugin: clear it.
    fs.rmSync(this.staging, { recursive: true, force: true });
    fs.mkdirSync(this.staging, { recursive: true });
  }

  /** Forgets a staged package the user declined. */
  discard(stagingId: string): void {
    const staged = this.previews.get(stagingId);
    if (!staged) return;
    fs.rmSync(staged.file, { force: true });
    this.previews.delete(stagingId);
  }

  // ----- getting a package into staging -----

  async stageFile(source: string, options: { expectedSha256?: string; label?: string } = {}): Promise<PackagePreview> {
    this.expire();
    const id = crypto.randomBytes(8).toString('hex');
    const file = path.join(this.staging, `${id}.havenplugin`);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(source);
    } catch {
      throw new HavenError('NOT_FOUND', `${source} does not exist`);
    }
    // A FIFO or a device would block (or never end) the copy.
    if (!stat.isFile()) throw new HavenError('INVALID_INPUT', `${source} is not a file`);
    const size = stat.size;
    if (size > PACKAGE_LIMITS.maxPackageBytes) throw new HavenError('TOO_LARGE', `the package is ${size} bytes; the limit is ${PACKAGE_LIMITS.maxPackageBytes}`);
    fs.copyFileSync(source, file);
    return this.inspect(id, file, options.expectedSha256);
  }

  async stageFolder(dir: string): Promise<PackagePreview> {
    this.expire();
    const id = crypto.randomBytes(8).toString('hex');
    const file = path.join(this.staging, `${id}.havenplugin`);
    await packPlugin(dir, file);
    return this.inspect(id, file);
  }

  /** Downloads a package (http(s), size-capped, 60 s) into staging. */
  async stageUrl(url: string, expectedSha256?: string): Promise<PackagePreview> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new HavenError('INVALID_INPUT', `not a URL: ${url}`);
    }
    if (parsed.protocol === 'file:') return this.stageFile(fileURLToPath(parsed), expectedSha256 ? { expectedSha256 } : {});
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new HavenError('INVALID_INPUT', `packages are downloaded over http(s), not ${parsed.protocol}`);
    let response: Response;
    try {
      response = await fetch(parsed, { signal: AbortSignal.timeout(60_000) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause;
      throw new HavenError('UNAVAILABLE', `cannot download ${url}: ${cause?.code ?? (error as Error).message}`);
    }
    if (!response.ok || !response.body) throw new HavenError(response.status === 404 ? 'NOT_FOUND' : 'UNAVAILABLE', `cannot download ${url}: HTTP ${response.status}`);
    const declared = Number(response.headers.get('content-length'));
    if (declared > MAX_URL_BYTES) throw new HavenError('TOO_LARGE', `the package is ${declared} bytes; the limit is ${MAX_URL_BYTES}`);
    this.expire();
    const id = crypto.randomBytes(8).toString('hex');
    const file = path.join(this.staging, `${id}.havenplugin`);
    let received = 0;
    const cap = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        received += chunk.length;
        if (received > MAX_URL_BYTES) done(new HavenError('TOO_LARGE', `the package is larger than ${MAX_URL_BYTES} bytes`));
        else done(null, chunk);
      },
    });
    try {
      await pipeline(response.body as unknown as AsyncIterable<Uint8Array>, cap, fs.createWriteStream(file));
    } catch (error) {
      fs.rmSync(file, { force: true });
      if (error instanceof HavenError) throw error;
      throw new HavenError('UNAVAILABLE', `cannot download ${url}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    return this.inspect(id, file, expectedSha256);
  }

  /** Uploads over the contract (the web UI): begin, chunks in order, finish. */
  beginUpload(size: number): string {
    if (size <= 0 || size > PACKAGE_LIMITS.maxPackageBytes) {
      throw new HavenError('TOO_LARGE', `a package may be at most ${PACKAGE_LIMITS.maxPackageBytes} bytes`);
    }
    this.expire();
    if (this.uploads.size >= MAX_STAGED) throw new HavenError('UNAVAILABLE', 'too many uploads at once');
    const id = crypto.randomBytes(8).toString('hex');
    const file = path.join(this.staging, `${id}.upload`);
    fs.writeFileSync(file, '');
    this.uploads.set(id, { file, size, received: 0, expires: Date.now() + UPLOAD_TTL_MS });
    return id;
  }

  appendUpload(id: string, offset: number, data: Uint8Array): number {
    const upload = this.uploads.get(id);
    if (!upload) throw new HavenError('NOT_FOUND', 'no such upload (it may have expired); start again');
    if (offset !== upload.received) throw new HavenError('INVALID_INPUT', `expected the chunk at byte ${upload.received}, got ${offset}`);
    if (upload.received + data.length > upload.size) throw new HavenError('TOO_LARGE', 'more data than the upload announced');
    try {
      fs.appendFileSync(upload.file, data);
    } catch (error) {
      this.uploads.delete(id);
      fs.rmSync(upload.file, { force: true });
      throw new HavenError('UNAVAILABLE', `cannot store the upload: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
    upload.received += data.length;
    upload.expires = Date.now() + UPLOAD_TTL_MS;
    return upload.received;
  }

  async finishUpload(id: string): Promise<PackagePreview> {
    const upload = this.uploads.get(id);
    if (!upload) throw new HavenError('NOT_FOUND', 'no such upload (it may have expired); start again');
    this.uploads.delete(id);
    if (upload.received !== upload.size) {
      fs.rmSync(upload.file, { force: true });
      throw new HavenError('INVALID_INPUT', `the upload is incomplete (${upload.received} of ${upload.size} bytes)`);
    }
    const file = path.join(this.staging, `${id}.havenplugin`);
    fs.renameSync(upload.file, file);
    return this.inspect(id, file);
  }

  // ----- inspecting -----

  private async inspect(id: string, file: string, expectedSha256?: string): Promise<PackagePreview> {
    try {
      const sha256 = await sha256Of(file);
      if (expectedSha256 && sha256 !== expectedSha256.toLowerCase()) {
        throw new HavenError('INVALID_INPUT', `the package's sha256 is ${sha256}, but ${expectedSha256} was expected: it was changed or damaged on the way`);
      }
      const { entries, zip, raw } = await readZipEntries(file);
      try {
        const prefix = rootPrefix(entries.map((e) => e.name));
        const manifestEntry = raw.get(`${prefix}plugin.json`) ?? raw.get(`${prefix}package.json`);
        if (!manifestEntry) throw new HavenError('INVALID_INPUT', 'the package has no plugin.json at its root');
        let json: unknown;
        try {
          json = JSON.parse(await readEntryText(zip, manifestEntry));
        } catch (error) {
          if (error instanceof HavenError) throw error;
          throw new HavenError('INVALID_INPUT', `${manifestEntry.fileName} is not valid JSON`);
        }
        const candidate = manifestEntry.fileName.endsWith('package.json') ? (manifestFromPackageJson(json) ?? json) : json;
        const parsed = PluginManifest.safeParse(candidate);
        if (!parsed.success) throw new HavenError('INVALID_INPUT', `invalid manifest: ${describeManifestProblem(parsed.error)}`);
        const manifest = parsed.data;
        const problems: string[] = [];
        if (!semver.satisfies(this.options.havenVersion, manifest.engines.haven, { includePrerelease: true })) {
          problems.push(`needs Haven ${manifest.engines.haven}; this is Haven ${this.options.havenVersion}`);
        }
        if (!raw.has(`${prefix}${entryOf(manifest)}`)) problems.push(`its entry file ${manifest.main} is missing`);
        const replaces = this.replacement(manifest);
        if (replaces.replaces?.origin === 'builtin') problems.push(`${manifest.name} comes with Haven and cannot be replaced by a package`);
        if (replaces.replaces?.origin === 'extra') problems.push(`${manifest.name} is loaded from a folder you added in Settings; update it there`);
        const readmeEntry = [...raw.keys()].find((name) => name.toLowerCase() === `${prefix}readme.md`);
        const readme = readmeEntry ? (await readEntryText(zip, raw.get(readmeEntry)!, 64 * 1024).catch(() => undefined)) : undefined;
        const preview: PackagePreview = {
          stagingId: id,
          manifest,
          files: entries.filter((e) => !e.directory).length,
          unpackedBytes: entries.reduce((sum, e) => sum + e.size, 0),
          sha256,
          dependencies: this.dependencyStatus(manifest),
          ...replaces,
          problems,
          ...(readme ? { readme } : {}),
        };
        this.previews.set(id, { preview, file, at: Date.now() });
        for (const [oldest] of this.previews) {
          if (this.previews.size <= MAX_STAGED) break;
          this.discard(oldest);
        }
        return preview;
      } finally {
        zip.close();
      }
    } catch (error) {
      fs.rmSync(file, { force: true });
      throw error;
    }
  }

  private dependencyStatus(manifest: PluginManifest): PackagePreview['dependencies'] {
    const installed = this.options.runtime.list();
    return Object.entries(manifest.dependencies).map(([name, range]) => {
      const found = installed.find((p) => p.name.toLowerCase() === name.toLowerCase() && p.state !== 'invalid');
      const status = !found ? 'missing' : !semver.satisfies(found.version, range, { includePrerelease: true }) ? 'incompatible' : !found.enabled ? 'disabled' : 'met';
      return { name, range, status, ...(found ? { installedVersion: found.version } : {}) };
    });
  }

  private replacement(manifest: PluginManifest): Pick<PackagePreview, 'replaces'> {
    const current = this.options.runtime.list().find((p) => p.name.toLowerCase() === manifest.name.toLowerCase() && p.state !== 'invalid');
    if (!current) return {};
    const direction = semver.gt(manifest.version, current.version) ? 'upgrade' : semver.lt(manifest.version, current.version) ? 'downgrade' : 'reinstall';
    return { replaces: { version: current.version, origin: current.origin, direction } };
  }

  // ----- installing -----

  /**
   * Installs a staged package: extract into staging, check the folder again, then swap it into
   * `plugins/<id>`, keeping the previous version until the new one is in place.
   */
  async install(stagingId: string): Promise<{ name: string; version: string; dir: string; replaced?: string }> {
    this.expire();
    const staged = this.previews.get(stagingId);
    if (!staged) throw new HavenError('NOT_FOUND', 'no such staged package (it may have expired); add it again');
    const { preview, file } = staged;
    if (preview.problems.length > 0) throw new HavenError('CONFLICT', `${preview.manifest.name} cannot be installed: ${preview.problems.join('; ')}`);
    this.previews.delete(stagingId);
    const unpacked = path.join(this.staging, `${stagingId}.dir`);
    const target = this.installTarget(preview);
    const previous = path.join(this.staging, `${PREVIOUS_PREFIX}${path.basename(target)}`);
    try {
      const { entries, zip, raw } = await readZipEntries(file);
      try {
        await extractEntries(zip, raw, unpacked, rootPrefix(entries.map((e) => e.name)));
      } finally {
        zip.close();
      }
      const onDisk = readManifest(unpacked);
      if (!onDisk || 'error' in onDisk) throw new HavenError('INVALID_INPUT', `the unpacked plugin has no valid manifest${onDisk && 'error' in onDisk ? ` (${onDisk.error})` : ''}`);
      // Everything the user agreed to (permissions, binaries, entry, dependencies) must be what lands.
      if (JSON.stringify(onDisk.manifest) !== JSON.stringify(preview.manifest)) {
        throw new HavenError('INVALID_INPUT', 'the unpacked manifest differs from the one shown before installing');
      }
      const problem = checkManifest(onDisk.manifest, unpacked, this.options.havenVersion);
      if (problem) throw new HavenError('INVALID_INPUT', problem);
      if (fs.existsSync(target)) {
        const existing = readManifest(target);
        if (!existing) throw new HavenError('CONFLICT', `${target} exists and is not a plugin; move it away first`);
        if ('manifest' in existing && existing.manifest.name.toLowerCase() !== preview.manifest.name.toLowerCase()) {
          throw new HavenError('CONFLICT', `${target} holds another plugin (${existing.manifest.name})`);
        }
        fs.rmSync(previous, { recursive: true, force: true });
        fs.renameSync(target, previous);
      }
      try {
        fs.renameSync(unpacked, target);
      } catch (error) {
        if (fs.existsSync(previous)) fs.renameSync(previous, target);
        throw error;
      }
      fs.rmSync(previous, { recursive: true, force: true });
      this.options.logger.info('plugin installed', { name: preview.manifest.name, version: preview.manifest.version, replaced: preview.replaces?.version });
      this.options.catalog.rescan();
      return { name: preview.manifest.name, version: preview.manifest.version, dir: target, ...(preview.replaces ? { replaced: preview.replaces.version } : {}) };
    } finally {
      fs.rmSync(unpacked, { recursive: true, force: true });
      fs.rmSync(file, { force: true });
    }
  }

  /** An update goes where the installed version is; a new plugin into `plugins/<id>`. */
  private installTarget(preview: PackagePreview): string {
    if (preview.replaces?.origin === 'user') {
      const current = this.options.runtime.list().find((p) => p.name.toLowerCase() === preview.manifest.name.toLowerCase() && p.state !== 'invalid');
      if (current) return this.options.runtime.resolve(current.name).discovered.dir;
    }
    return path.join(this.options.paths.plugins, pluginShortId(preview.manifest.name));
  }

  /** Removes an installed plugin's folder (built-in plugins can only be disabled), and its data when asked. */
  async uninstall(ref: string, deleteData: boolean): Promise<{ name: string; deletedData: boolean }> {
    const entry = this.options.runtime.resolve(ref);
    if (entry.discovered.origin === 'builtin') throw new HavenError('FORBIDDEN', `${entry.key} comes with Haven; disable it instead`);
    const dir = entry.discovered.dir;
    if (entry.discovered.origin !== 'user') {
      throw new HavenError('FORBIDDEN', `${entry.key} lives in ${path.dirname(dir)}, a folder you added in Settings; remove it there`);
    }
    await this.options.runtime.stop(entry.key).catch(() => undefined);
    const trash = path.join(this.staging, `uninstall-${crypto.randomBytes(6).toString('hex')}`);
    fs.renameSync(dir, trash);
    fs.rmSync(trash, { recursive: true, force: true });
    if (deleteData) {
      fs.rmSync(path.join(this.options.paths.pluginData, pluginShortId(entry.key)), { recursive: true, force: true });
      this.options.runtime.forgetData(entry.key);
    }
    this.options.catalog.rescan();
    return { name: entry.key, deletedData: deleteData };
  }

  private expire(): void {
    const now = Date.now();
    for (const [id, upload] of this.uploads) {
      if (upload.expires < now) {
        fs.rmSync(upload.file, { force: true });
        this.uploads.delete(id);
      }
    }
    for (const [id, staged] of this.previews) {
      if (now - staged.at > STAGED_TTL_MS) {
        fs.rmSync(staged.file, { force: true });
        this.previews.delete(id);
      }
    }
  }
}

/** `name/plugin.json` packages (one folder at the root) are accepted too: the folder is stripped. */
function rootPrefix(names: readonly string[]): string {
  if (names.includes('plugin.json') || names.includes('package.json')) return '';
  const tops = new Set(names.map((name) => name.split('/')[0]));
  if (tops.size !== 1) return '';
  const [top] = [...tops];
  return names.includes(`${top}/plugin.json`) || names.includes(`${top}/package.json`) ? `${top}/` : '';
}

