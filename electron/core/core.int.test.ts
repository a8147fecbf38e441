import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from '@shared/ipc/client';
import type { HavenContract } from '@shared/ipc/contract';
import type { PluginSummary } from '@shared/domain/plugins';
import { errorOf } from '@shared/testing/errorOf';
import { memoryProtocolPair } from '@shared/ipc/transports/memory';
import { PLUGIN_HOST_ENTRY, tempHome, waitFor, writePluginFolder } from '../testing/fixtures';
import { startCore, type Core } from './core';
import { integrityCheck } from './storage/database';

const running: Core[] = [];
afterEach(async () => {
  for (const core of running.splice(0)) await core.dispose();
});

async function start(home = tempHome(), builtin: string[] = []): Promise<Core> {
  const core = await startCore({
    home,
    host: 'test',
    builtinPluginRoots: builtin,
    stderrLogLevel: 'off',
    pluginHostEntry: PLUGIN_HOST_ENTRY,
    autoStartPlugins: false,
  });
  running.push(core);
  return core;
}

function connect(core: Core) {
  const [serverEnd, clientEnd] = memoryProtocolPair();
  core.router.connect(serverEnd, 'memory');
  return createClient<HavenContract>(clientEnd);
}

function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

describe('Core storage', () => {
  it('creates the database with WAL and the numbered migrations, and it passes integrity_check', async () => {
    const core = await start();
    expect(core.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(core.db.pragma('user_version', { simple: true })).toBeGreaterThanOrEqual(1);
    expect(integrityCheck(core.db)).toBe('ok');
    expect(fs.existsSync(core.paths.database)).toBe(true);
  });

  it('refuses a corrupt database file, names it, and leaves it untouched', async () => {
    const home = tempHome();
    const file = path.join(home, 'haven.db');
    fs.writeFileSync(file, crypto.randomBytes(64 * 1024));
    const before = sha256(file);
    const error = await errorOf(start(home));
    expect(error.message).toContain(file);
    expect(error.message).toMatch(/damaged or not a database/);
    expect(sha256(file)).toBe(before);
    expect(fs.existsSync(path.join(home, 'core.lock'))).toBe(false);
  });

  it("refuses another application's SQLite database", async () => {
    const home = tempHome();
    const file = path.join(home, 'haven.db');
    const other = new Database(file);
    other.exec('CREATE TABLE customers (id INTEGER PRIMARY KEY)');
    other.close();
    const before = sha256(file);
    const error = await errorOf(start(home));
    expect(error.message).toMatch(/another application/);
    expect(sha256(file)).toBe(before);
  });

  it('refuses a database written by a newer Haven', async () => {
    const home = tempHome();
    const first = await start(home);
    await first.dispose();
    running.splice(running.indexOf(first), 1);
    const db = new Database(path.join(home, 'haven.db'));
    db.pragma('user_version = 999');
    db.close();
    const error = await errorOf(start(home));
    expect(error.message).toMatch(/newer Haven/);
  });

  it('reports a HAVEN_HOME it cannot write, in one line', async () => {
    const parent = tempHome();
    const file = path.join(parent, 'a-file');
    fs.writeFileSync(file, '');
    const error = await errorOf(start(path.join(file, 'home')));
    expect(error.message).toMatch(/HAVEN_HOME .* is not a writable folder \(ENOTDIR\)/);
    expect(error.message).not.toContain('\n');
  });

  it('lets one Core own a HAVEN_HOME, and takes over a lock left by a dead process', async () => {
    const home = tempHome();
    await start(home);
    const error = await errorOf(start(home));
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toContain(`pid ${process.pid}`);

    const other = tempHome();
    fs.writeFileSync(path.join(other, 'core.lock'), JSON.stringify({ pid: 2 ** 22 + 12345, host: 'serve', startedAt: 'then' }));
    const core = await start(other);
    expect(JSON.parse(fs.readFileSync(path.join(other, 'core.lock'), 'utf8')).pid).toBe(process.pid);
    await core.dispose();
    expect(fs.existsSync(path.join(other, 'core.lock'))).toBe(false);
  });

  it('keeps settings across restarts, validates updates and ignores a hand-edited bad value', async () => {
    const home = tempHome();
    const core = await start(home);
    const client = connect(core);
    await expect(client.call('settings.update', { theme: 'dark', maxConcurrentJobs: 5 })).resolves.toMatchObject({ theme: 'dark' });
    await expect(client.call('settings.update', { maxConcurrentJobs: 0 })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/^settings\.update: input\.maxConcurrentJobs: /),
    });
    await core.dispose();
    running.splice(running.indexOf(core), 1);

    const settingsFile = path.join(home, 'settings.json');
    const saved = JSON.parse(fs.readFileSync(settingsFile, 'utf8'));
    fs.writeFileSync(settingsFile, JSON.stringify({ ...saved, maxConcurrentJobsPerPlugin: 'lots' }));
    const again = await start(home);
    expect(again.settings.get()).toMatchObject({ theme: 'dark', maxConcurrentJobs: 5, maxConcurrentJobsPerPlugin: 2 });
  });
});

describe('Core plugin discovery', () => {
  it('lists valid plugins and explains the invalid ones', async () => {
    const home = tempHome();
    const plugins = path.join(home, 'plugins');
    writePluginFolder(plugins, 'good', { name: 'GoodPlugin', capabilities: ['DISCOVER', 'ARCHIVE'] });
    writePluginFolder(plugins, 'bad-version', { name: 'BadVersion', version: 'one' });
    writePluginFolder(plugins, 'not-json', { name: 'X', rawManifest: '{ nope' });
    writePluginFolder(plugins, 'too-new', { name: 'TooNew', engines: '>=99.0.0' });
    writePluginFolder(plugins, 'z-dupe', { name: 'goodplugin' });
    fs.mkdirSync(path.join(plugins, 'empty-folder'));
    const core = await start(home);
    const byFolder = new Map(core.plugins.list().map((p) => [path.basename(p.path), p]));
    expect(byFolder.get('good')).toMatchObject({
      id: 'good',
      name: 'GoodPlugin',
      state: 'stopped',
      enabled: true,
      origin: 'user',
      capabilities: ['DISCOVER', 'ARCHIVE'],
    });
    expect(byFolder.get('bad-version')).toMatchObject({ state: 'invalid', stateReason: expect.stringContaining('version: must be a semantic version') });
    expect(byFolder.get('not-json')?.stateReason).toMatch(/plugin\.json is not valid JSON/);
    expect(byFolder.get('too-new')?.stateReason).toMatch(/needs Haven >=99\.0\.0; this is Haven /);
    expect(byFolder.get('z-dupe')?.stateReason).toMatch(/duplicate plugin name/);
    expect(byFolder.get('empty-folder')?.stateReason).toMatch(/no plugin\.json/);
  });

  it('announces a plugin folder added while Core runs, without a rescan call', async () => {
    const home = tempHome();
    const core = await start(home);
    const client = connect(core);
    const lists: PluginSummary[][] = [];
    client.subscribe('plugins.changed', {}, { onData: (data) => lists.push(data.plugins) });
    await waitFor(() => lists.length === 1 || undefined, 5000, 'the first plugin list');
    expect(lists[0]).toEqual([]);
    writePluginFolder(path.join(home, 'plugins'), 'late', { name: 'LatePlugin' });
    const latest = await waitFor(() => lists.find((list) => list.some((p) => p.name === 'LatePlugin')), 10_000, 'LatePlugin');
    expect(latest.find((p) => p.name === 'LatePlugin')?.state).toBe('stopped');

    fs.writeFileSync(path.join(home, 'plugins', 'late', 'plugin.json'), '{ broken');
    await waitFor(() => lists.at(-1)?.find((p) => p.state === 'invalid'), 10_000, 'the broken manifest');
    fs.rmSync(path.join(home, 'plugins', 'late'), { recursive: true });
    await waitFor(() => (lists.at(-1)?.length === 0 ? true : undefined), 10_000, 'the removal');
  });

  it('finds plugins in extra folders from settings and in built-in roots', async () => {
    const builtin = tempHome('haven-builtin-');
    writePluginFolder(builtin, 'b', { name: 'BuiltinOne' });
    fs.mkdirSync(path.join(builtin, 'not-a-plugin'));
    const extra = tempHome('haven-extra-');
    writePluginFolder(extra, 'e', { name: 'ExtraOne' });
    const core = await start(tempHome(), [builtin]);
    expect(core.plugins.list().map((p) => [p.name, p.origin])).toEqual([['BuiltinOne', 'builtin']]);
    core.settings.update({ pluginDirs: [extra] });
    expect(core.plugins.list().map((p) => [p.name, p.origin])).toEqual([
      ['ExtraOne', 'extra'],
      ['BuiltinOne', 'builtin'],
    ]);
  });
});
