import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PluginSummary } from '@shared/domain/plugins';
import { PLUGIN_HOST_ENTRY, tempHome, waitFor, writePluginFolder, type PluginFolderOptions } from '../../testing/fixtures';
import { startCore, type Core } from '../core';
import type { BusEvent } from '../events/bus';

const running: Core[] = [];
afterEach(async () => {
  for (const core of running.splice(0)) await core.dispose();
});

type PluginSpec = PluginFolderOptions & { folder?: string };

/** A Core with real plugin host processes and short timeouts, over the given plugin folders. */
async function coreWith(plugins: PluginSpec[], options: { autoStart?: boolean } = {}): Promise<Core> {
  const home = tempHome();
  for (const plugin of plugins) writePluginFolder(path.join(home, 'plugins'), plugin.folder ?? plugin.name.toLowerCase(), plugin);
  const core = await startCore({
    home,
    host: 'test',
    builtinPluginRoots: [],
    stderrLogLevel: 'off',
    pluginHostEntry: PLUGIN_HOST_ENTRY,
    autoStartPlugins: options.autoStart ?? true,
    pluginTimeouts: {
      loadMs: 5000,
      startMs: 1500,
      healthMs: 500,
      apiMs: 5000,
      host: { pingIntervalMs: 200, pingTimeoutMs: 300, maxMissedPings: 2, shutdownMs: 2000 },
    },
    pluginRestart: { baseDelayMs: 100, maxDelayMs: 400, maxCrashes: 3, windowMs: 60_000 },
  });
  running.push(core);
  return core;
}

const plugin = (setupBody: string, head = ''): string =>
  `import { definePlugin, z } from '@haven/sdk';\n${head}\nexport default definePlugin({ setup(ctx) { ${setupBody} } });\n`;

function summary(core: Core, name: string): PluginSummary | undefined {
  return core.plugins.list().find((p) => p.name === name);
}

async function untilState(core: Core, name: string, state: PluginSummary['state'], timeoutMs = 10_000): Promise<PluginSummary> {
  return waitFor(() => {
    const found = summary(core, name);
    return found?.state === state ? found : undefined;
  }, timeoutMs, `${name} to be ${state} (now ${summary(core, name)?.state}: ${summary(core, name)?.stateReason ?? ''})`);
}

describe('plugin hosts', () => {
  it('runs each plugin in its own process with storage, config defaults and api', async () => {
    const core = await coreWith([
      {
        name: 'CounterPlugin',
        entry: `import { definePlugin, z } from '@haven/sdk';
export default definePlugin({
  configSchema: z.object({ step: z.number().int().default(2) }),
  setup(ctx) {
    return {
      api: {
        async bump() {
          const n = ((await ctx.storage.get('n')) ?? 0) + ctx.config.step;
          await ctx.storage.set('n', n);
          return { n, pid: process.pid };
        },
      },
    };
  },
});`,
      },
      { name: 'OtherPlugin', manifest: { dependencies: { CounterPlugin: '^1.0.0' } }, entry: plugin(`return { api: { viaDep: () => ctx.call('CounterPlugin', 'bump') } };`) },
    ]);
    const counter = await untilState(core, 'CounterPlugin', 'running');
    expect(counter.pid).toBeGreaterThan(0);
    expect(counter.pid).not.toBe(process.pid);
    await untilState(core, 'OtherPlugin', 'running');
    expect(summary(core, 'OtherPlugin')?.pid).not.toBe(counter.pid);
    // OtherPlugin calls its declared dependency through Core.
    const host = core.plugins.resolve('OtherPlugin');
    const { result } = await host.conn!.client.call('host.callApi', { method: 'viaDep', args: [], caller: 'test' });
    expect(result).toEqual({ n: 2, pid: counter.pid });
    expect(core.plugins.list().find((p) => p.name === 'CounterPlugin')?.dependents).toEqual(['OtherPlugin']);
  });

  it('starts dependencies first, and reports missing, incompatible and circular ones per plugin', async () => {
    const loaded: string[] = [];
    const core = await coreWith(
      [
        { name: 'Base', version: '1.2.0' },
        { name: 'Middle', manifest: { dependencies: { Base: '^1.0.0' } } },
        { name: 'Top', manifest: { dependencies: { Middle: '*' } } },
        { name: 'NeedsGhost', manifest: { dependencies: { Ghost: '^1.0.0' } } },
        { name: 'NeedsNewBase', manifest: { dependencies: { Base: '^2.0.0' } } },
        { name: 'LoopA', manifest: { dependencies: { LoopB: '*' } } },
        { name: 'LoopB', manifest: { dependencies: { LoopA: '*' } } },
      ],
      { autoStart: false },
    );
    core.bus.subscribe('plugin.loaded', (event: BusEvent) => loaded.push((event.payload as { plugin: string }).plugin));
    await core.plugins.startAll();
    expect(loaded.indexOf('Base')).toBeLessThan(loaded.indexOf('Middle'));
    expect(loaded.indexOf('Middle')).toBeLessThan(loaded.indexOf('Top'));
    expect(summary(core, 'Top')?.state).toBe('running');
    expect(summary(core, 'NeedsGhost')).toMatchObject({ state: 'blocked', stateReason: 'needs Ghost ^1.0.0, which is not installed' });
    expect(summary(core, 'NeedsNewBase')).toMatchObject({ state: 'blocked', stateReason: 'needs Base ^2.0.0, but Base 1.2.0 is installed' });
    expect(summary(core, 'LoopA')?.stateReason).toBe('dependency cycle: LoopA → LoopB → LoopA');
    expect(summary(core, 'LoopB')?.state).toBe('blocked');
    await expect(core.plugins.start('NeedsGhost')).rejects.toThrow(/not installed/);
  });

  it('refuses to enable a plugin whose dependency is disabled, and disabling a dependency stops its dependents', async () => {
    const core = await coreWith([{ name: 'Base' }, { name: 'User', manifest: { dependencies: { Base: '*' } } }]);
    await untilState(core, 'User', 'running');
    await core.plugins.disable('Base');
    expect(summary(core, 'Base')?.state).toBe('disabled');
    expect(summary(core, 'User')).toMatchObject({ state: 'blocked', stateReason: 'needs Base, which is disabled' });
    await core.plugins.disable('User');
    await expect(core.plugins.enable('User')).rejects.toThrow('User needs Base, which is disabled: enable it first');
    await core.plugins.enable('Base');
    await core.plugins.enable('user');
    await untilState(core, 'User', 'running');
  });
});

describe('a misbehaving plugin costs only itself', () => {
  it('a plugin that throws in initialize is reported, restarted with backoff, then given up on', async () => {
    const core = await coreWith([
      { name: 'Thrower', entry: plugin(`return { initialize() { throw new Error('database on fire'); } };`) },
      { name: 'Healthy' },
    ]);
    const crashed = await untilState(core, 'Thrower', 'crashed');
    expect(crashed.stateReason).toMatch(/^failed to start: database on fire; restarting in 100 ms$/);
    const failed = await untilState(core, 'Thrower', 'failed');
    expect(failed.stateReason).toMatch(/failed 3 times in 1 min, so Haven stopped restarting it/);
    expect(failed.restarts).toBe(2);
    expect(summary(core, 'Healthy')?.state).toBe('running');
    const [health] = await core.plugins.health(['Healthy']);
    expect(health?.result.status).toBe('pass');
    // A health check reports a failed plugin; it does not restart it behind the backoff's back.
    const [thrower] = await core.plugins.health(['Thrower']);
    expect(thrower?.result).toMatchObject({ status: 'fail', output: expect.stringContaining('database on fire') });
    expect(summary(core, 'Thrower')).toMatchObject({ state: 'failed', restarts: 2 });
    // Fixing the code brings it back without a restart of Haven.
    fs.writeFileSync(path.join(failed.path, 'index.js'), plugin(`return {};`));
    await untilState(core, 'Thrower', 'running');
  });

  it('reload brings a failed plugin back, and disabling a crashed one stops its restart', async () => {
    const core = await coreWith([{ name: 'Flaky', entry: plugin(`return { initialize() { throw new Error('not today'); } };`) }]);
    await untilState(core, 'Flaky', 'failed');
    await core.plugins.reload('Flaky');
    expect(['crashed', 'starting']).toContain(summary(core, 'Flaky')?.state);
    await core.plugins.disable('Flaky');
    expect(summary(core, 'Flaky')).toMatchObject({ state: 'disabled' });
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(summary(core, 'Flaky')?.state).toBe('disabled');
  });

  it('disable wins over a start that races it', async () => {
    const core = await coreWith([{ name: 'Racer' }], { autoStart: false });
    const starting = core.plugins.start('Racer').catch(() => undefined);
    await core.plugins.disable('Racer');
    await starting;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(summary(core, 'Racer')).toMatchObject({ state: 'disabled', enabled: false });
    expect(core.plugins.resolve('Racer').conn).toBeUndefined();
  });

  it('a plugin that calls process.exit is reported with its exit code and restarted; the call in flight fails with the reason', async () => {
    const core = await coreWith([
      {
        name: 'Quitter',
        capabilities: ['ARCHIVE'],
        entry: plugin(`return { archive() { setTimeout(() => process.exit(3), 10); return new Promise(() => {}); } };`),
      },
      { name: 'Bystander' },
    ]);
    const before = await untilState(core, 'Quitter', 'running');
    const source = { sourceId: 's1', mediaType: 'video', uri: 'http://127.0.0.1:9/x', metadata: {} };
    await expect(core.plugins.archive('Quitter', source, 'job-1')).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: 'Quitter crashed while running archive: exited with code 3',
    });
    const crashed = await untilState(core, 'Quitter', 'crashed');
    expect(crashed.stateReason).toBe('exited with code 3; restarting in 100 ms');
    const after = await untilState(core, 'Quitter', 'running');
    expect(after.pid).not.toBe(before.pid);
    expect(after.restarts).toBe(1);
    expect(summary(core, 'Bystander')?.state).toBe('running');
  });

  it('an uncaught exception is reported with its message', async () => {
    const core = await coreWith([{ name: 'Bomb', entry: plugin(`return { api: { arm() { setTimeout(() => { throw new Error('kaboom at runtime'); }, 5); return 'armed'; } } };`) }]);
    await untilState(core, 'Bomb', 'running');
    await core.plugins.resolve('Bomb').conn!.client.call('host.callApi', { method: 'arm', args: [], caller: 'test' });
    const crashed = await untilState(core, 'Bomb', 'crashed');
    expect(crashed.stateReason).toMatch(/^uncaught exception: kaboom at runtime; restarting/);
    const log = fs.readFileSync(core.pluginLogs.fileOf('Bomb'), 'utf8');
    expect(log).toContain('kaboom at runtime');
  });

  it('a plugin that never finishes initialize times out and is restarted', async () => {
    const core = await coreWith([{ name: 'Sleeper', entry: plugin(`return { initialize: () => new Promise(() => {}) };`) }]);
    const crashed = await untilState(core, 'Sleeper', 'crashed');
    expect(crashed.stateReason).toMatch(/^failed to start: .*no answer from Core within 1500 ms/);
  });

  it('a plugin whose event loop hangs is killed by the heartbeat and restarted', async () => {
    const core = await coreWith([{ name: 'Spinner', entry: plugin(`return { api: { spin() { setTimeout(() => { for (;;) {} }, 5); return 'spinning'; } } };`) }]);
    const before = await untilState(core, 'Spinner', 'running');
    await core.plugins.resolve('Spinner').conn!.client.call('host.callApi', { method: 'spin', args: [], caller: 'test' });
    const crashed = await untilState(core, 'Spinner', 'crashed');
    expect(crashed.stateReason).toBe('stopped answering (heartbeat timed out) and was killed; restarting in 100 ms');
    const after = await untilState(core, 'Spinner', 'running');
    expect(after.pid).not.toBe(before.pid);
  });
});

describe('what a plugin may do', () => {
  it('runs only declared programs, by their real path, whatever PATH the plugin passes', async () => {
    const evil = tempHome('haven-evil-');
    const marker = path.join(evil, 'ran');
    fs.writeFileSync(path.join(evil, 'ffmpeg'), `#!/bin/sh\ntouch ${marker}\n`, { mode: 0o755 });
    const core = await coreWith([
      {
        name: 'Spawner',
        manifest: { permissions: { binaries: ['ffmpeg'] } },
        entry: plugin(`return { api: {
          async version(dir) {
            const child = ctx.spawn('ffmpeg', ['-version'], { env: { PATH: dir } });
            let out = '';
            child.onStdout((c) => { out += c; });
            await child.exited;
            return out.split('\\n')[0];
          },
          async sh() { try { ctx.spawn('sh', ['-c', 'true']); } catch (e) { return e.code + ': ' + e.message; } },
        } };`),
      },
    ]);
    await untilState(core, 'Spawner', 'running');
    const call = (method: string, args: unknown[] = []) =>
      core.plugins.resolve('Spawner').conn!.client.call('host.callApi', { method, args, caller: 'test' }).then((r) => r.result);
    expect(await call('version', [evil])).toMatch(/^ffmpeg version /);
    expect(fs.existsSync(marker)).toBe(false);
    expect(await call('sh')).toBe('FORBIDDEN: Spawner may not run "sh": add it to permissions.binaries in plugin.json');
  });

  it('coalesces a flood of progress to about ten updates a second per job, and cuts a log flood', async () => {
    const core = await coreWith([
      {
        name: 'Flooder',
        capabilities: ['ARCHIVE'],
        entry: plugin(`return { async archive(source, job) {
          for (let i = 1; i <= 2000; i++) {
            job.progress({ bytesDone: i, bytesTotal: 2000 });
            ctx.logger.info('line ' + i);
            if (i % 200 === 0) await new Promise((r) => setTimeout(r, 50));
          }
          return { success: true };
        } };`),
      },
    ]);
    await untilState(core, 'Flooder', 'running');
    const seen: number[] = [];
    core.plugins.onProgress((event) => seen.push(event.update.bytesDone ?? -1));
    const started = Date.now();
    await core.plugins.archive('Flooder', { sourceId: 'x', mediaType: 'file', uri: 'http://127.0.0.1:9/x', metadata: {} }, 'flood');
    const seconds = (Date.now() - started) / 1000;
    expect(seen.at(-1)).toBe(2000);
    expect(seen.length).toBeLessThanOrEqual(Math.ceil(seconds * 10) + 2);
    const lines = fs.readFileSync(core.pluginLogs.fileOf('Flooder'), 'utf8').trim().split('\n').length;
    expect(lines).toBeLessThanOrEqual(Math.ceil(seconds + 1) * 200 + 10);
    expect(lines).toBeLessThan(2000);
  });
});

describe('health checks', () => {
  it('run concurrently, each bounded by the timeout, and are kept as history', async () => {
    const slow = plugin(`return { healthCheck: () => new Promise((r) => setTimeout(() => r({ status: 'pass', componentId: ctx.name }), 5000)) };`);
    const core = await coreWith([
      { name: 'SlowA', entry: slow },
      { name: 'SlowB', entry: slow },
      { name: 'SlowC', entry: slow },
      { name: 'Warns', entry: plugin(`return { healthCheck: () => ({ status: 'warn', componentId: 'x', output: 'disk almost full' }) };`) },
      { name: 'Plain' },
    ]);
    for (const name of ['SlowA', 'SlowB', 'SlowC', 'Warns', 'Plain']) await untilState(core, name, 'running');
    const started = Date.now();
    const results = await core.plugins.health();
    const elapsed = Date.now() - started;
    const byName = new Map(results.map((r) => [r.name, r]));
    for (const name of ['SlowA', 'SlowB', 'SlowC']) {
      expect(byName.get(name)?.result).toMatchObject({ status: 'fail', output: 'health check timed out after 500 ms' });
    }
    expect(byName.get('Warns')?.result).toMatchObject({ status: 'warn', output: 'disk almost full' });
    expect(byName.get('Plain')?.result).toMatchObject({ status: 'pass', output: 'running' });
    // Three checks that each waited out the 500 ms timeout finished together, not one after another.
    const waited = ['SlowA', 'SlowB', 'SlowC'].reduce((sum, name) => sum + byName.get(name)!.durationMs, 0);
    expect(elapsed).toBeLessThan(waited);
    const before = core.plugins.info('Warns').healthHistory.length;
    await core.plugins.health(['Warns']);
    expect(core.plugins.info('Warns').healthHistory).toHaveLength(before + 1);
    expect(summary(core, 'Warns')?.health).toMatchObject({ status: 'warn', output: 'disk almost full' });
  });
});

describe('scheduled tasks', () => {
  it('honour skipInitialRun and back off after failed runs, in a real plugin process', async () => {
    const core = await coreWith([
      {
        name: 'Ticker',
        entry: plugin(`
          const startedAt = Date.now();
          let runs = 0;
          ctx.schedule({
            name: 'tick', intervalMs: 100, skipInitialRun: true,
            async run() {
              runs++;
              const times = (await ctx.storage.get('times')) ?? [];
              times.push(Date.now() - startedAt);
              await ctx.storage.set('times', times);
              return runs > 3; // three failures, then success
            },
          });
          return {};`),
      },
    ]);
    await untilState(core, 'Ticker', 'running');
    const store = () => (core.db.prepare("SELECT value FROM plugin_kv WHERE plugin_name = 'Ticker' AND key = 'times'").get() as { value: string } | undefined)?.value;
    const times = await waitFor(() => {
      const value = store();
      const parsed = value ? (JSON.parse(value) as number[]) : [];
      return parsed.length >= 6 ? parsed : undefined;
    }, 15_000, 'six runs');
    expect(times[0]).toBeGreaterThanOrEqual(95); // skipInitialRun: not at once
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    // After failures 1, 2, 3 the delay doubles (200, 400, 800 ms); after a success it is back to 100 ms.
    expect(gaps[0]).toBeGreaterThanOrEqual(190);
    expect(gaps[1]).toBeGreaterThanOrEqual(390);
    expect(gaps[2]).toBeGreaterThanOrEqual(790);
    expect(gaps[3]).toBeLessThan(gaps[2]! / 2);
  });
});

describe('hot reload', () => {
  it('reloads a plugin whose files change, keeping ctx.storage and the preserveOnReload state', async () => {
    const source = (versionTag: string) => `import { definePlugin } from '@haven/sdk';
export default definePlugin({
  preserveOnReload: ['kept'],
  setup(ctx) {
    ctx.state.kept ??= 0;
    ctx.state.dropped ??= 0;
    return { api: {
      async bump() { ctx.state.kept++; ctx.state.dropped++; await ctx.storage.set('stored', ctx.state.kept); return '${versionTag}'; },
      async read() { return { version: '${versionTag}', kept: ctx.state.kept, dropped: ctx.state.dropped, stored: await ctx.storage.get('stored') }; },
    } };
  },
});`;
    const core = await coreWith([{ name: 'Reloader', entry: source('v1') }]);
    const first = await untilState(core, 'Reloader', 'running');
    const call = (method: string) =>
      core.plugins.resolve('Reloader').conn!.client.call('host.callApi', { method, args: [], caller: 'test' }).then((r) => r.result);
    for (let i = 0; i < 3; i++) await call('bump');
    const reloaded: unknown[] = [];
    core.bus.subscribe('plugin.reloaded', (event) => reloaded.push(event.payload));
    fs.writeFileSync(path.join(first.path, 'index.js'), source('v2'));
    await waitFor(() => (reloaded.length > 0 ? true : undefined), 10_000, 'the reload');
    const second = await untilState(core, 'Reloader', 'running');
    expect(second.pid).not.toBe(first.pid);
    expect(await call('read')).toEqual({ version: 'v2', kept: 3, dropped: 0, stored: 3 });
  });
});

describe('secrets', () => {
  it('never appear in logs, in the plugin list, or in the config sent to clients', async () => {
    const secret = 'hunter2-very-secret-token';
    const core = await coreWith([
      {
        name: 'Secretive',
        entry: `import { definePlugin, z, secret } from '@haven/sdk';
export default definePlugin({
  configSchema: z.object({ user: z.string().default('me'), token: secret(z.string().optional()) }),
  setup(ctx) {
    return { api: { leak() {
      ctx.logger.info('connecting with ' + ctx.config.token, { token: ctx.config.token, nested: { again: ctx.config.token } });
      console.log('stdout says ' + ctx.config.token);
      console.error('stderr says ' + ctx.config.token);
      return 'ok';
    } } };
  },
});`,
      },
    ]);
    await untilState(core, 'Secretive', 'running');
    const set = await core.plugins.setConfig('Secretive', { token: secret }, false);
    expect(set.ok).toBe(true);
    await core.plugins.resolve('Secretive').conn!.client.call('host.callApi', { method: 'leak', args: [], caller: 'test' });
    const logFile = core.pluginLogs.fileOf('Secretive');
    const log = await waitFor(() => {
      const text = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '';
      return text.includes('stderr says') && text.includes('stdout says') && text.includes('connecting with') ? text : undefined;
    }, 5000, 'the log lines');
    expect(log).not.toContain(secret);
    expect(log).toContain('connecting with ***');
    const view = await core.plugins.getConfig('Secretive');
    expect(view.values).toEqual({ user: 'me' });
    expect(view.secrets).toEqual({ token: true });
    expect(JSON.stringify(view)).not.toContain(secret);
    expect(JSON.stringify(core.plugins.list())).not.toContain(secret);
    expect(fs.readFileSync(path.join(core.paths.logs, 'core.log'), 'utf8')).not.toContain(secret);
    // Leaving the secret out of an update keeps it.
    await core.plugins.setConfig('Secretive', { user: 'you' }, false);
    expect((await core.plugins.getConfig('Secretive')).secrets).toEqual({ token: true });
  });

  it('keeps a nested secret when an update sends the object it belongs to without it', async () => {
    const core = await coreWith([
      {
        name: 'Nested',
        entry: `import { definePlugin, z, secret } from '@haven/sdk';
export default definePlugin({
  configSchema: z.object({ auth: z.object({ user: z.string().default(''), password: secret(z.string().default('')) }).default({ user: '', password: '' }) }),
  setup: () => ({}),
});`,
      },
    ]);
    await untilState(core, 'Nested', 'running');
    await core.plugins.setConfig('Nested', { auth: { user: 'ada', password: 'p4ssw0rd-long' } }, false);
    const view = await core.plugins.getConfig('Nested');
    expect(view.values).toEqual({ auth: { user: 'ada' } });
    expect(view.secrets).toEqual({ 'auth.password': true });
    // The UI sends back what it was shown, changed.
    await core.plugins.setConfig('Nested', { auth: { user: 'grace' } }, false);
    const stored = core.db.prepare("SELECT config_json FROM plugin_config WHERE plugin_name = 'Nested'").get() as { config_json: string };
    expect(JSON.parse(stored.config_json)).toEqual({ auth: { user: 'grace', password: 'p4ssw0rd-long' } });
  });
});

describe('calls and events between plugins', () => {
  it('refuses a call to a plugin that was not declared as a dependency, and reserved event names', async () => {
    const core = await coreWith([
      { name: 'Target', entry: plugin(`return { api: { hello: () => 'hi' } };`) },
      {
        name: 'Sneaky',
        entry: plugin(`return { api: {
          reach: () => ctx.call('Target', 'hello'),
          fake: async () => { try { await ctx.call('Target', 'hello'); } catch (e) { return e.message; } },
        } };`),
      },
    ]);
    await untilState(core, 'Sneaky', 'running');
    const call = (method: string) => core.plugins.resolve('Sneaky').conn!.client.call('host.callApi', { method, args: [], caller: 'test' });
    await expect(call('reach')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect((await call('fake')).result).toMatch(/Sneaky may call only the plugins it declares as dependencies; Target is not one of them/);
  });

  it('delivers bus events to plugin subscribers in order and stops after the plugin unloads', async () => {
    const core = await coreWith([
      {
        name: 'Listener',
        entry: plugin(`
          const seen = [];
          ctx.events.on('demo.ping', (payload) => { seen.push(payload); });
          return { api: { seen: () => seen, emitReserved: async () => { ctx.events.emit('plugin.loaded', {}); return 'sent'; } } };`),
      },
    ]);
    await untilState(core, 'Listener', 'running');
    await waitFor(() => (core.bus.subscriberCount > 0 ? true : undefined), 5000, 'the subscription');
    for (let i = 0; i < 20; i++) core.bus.publish('demo.ping', i);
    const call = (method: string) => core.plugins.resolve('Listener').conn!.client.call('host.callApi', { method, args: [], caller: 'test' }).then((r) => r.result);
    await waitFor(async () => ((await call('seen')) as number[]).length === 20 || undefined, 5000, '20 events');
    expect(await call('seen')).toEqual([...Array(20).keys()]);
    const before = core.bus.subscriberCount;
    await core.plugins.disable('Listener');
    expect(core.bus.subscriberCount).toBeLessThan(before);
  });
});
