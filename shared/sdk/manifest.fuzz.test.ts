import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FUZZ, hostileText, hostileToken, mutatedText } from '../testing/fuzz';
import { PackagePath, PluginManifest, pluginShortId } from './manifest';

const VALID = {
  name: 'FuzzPlugin',
  version: '1.2.3',
  description: 'A plugin',
  homepage: 'https://example.com',
  icon: 'assets/icon.png',
  engines: { haven: '>=0.1.0' },
  capabilities: ['DISCOVER', 'ARCHIVE'],
  dependencies: { OtherPlugin: '^1.0.0' },
  permissions: { network: ['*.example.com', '127.0.0.1:8080'], filesystem: ['~/media'], binaries: ['ffmpeg'] },
  urlPatterns: ['^https://example\\.com/'],
  sourceIds: ['^https://example\\.com/v/(\\w+)'],
  main: 'dist/index.js',
  maxMemoryMb: 256,
};
const VALID_TEXT = JSON.stringify(VALID, null, 2);

/** Whatever the manifest accepts as a path stays inside the plugin folder, on POSIX and on Windows. */
function expectInside(relative: string): void {
  const posix = path.posix.resolve('/plugins/p', relative);
  expect(posix === '/plugins/p' || posix.startsWith('/plugins/p/'), relative).toBe(true);
  const win = path.win32.resolve('C:\\plugins\\p', relative);
  expect(win === 'C:\\plugins\\p' || win.startsWith('C:\\plugins\\p\\'), relative).toBe(true);
}

function expectAccepted(manifest: PluginManifest): void {
  expect(manifest.name).toMatch(/^[A-Za-z][A-Za-z0-9_-]{1,63}$/);
  expect(pluginShortId(manifest.name)).toMatch(/^[a-z][a-z0-9_-]*$/);
  expectInside(manifest.main);
  if (manifest.icon !== undefined) expectInside(manifest.icon);
  for (const pattern of [...manifest.urlPatterns, ...manifest.sourceIds]) expect(() => new RegExp(pattern)).not.toThrow();
  for (const name of Object.keys(manifest.dependencies)) expect(name).toMatch(/^[A-Za-z][A-Za-z0-9_-]{1,63}$/);
  for (const binary of manifest.permissions.binaries) expect(binary).toMatch(/^[A-Za-z0-9._-]{1,64}$/);
}

/** A manifest with some fields replaced by hostile values of any type. */
const anyValue = fc.oneof(fc.anything({ maxDepth: 2 }), hostileText(8), fc.array(hostileText(6), { maxLength: 3 }), fc.dictionary(hostileText(4), hostileText(4), { maxKeys: 3 }));
const nearlyManifest = fc
  .array(fc.tuple(fc.constantFrom(...Object.keys(VALID), 'extra', '__proto__', 'constructor'), anyValue, fc.boolean()), { minLength: 1, maxLength: 4 })
  .map((edits) => {
    const manifest: Record<string, unknown> = JSON.parse(VALID_TEXT);
    for (const [key, value, remove] of edits) {
      if (remove) Reflect.deleteProperty(manifest, key);
      else Object.defineProperty(manifest, key, { value, enumerable: true, configurable: true, writable: true });
    }
    return manifest;
  });

const pathLike = fc.array(fc.oneof(hostileToken, fc.constantFrom('a', 'dist', 'index.js', '.', '..', '/', '\\', 'C:', 'c:/', '//server/share/')), { maxLength: 8 }).map((parts) => parts.join(''));

describe('PluginManifest under hostile manifests', () => {
  it('parses or refuses mutated manifest text, and what it accepts is safe', () => {
    fc.assert(
      fc.property(mutatedText(VALID_TEXT, 8), (text) => {
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          return;
        }
        const parsed = PluginManifest.safeParse(json);
        if (parsed.success) expectAccepted(parsed.data);
        else expect(parsed.error.issues.length).toBeGreaterThan(0);
      }),
      { ...FUZZ, numRuns: 400 },
    );
  });

  it('parses or refuses manifests with fields of any type', () => {
    fc.assert(
      fc.property(fc.oneof(nearlyManifest, fc.anything()), (candidate) => {
        const parsed = PluginManifest.safeParse(candidate);
        if (parsed.success) expectAccepted(parsed.data);
      }),
      { ...FUZZ, numRuns: 400 },
    );
  });

  it('accepts only package paths that stay inside the plugin folder', () => {
    fc.assert(
      fc.property(fc.oneof(pathLike, hostileText(12)), (value) => {
        if (PackagePath.safeParse(value).success) expectInside(value);
      }),
      { ...FUZZ, numRuns: 500 },
    );
    for (const escape of ['../x', 'a/../../x', '/etc/passwd', '\\\\server\\share', 'C:\\x', 'c:x', '..\\x']) expect(PackagePath.safeParse(escape).success, escape).toBe(false);
    expect(PluginManifest.safeParse(VALID).success).toBe(true);
  });
});
