import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { FUZZ, hostileText, mutatedBytes, mutatedText } from '@shared/testing/fuzz';
import { discoverPlugins, manifestFromPackageJson } from './discovery';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'haven-discovery-fuzz-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const dir = path.join(root, 'plugin');
fs.mkdirSync(path.join(dir, 'dist'), { recursive: true });
fs.writeFileSync(path.join(dir, 'dist', 'index.js'), 'export default {};\n');

const MANIFEST = { name: 'FuzzPlugin', version: '1.0.0', engines: { haven: '>=0.1.0' }, main: 'dist/index.js', permissions: { binaries: ['ffmpeg'] } };
const PLUGIN_JSON = JSON.stringify(MANIFEST, null, 2);
const { name, version, main, ...haven } = MANIFEST;
const PACKAGE_JSON = JSON.stringify({ name, version, main, description: 'x', author: { name: 'Me' }, license: 'MIT', haven }, null, 2);

/**
 * Discovers the one plugin folder holding `content` as its manifest file: one entry comes back,
 * with a manifest whose entry file is inside the folder, or with an error; nothing is thrown.
 */
function discoverWith(file: 'plugin.json' | 'package.json', content: string | Uint8Array): void {
  for (const stale of ['plugin.json', 'package.json']) fs.rmSync(path.join(dir, stale), { force: true });
  fs.writeFileSync(path.join(dir, file), content);
  const found = discoverPlugins([{ dir: root, origin: 'user', reportStrays: true }], '0.5.0');
  expect(found).toHaveLength(1);
  const [plugin] = found;
  if (plugin!.error !== undefined) {
    expect(typeof plugin!.error).toBe('string');
    expect(plugin!.error.length).toBeGreaterThan(0);
    return;
  }
  const entry = path.resolve(dir, plugin!.manifest!.main);
  expect(entry.startsWith(dir + path.sep)).toBe(true);
  expect(fs.existsSync(entry)).toBe(true);
}

describe('plugin discovery under hostile manifest files', () => {
  it('lists a plugin or its problem for mutated plugin.json and package.json text', () => {
    fc.assert(
      fc.property(fc.oneof(mutatedText(PLUGIN_JSON).map((t) => ['plugin.json', t] as const), mutatedText(PACKAGE_JSON).map((t) => ['package.json', t] as const)), ([file, text]) => discoverWith(file, text)),
      { ...FUZZ, numRuns: 300 },
    );
  });

  it('lists a plugin or its problem for arbitrary bytes and hostile JSON values', () => {
    const json = fc.oneof(fc.jsonValue(), fc.record({ haven: fc.jsonValue(), name: fc.jsonValue(), author: fc.jsonValue(), main: fc.oneof(hostileText(8), fc.jsonValue()) }, { requiredKeys: ['haven'] }));
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }).map((bytes) => ['plugin.json', bytes] as const),
          mutatedBytes(new TextEncoder().encode(PLUGIN_JSON)).map((bytes) => ['plugin.json', bytes] as const),
          json.map((value) => ['package.json', JSON.stringify(value) ?? 'null'] as const),
          json.map((value) => ['plugin.json', JSON.stringify(value) ?? 'null'] as const),
        ),
        ([file, content]) => discoverWith(file, content),
      ),
      { ...FUZZ, numRuns: 300 },
    );
  });

  it('reads both kinds of manifest when they are valid (the properties above can fail)', () => {
    for (const [file, text] of [['plugin.json', PLUGIN_JSON], ['package.json', PACKAGE_JSON]] as const) {
      for (const stale of ['plugin.json', 'package.json']) fs.rmSync(path.join(dir, stale), { force: true });
      fs.writeFileSync(path.join(dir, file), text);
      const [plugin] = discoverPlugins([{ dir: root, origin: 'user', reportStrays: true }], '0.5.0');
      expect(plugin).toMatchObject({ manifest: { name: 'FuzzPlugin', main: 'dist/index.js' } });
      expect(plugin!.error).toBeUndefined();
    }
  });

  it('manifestFromPackageJson takes any JSON value without throwing', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.record({ haven: fc.anything(), author: fc.anything() })), (value) => {
        manifestFromPackageJson(value);
      }),
      { ...FUZZ, numRuns: 300 },
    );
  });
});
