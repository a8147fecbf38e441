import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import semver from 'semver';
import { CatalogIndex, type AvailablePlugin, type CatalogEntry } from '@shared/domain/packages';
import type { PluginSummary } from '@shared/domain/plugins';
import { HavenError } from '@shared/ipc/errors';

const MAX_INDEX_BYTES = 4 * 1024 * 1024;

export interface LoadedCatalog {
  source: string;
  name: string;
  entries: CatalogEntry[];
}

/** Reads a catalog index from a URL or a file, validated; relative package URLs resolve against it. */
export async function loadCatalog(source: string): Promise<LoadedCatalog> {
  let text: string;
  let base: string;
  if (/^https?:\/\//i.test(source)) {
    let response: Response;
    try {
      response = await fetch(source, { signal: AbortSignal.timeout(15_000) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause;
      throw new HavenError('UNAVAILABLE', `cannot reach ${source}: ${cause?.code ?? (error as Error).message}`);
    }
    if (!response.ok) throw new HavenError('UNAVAILABLE', `${source}: HTTP ${response.status}`);
    text = await readCapped(response, source);
    base = source;
  } else {
    const file = source.startsWith('file:') ? fileURLToPath(source) : path.resolve(source);
    try {
      if (fs.statSync(file).size > MAX_INDEX_BYTES) throw new HavenError('TOO_LARGE', `${source} is larger than ${MAX_INDEX_BYTES} bytes`);
      text = fs.readFileSync(file, 'utf8');
    } catch (error) {
      if (error instanceof HavenError) throw error;
      throw new HavenError('NOT_FOUND', `cannot read ${source} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
    base = pathToFileURL(file).href;
  }
  if (text.length > MAX_INDEX_BYTES) throw new HavenError('TOO_LARGE', `${source} is larger than ${MAX_INDEX_BYTES} bytes`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new HavenError('INVALID_INPUT', `${source} is not JSON`);
  }
  const parsed = CatalogIndex.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new HavenError('INVALID_INPUT', `${source} is not a Haven catalog (${issue?.path.join('.')}: ${issue?.message})`);
  }
  const remote = !base.startsWith('file:');
  const entries = parsed.data.plugins.map((entry) => {
    let url: URL;
    try {
      url = new URL(entry.url, base);
    } catch {
      throw new HavenError('INVALID_INPUT', `${source}: ${entry.name} has an invalid url (${entry.url})`);
    }
    // A catalog on the web must not make Haven read files on this machine.
    const allowed = remote ? ['http:', 'https:'] : ['http:', 'https:', 'file:'];
    if (!allowed.includes(url.protocol)) throw new HavenError('INVALID_INPUT', `${source}: ${entry.name} points at ${url.protocol} URLs, which this catalog may not use`);
    return { ...entry, url: url.toString() };
  });
  return { source, name: parsed.data.name, entries };
}

/** The body of a response, refusing more than MAX_INDEX_BYTES without reading it all first. */
async function readCapped(response: Response, source: string): Promise<string> {
  const tooLarge = () => new HavenError('TOO_LARGE', `${source} is larger than ${MAX_INDEX_BYTES} bytes`);
  if (Number(response.headers.get('content-length')) > MAX_INDEX_BYTES) throw tooLarge();
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let received = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    received += chunk.length;
    if (received > MAX_INDEX_BYTES) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Catalog entries with what this Haven makes of them: compatible or why not, installed, update. */
export function availableFrom(catalogs: readonly LoadedCatalog[], installed: readonly PluginSummary[], havenVersion: string): AvailablePlugin[] {
  const result: AvailablePlugin[] = [];
  for (const catalog of catalogs) {
    for (const entry of catalog.entries) {
      const range = semver.validRange(entry.engines.haven);
      const compatible = range !== null && semver.satisfies(havenVersion, range, { includePrerelease: true });
      const current = installed.find((p) => p.name.toLowerCase() === entry.name.toLowerCase() && p.state !== 'invalid');
      const newer = current && semver.valid(entry.version) && semver.valid(current.version) ? semver.gt(entry.version, current.version) : false;
      result.push({
        ...entry,
        catalog: catalog.name,
        compatible,
        ...(compatible ? {} : { incompatibleReason: range === null ? `its engines range ${entry.engines.haven} is not valid` : `needs Haven ${entry.engines.haven}; this is Haven ${havenVersion}` }),
        ...(current ? { installedVersion: current.version } : {}),
        updateAvailable: Boolean(newer && compatible),
      });
    }
  }
  return result;
}
