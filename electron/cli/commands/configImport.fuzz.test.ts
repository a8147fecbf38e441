import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { stringify } from 'smol-toml';
import { afterAll, describe, expect, it } from 'vitest';
import { HavenError } from '@shared/ipc/errors';
import { FUZZ, hostileText, mutatedText } from '@shared/testing/fuzz';
import type { CoreSession } from '../coreSession';
import { importConfig, readTomlConfig } from './configImport';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'haven-toml-fuzz-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const file = path.join(dir, 'haven.toml');

/** A Core that knows one plugin with two settings, and answers as the real one does. */
function fakeSession(): CoreSession {
  const call = async (name: string, input: Record<string, unknown>): Promise<unknown> => {
    const known = (ref: unknown): boolean => typeof ref === 'string' && ['youtube', 'YouTubePlugin'].includes(ref);
    switch (name) {
      case 'settings.get':
        return { pluginDirs: ['/already'] };
      case 'settings.update':
        if (!Array.isArray(input.pluginDirs) || !input.pluginDirs.every((d) => typeof d === 'string')) throw new HavenError('INVALID_INPUT', 'settings.update: pluginDirs');
        return {};
      case 'plugins.rescan':
        return {};
      case 'plugins.info':
      case 'plugins.enable':
      case 'plugins.disable':
        if (!known(input.name)) throw new HavenError('NOT_FOUND', `${name}: no plugin ${String(input.name)}`);
        return { name: 'YouTubePlugin' };
      case 'plugins.config.get':
        return { schema: { properties: { quality: {}, max_videos: {} } } };
      case 'plugins.config.set': {
        const values = input.values as Record<string, unknown>;
        const issues = Object.entries(values)
          .filter(([key, value]) => (key === 'max_videos' ? typeof value !== 'number' : typeof value !== 'string'))
          .map(([key]) => ({ path: key, message: 'wrong type' }));
        return issues.length ? { ok: false, issues } : { ok: true };
      }
      default:
        throw new Error(`the fake Core has no ${name}`);
    }
  };
  return { client: { call } as unknown as CoreSession['client'], mode: 'local', runJobs: () => undefined, close: () => Promise.resolve() };
}

/** Imports `text` as a config file: a report, or a HavenError about the file, never anything else. */
async function importOrRefusal(text: string): Promise<void> {
  fs.writeFileSync(file, text);
  let report: Awaited<ReturnType<typeof importConfig>>;
  try {
    report = await importConfig(fakeSession(), file);
  } catch (error) {
    expect(error, String(error)).toBeInstanceOf(HavenError);
    expect((error as HavenError).code).toBe('INVALID_INPUT');
    return;
  }
  for (const line of [...report.applied, ...report.skipped]) expect(typeof line).toBe('string');
}

const VALID = `# Haven CLI config
[general]
theme = "dark"

[plugins]
enabled_plugins = ["youtube", "nope"]
disabled_plugins = []
plugin_dirs = ["~/plugins", "./more"]

[plugins.settings.youtube]
quality = "720p"
max_videos = 5
unknown = true
`;

const leaf = fc.oneof(hostileText(6), fc.integer(), fc.double({ noNaN: false }), fc.boolean(), fc.date({ noInvalidDate: true }));
const tomlValue = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('value'), { maxLength: 3 }), fc.dictionary(fc.oneof(hostileText(3), fc.constantFrom('youtube', 'settings', '__proto__', 'constructor')), tie('value'), { maxKeys: 3 })),
})).value;
const pluginsSection = fc.record(
  {
    enabled_plugins: fc.oneof(tomlValue, fc.array(fc.constantFrom('youtube', 'nope', ''))),
    disabled_plugins: tomlValue,
    plugin_dirs: fc.oneof(tomlValue, fc.array(hostileText(5), { maxLength: 3 })),
    settings: fc.oneof(tomlValue, fc.dictionary(fc.constantFrom('youtube', 'nope', '__proto__'), fc.dictionary(fc.constantFrom('quality', 'max_videos', 'x'), leaf))),
    other: tomlValue,
  },
  { requiredKeys: [] },
);
const structured = fc.record({ plugins: fc.oneof(pluginsSection, tomlValue), general: tomlValue }, { requiredKeys: [] }).chain((doc) => {
  try {
    return fc.constant(stringify(doc));
  } catch {
    // Values TOML cannot hold (a top-level array of tables and so on): hand-written junk instead.
    return fc.constant(`plugins = ${JSON.stringify(doc.plugins ?? null)}`);
  }
});

describe('the TOML config import under hostile files', () => {
  it('reads arbitrary text into a table or refuses it with INVALID_INPUT', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), hostileText(50), mutatedText(VALID), fc.nat({ max: 5000 }).map((n) => `a = ${'['.repeat(n)}`)), (text) => {
        fs.writeFileSync(file, text);
        try {
          const table = readTomlConfig(file);
          expect(typeof table).toBe('object');
        } catch (error) {
          expect(error, String(error)).toBeInstanceOf(HavenError);
          expect((error as HavenError).code).toBe('INVALID_INPUT');
        }
      }),
      { ...FUZZ, numRuns: 300 },
    );
  });

  // Found by this suite: `plugins = 5` (or a string, or an array) threw a ZodError out of importConfig.
  it('imports or refuses mutated and built config files, never with an untyped error', async () => {
    await fc.assert(fc.asyncProperty(fc.oneof(mutatedText(VALID), structured), importOrRefusal), { ...FUZZ, numRuns: 300 });
  });

  it('imports what it can of a valid file and names what it skips', async () => {
    fs.writeFileSync(file, VALID);
    const report = await importConfig(fakeSession(), file);
    expect(report.applied).toEqual([expect.stringMatching(/^plugin_dirs: /), 'YouTubePlugin: quality, max_videos', 'YouTubePlugin enabled']);
    expect(report.skipped).toEqual(['[general]: Haven imports only the [plugins] section', '[plugins.settings.youtube] unknown: YouTubePlugin has no such setting', 'enabled_plugins nope: no plugin nope']);
  });
});
