import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, REPO_ROOT, requireBuild, runHaven, tempHome } from '../testing/fixtures';
import { HELLO_ENTRY, HELLO_MANIFEST, rawZip } from '../testing/rawZip';
import { startStaticServer } from '../testing/staticServer';

const HELLO = path.join(REPO_ROOT, 'plugins', 'examples', 'hello');
/** A HAVEN_HOME with no built-in plugins, so what the test installs is all there is. */
const bare = () => ({ HAVEN_HOME: tempHome(), HAVEN_BUILTIN_PLUGINS: '' });

interface Listed {
  name: string;
  version: string;
  enabled: boolean;
  state: string;
  health: { status: string } | null;
}

async function list(env: Record<string, string>): Promise<Listed[]> {
  return JSON.parse((await runHaven(['plugins', 'list', '--all', '--json'], env, 60_000)).stdout) as Listed[];
}

function oneLine(result: { code: number | null; stderr: string }, pattern: RegExp): void {
  expect(result.code).toBe(1);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.stderr).toMatch(pattern);
}

function copyWithVersion(version: string): string {
  const dir = path.join(tempHome('haven-hello-'), 'hello');
  fs.cpSync(HELLO, dir, { recursive: true });
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'plugin.json'), 'utf8'));
  fs.writeFileSync(path.join(dir, 'plugin.json'), JSON.stringify({ ...manifest, version }));
  return dir;
}

beforeAll(() => requireBuild());

describe('haven plugin pack / install / uninstall', () => {
  it('packs a folder, installs the package, and the plugin runs and is healthy', async () => {
    const out = path.join(tempHome('haven-pack-'), 'hello.havenplugin');
    const packed = await runHaven(['plugin', 'pack', HELLO, '-o', out]);
    expect(packed.stdout).toMatch(/^packed HelloPlugin 1\.0\.0: .*hello\.havenplugin \(4 files, /);
    const env = bare();
    const installed = await runHaven(['plugin', 'install', out, '--yes'], env, 60_000);
    expect(installed.stderr).toBe('');
    expect(installed.stdout).toContain('HelloPlugin 1.0.0 by Haven');
    expect(installed.stdout).toContain('may reach:    no network hosts');
    expect(installed.stdout.trim().split('\n').at(-1)).toBe('installed HelloPlugin 1.0.0');
    expect(fs.existsSync(path.join(env.HAVEN_HOME, 'plugins', 'hello', 'index.js'))).toBe(true);
    expect(await list(env)).toEqual([expect.objectContaining({ name: 'HelloPlugin', enabled: true, health: expect.objectContaining({ status: 'pass' }) })]);

    // Newer and older versions say what they do.
    const upgrade = await runHaven(['plugin', 'install', copyWithVersion('1.1.0'), '--yes'], env, 60_000);
    expect(upgrade.stdout).toMatch(/replaces: {5}HelloPlugin 1\.0\.0 \(upgrade, user\)/);
    expect(upgrade.stdout).toMatch(/installed HelloPlugin 1\.1\.0 \(upgrade from 1\.0\.0\)/);
    const downgrade = await runHaven(['plugin', 'install', copyWithVersion('0.9.0'), '--yes'], env, 60_000);
    expect(downgrade.stdout).toMatch(/\(downgrade from 1\.1\.0\)/);

    await runHaven(['plugins', 'configure', 'hello', '--set', 'greeting=Ahoy'], env, 60_000);
    const kept = await runHaven(['plugin', 'uninstall', 'hello'], env, 60_000);
    expect(kept.stdout.trim()).toBe('uninstalled HelloPlugin (its settings and data are kept; --delete-data removes them)');
    expect(fs.existsSync(path.join(env.HAVEN_HOME, 'plugins', 'hello'))).toBe(false);
    expect(await list(env)).toEqual([]);
  });

  it('asks before installing when not told --yes, and refuses without a terminal', async () => {
    const result = await runHaven(['plugin', 'install', HELLO], bare(), 60_000);
    oneLine(result, /add --yes to install without being asked/);
  });

  it('installs from an http URL and checks the sha256 when given', async () => {
    const out = path.join(tempHome('haven-pack-'), 'hello.havenplugin');
    await runHaven(['plugin', 'pack', HELLO, '-o', out]);
    const server = await startStaticServer(path.dirname(out));
    try {
      oneLine(await runHaven(['plugin', 'install', `${server.url}/hello.havenplugin`, '--yes', '--sha256', '0'.repeat(64)], bare(), 60_000), /sha256 is [0-9a-f]{64}, but 0{64} was expected/);
      const ok = await runHaven(['plugin', 'install', `${server.url}/hello.havenplugin`, '--yes'], bare(), 60_000);
      expect(ok.stdout).toMatch(/installed HelloPlugin 1\.0\.0$/m);
      oneLine(await runHaven(['plugin', 'install', `${server.url}/missing.havenplugin`, '--yes'], bare(), 60_000), /HTTP 404/);
    } finally {
      await server.close();
    }
  });

  it('refuses a zip-slip package, writing nothing outside staging', async () => {
    const env = bare();
    const file = path.join(tempHome('haven-evil-'), 'evil.havenplugin');
    fs.writeFileSync(file, rawZip([
      { name: 'plugin.json', data: JSON.stringify(HELLO_MANIFEST) },
      { name: 'index.js', data: HELLO_ENTRY },
      { name: '../../../escaped.js', data: 'owned' },
    ]));
    oneLine(await runHaven(['plugin', 'install', file, '--yes'], env, 60_000), /the package is not safe to install: invalid relative path|leaves the plugin folder/);
    const plugins = path.join(env.HAVEN_HOME, 'plugins');
    expect(fs.readdirSync(plugins).filter((f) => !f.startsWith('.'))).toEqual([]);
    expect(fs.existsSync(path.join(env.HAVEN_HOME, 'escaped.js'))).toBe(false);
    expect(fs.existsSync(path.join(path.dirname(env.HAVEN_HOME), 'escaped.js'))).toBe(false);
  });

  it('refuses a package for another Haven, and a broken install leaves the previous version working', async () => {
    const env = bare();
    const future = path.join(tempHome('haven-future-'), 'future.havenplugin');
    fs.writeFileSync(future, rawZip([{ name: 'plugin.json', data: JSON.stringify({ ...HELLO_MANIFEST, engines: { haven: '>=99.0.0' } }) }, { name: 'index.js', data: HELLO_ENTRY }]));
    oneLine(await runHaven(['plugin', 'install', future, '--yes'], env, 60_000), /ZipPlugin cannot be installed: needs Haven >=99\.0\.0; this is Haven /);

    const good = path.join(tempHome('haven-good-'), 'good.havenplugin');
    fs.writeFileSync(good, rawZip([{ name: 'plugin.json', data: JSON.stringify(HELLO_MANIFEST) }, { name: 'index.js', data: HELLO_ENTRY }]));
    expect((await runHaven(['plugin', 'install', good, '--yes'], env, 60_000)).code).toBe(0);
    // Version 2 lies about a file's size: the directory checks pass, extraction fails half-way.
    const lying = path.join(tempHome('haven-lying-'), 'lying.havenplugin');
    fs.writeFileSync(lying, rawZip([
      { name: 'plugin.json', data: JSON.stringify({ ...HELLO_MANIFEST, version: '2.0.0' }) },
      { name: 'index.js', data: HELLO_ENTRY },
      { name: 'data.bin', data: Buffer.alloc(5000, 7), claimedSize: 10 },
    ]));
    const failed = await runHaven(['plugin', 'install', lying, '--yes'], env, 60_000);
    expect(failed.code).toBe(1);
    const listed = await list(env);
    expect(listed).toEqual([expect.objectContaining({ name: 'ZipPlugin', version: '1.0.0', health: expect.objectContaining({ status: 'pass' }) })]);
    expect(fs.readdirSync(path.join(env.HAVEN_HOME, 'plugins', '.staging'))).toEqual([]);
  });

  it('an update goes into the folder the installed version lives in', async () => {
    const env = bare();
    const plugins = path.join(env.HAVEN_HOME, 'plugins');
    fs.cpSync(HELLO, path.join(plugins, 'my-hello-dev'), { recursive: true });
    const upgrade = await runHaven(['plugin', 'install', copyWithVersion('1.1.0'), '--yes'], env, 60_000);
    expect(upgrade.stdout).toMatch(/installed HelloPlugin 1\.1\.0 \(upgrade from 1\.0\.0\)/);
    expect(fs.readdirSync(plugins).filter((f) => !f.startsWith('.'))).toEqual(['my-hello-dev']);
    expect(await list(env)).toEqual([expect.objectContaining({ name: 'HelloPlugin', version: '1.1.0', state: 'running' })]);
  });

  it('puts back a version whose update was cut off between the two renames', async () => {
    const env = bare();
    const aside = path.join(env.HAVEN_HOME, 'plugins', '.staging', 'previous--hello');
    fs.cpSync(HELLO, aside, { recursive: true });
    expect(await list(env)).toEqual([expect.objectContaining({ name: 'HelloPlugin', version: '1.0.0', state: 'running' })]);
    expect(fs.existsSync(path.join(env.HAVEN_HOME, 'plugins', 'hello', 'plugin.json'))).toBe(true);
    expect(fs.existsSync(aside)).toBe(false);
  });

  it('uninstall --delete-data removes settings and storage; built-in plugins cannot be uninstalled', async () => {
    const env = bare();
    await runHaven(['plugin', 'install', HELLO, '--yes'], env, 60_000);
    await runHaven(['plugins', 'configure', 'hello', '--set', 'greeting=Ahoy'], env, 60_000);
    await runHaven(['plugin', 'uninstall', 'hello', '--delete-data'], env, 60_000);
    await runHaven(['plugin', 'install', HELLO, '--yes'], env, 60_000);
    const shown = JSON.parse((await runHaven(['plugins', 'configure', 'hello', '--show', '--json'], env, 60_000)).stdout);
    expect(shown.values.greeting).toBe('Hello');
    const home = { HAVEN_HOME: tempHome() };
    oneLine(await runHaven(['plugin', 'uninstall', 'youtube'], home, 60_000), /YouTubePlugin comes with Haven; disable it instead/);
    // Nor replaced by a package of the same name.
    const impostor = rawZip([
      { name: 'plugin.json', data: JSON.stringify({ ...HELLO_MANIFEST, name: 'YouTubePlugin', version: '9.0.0' }) },
      { name: 'index.js', data: HELLO_ENTRY },
    ]);
    const file = path.join(tempHome('haven-impostor-'), 'youtube.havenplugin');
    fs.writeFileSync(file, impostor);
    oneLine(await runHaven(['plugin', 'install', file, '--yes'], home, 60_000), /YouTubePlugin comes with Haven and cannot be replaced by a package/);
    expect(fs.existsSync(path.join(home.HAVEN_HOME, 'plugins', 'youtube'))).toBe(false);
  });
});

describe('haven plugin create', () => {
  it('scaffolds a plugin whose own test passes against Haven', async () => {
    const parent = tempHome('haven-create-');
    const created = await runHaven(['plugin', 'create', 'WeatherPlugin', '--dir', path.join(parent, 'weather')]);
    expect(created.stdout).toMatch(/created WeatherPlugin in .*weather: plugin\.json, index\.js, README\.md, test\.mjs/);
    const test = spawnSync(process.execPath, ['--test', 'test.mjs'], { cwd: path.join(parent, 'weather'), env: { ...process.env, HAVEN_CLI: CLI, HAVEN_BUILTIN_PLUGINS: '' }, encoding: 'utf8', timeout: 60_000 });
    expect(test.stdout + test.stderr).toMatch(/# pass 1/);
    expect(test.status).toBe(0);
    oneLine(await runHaven(['plugin', 'create', 'weather plugin']), /is not a plugin name/);
  });
});
