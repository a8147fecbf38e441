import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempHome } from '../../../testing/fixtures';
import { startStaticServer, type StaticServer } from '../../../testing/staticServer';
import { loadCatalog } from './catalogs';

const entry = {
  name: 'HelloPlugin',
  version: '1.0.0',
  url: 'hello.havenplugin',
  sha256: 'a'.repeat(64),
  engines: { haven: '>=0.1.0' },
};

let root: string;
let server: StaticServer;

beforeAll(async () => {
  root = tempHome('haven-catalogs-');
  const write = (name: string, plugins: unknown[]): void => fs.writeFileSync(path.join(root, name), JSON.stringify({ name: 'Test', plugins }));
  write('relative.json', [entry]);
  write('local-file.json', [{ ...entry, url: 'file:///etc/passwd' }]);
  write('not-semver.json', [{ ...entry, version: 'latest' }]);
  fs.writeFileSync(path.join(root, 'huge.json'), `{"plugins":[],"pad":"${'x'.repeat(5 * 1024 * 1024)}"}`);
  server = await startStaticServer(root);
});

afterAll(async () => {
  await server.close();
});

describe('loadCatalog', () => {
  it('resolves package URLs against the index, for web and local catalogs alike', async () => {
    expect((await loadCatalog(`${server.url}/relative.json`)).entries[0]!.url).toBe(`${server.url}/hello.havenplugin`);
    // A folder with characters that mean something in a URL.
    const odd = path.join(root, 'a #1 %20 folder');
    fs.mkdirSync(odd);
    fs.copyFileSync(path.join(root, 'relative.json'), path.join(odd, 'index.json'));
    const local = await loadCatalog(path.join(odd, 'index.json'));
    expect(new URL(local.entries[0]!.url).protocol).toBe('file:');
    expect(decodeURIComponent(new URL(local.entries[0]!.url).pathname)).toBe(path.join(odd, 'hello.havenplugin'));
  });

  it('does not let a catalog on the web point at files on this machine', async () => {
    await expect(loadCatalog(`${server.url}/local-file.json`)).rejects.toThrow(/HelloPlugin points at file: URLs, which this catalog may not use/);
    // The same index read from disk may.
    expect((await loadCatalog(path.join(root, 'local-file.json'))).entries[0]!.url).toBe('file:///etc/passwd');
  });

  it('refuses versions that are not semver, and indexes over 4 MiB without reading them whole', async () => {
    await expect(loadCatalog(`${server.url}/not-semver.json`)).rejects.toThrow(/is not a Haven catalog \(plugins\.0\.version: must be a semantic version/);
    await expect(loadCatalog(`${server.url}/huge.json`)).rejects.toThrow(/is larger than 4194304 bytes/);
    await expect(loadCatalog(path.join(root, 'huge.json'))).rejects.toThrow(/is larger than 4194304 bytes/);
  });
});
