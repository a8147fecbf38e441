import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PluginSummary } from '@shared/domain/plugins';
import { PLUGIN_HOST_ENTRY, tempHome, waitFor, writePluginFolder, type PluginFolderOptions } from '../../testing/fixtures';
import { startCore, type Core } from '../core';

// Issue 11: events, calls and messages between plugins, in real plugin host processes.

const running: Core[] = [];
afterEach(async () => {
  for (const core of running.splice(0)) await core.dispose();
});

async function coreWith(plugins: PluginFolderOptions[], timeouts: { apiMs: number; messageWaitMs: number } = { apiMs: 1500, messageWaitMs: 1500 }): Promise<Core> {
  const home = tempHome();
  for (const plugin of plugins) writePluginFolder(path.join(home, 'plugins'), plugin.name.toLowerCase(), plugin);
  const core = await startCore({
    home,
    host: 'test',
    builtinPluginRoots: [],
    stderrLogLevel: 'off',
    pluginHostEntry: PLUGIN_HOST_ENTRY,
    autoStartPlugins: true,
    pluginTimeouts: { ...timeouts, host: { shutdownMs: 2000 } },
  });
  running.push(core);
  return core;
}

/** A plugin module; `outcome(promise)` and `attempt(fn)` turn a HavenError into `{code, message}` the test can read. */
const plugin = (setupBody: string): string => `import { definePlugin, HavenError } from '@haven/sdk';
const outcome = async (promise) => { try { return { ok: (await promise) ?? null }; } catch (e) { return { code: e.code, message: e.message }; } };
const attempt = (fn) => { try { return { ok: fn() ?? null }; } catch (e) { return { code: e.code, message: e.message }; } };
export default definePlugin({ setup(ctx) { ${setupBody} } });
`;

function summary(core: Core, name: string): PluginSummary | undefined {
  return core.plugins.list().find((p) => p.name === name);
}

async function untilRunning(core: Core, ...names: string[]): Promise<void> {
  for (const name of names) {
    await waitFor(() => (summary(core, name)?.state === 'running' ? true : undefined), 10_000, `${name} to run (now ${summary(core, name)?.state}: ${summary(core, name)?.stateReason ?? ''})`);
  }
}

/** Calls a plugin's api function from the test, as another plugin would. */
async function api<T = unknown>(core: Core, name: string, method: string, ...args: unknown[]): Promise<T> {
  const { result } = await core.plugins.resolve(name).conn!.client.call('host.callApi', { method, args, caller: 'test' }, { timeoutMs: 10_000 });
  return result as T;
}

describe('calls between plugins', () => {
  it("reach only a declared dependency's api, with typed errors and a timeout", async () => {
    const core = await coreWith([
      {
        name: 'Target',
        entry: plugin(`return { api: {
          hello: (who) => 'hi ' + who,
          slow: () => new Promise(() => {}),
          refuse: () => { throw new HavenError('CONFLICT', 'not now'); },
          callBack: () => outcome(ctx.call('Caller', 'viaDep', 'hello')),
        } };`),
      },
      {
        name: 'Caller',
        manifest: { dependencies: { Target: '^1.0.0' } },
        entry: plugin(`return { api: { viaDep: (method, ...args) => outcome(ctx.call('Target', method, ...args)) } };`),
      },
      {
        name: 'Sneaky',
        entry: plugin(`return { api: { reach: (plugin) => outcome(ctx.call(plugin, 'hello', 'x')) } };`),
      },
    ]);
    await untilRunning(core, 'Target', 'Caller', 'Sneaky');

    expect(await api(core, 'Caller', 'viaDep', 'hello', 'Caller')).toEqual({ ok: 'hi Caller' });
    expect(await api(core, 'Caller', 'viaDep', 'missing')).toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/Target has no api function missing/) });
    expect(await api(core, 'Caller', 'viaDep', 'refuse')).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/not now/) });
    const started = Date.now();
    expect(await api(core, 'Caller', 'viaDep', 'slow')).toMatchObject({ code: 'TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(5000);

    // Not declared: refused the same way whether the plugin exists or not, and calls do not go up to dependents.
    const forbidden = { code: 'FORBIDDEN', message: expect.stringMatching(/may call only the plugins it declares as dependencies/) };
    expect(await api(core, 'Sneaky', 'reach', 'Target')).toMatchObject(forbidden);
    expect(await api(core, 'Sneaky', 'reach', 'Ghost')).toMatchObject(forbidden);
    expect(await api(core, 'Target', 'callBack')).toMatchObject(forbidden);
  });
});

describe('events between plugins', () => {
  it('reach subscribers in order, only declared names are emitted, and subscriptions end with the plugin', async () => {
    const core = await coreWith([
      {
        name: 'Emitter',
        manifest: { events: { emits: ['emitter.tick'] } },
        entry: plugin(`return { api: {
          ticks: (n) => { for (let i = 0; i < n; i++) ctx.events.emit('emitter.tick', { i }); return n; },
          undeclared: () => attempt(() => ctx.events.emit('emitter.nope', {})),
          reserved: () => attempt(() => ctx.events.emit('archive.completed', {})),
          stream: () => attempt(() => ctx.events.emit('stream.started', {})),
          notJson: () => attempt(() => ctx.events.emit('emitter.tick', { f: 1n })),
          tooBig: () => attempt(() => ctx.events.emit('emitter.tick', 'x'.repeat(300 * 1024))),
        } };`),
      },
      {
        name: 'Streamer',
        capabilities: ['STREAM'],
        entry: plugin(`return { api: { live: () => attempt(() => ctx.events.emit('stream.started', { input: 'cam' })) } };`),
      },
      {
        name: 'Listener',
        entry: plugin(`
          const seen = [];
          for (const pattern of ['emitter.tick', 'archive.completed', 'stream.*', 'plugin.*']) {
            ctx.events.on(pattern, (payload, source) => { seen.push([source, pattern === 'plugin.*' ? payload.plugin : payload]); });
          }
          return { api: { seen: () => seen } };`),
      },
    ]);
    await untilRunning(core, 'Emitter', 'Streamer', 'Listener');
    const subscribersWithout = core.bus.subscriberCount - 4;
    await waitFor(() => (core.bus.subscriberCount >= subscribersWithout + 4 ? true : undefined), 5000, 'the subscriptions');
    const seenBy = () => api<[string, unknown][]>(core, 'Listener', 'seen');
    const ticksSeen = async () => (await seenBy()).filter(([source]) => source === 'Emitter').map(([, payload]) => (payload as { i: number }).i);

    // A plugin's own declared events, in the order it emitted them.
    await api(core, 'Emitter', 'ticks', 50);
    await waitFor(async () => ((await ticksSeen()).length === 50 ? true : undefined), 5000, '50 ticks');
    expect(await ticksSeen()).toEqual([...Array(50).keys()]);

    // Haven's events: archive.completed from Core, stream.* from a STREAM plugin, plugin.* lifecycle.
    core.bus.publish('archive.completed', { itemId: 'item-1' });
    expect(await api(core, 'Streamer', 'live')).toEqual({ ok: null });
    await core.plugins.reload('Streamer');
    await waitFor(async () => ((await seenBy()).some(([, p]) => p === 'Streamer') ? true : undefined), 5000, 'plugin events');
    const haven = (await seenBy()).filter(([source]) => source !== 'Emitter');
    expect(haven).toEqual(expect.arrayContaining([['core', { itemId: 'item-1' }], ['Streamer', { input: 'cam' }]]));
    expect(haven.filter(([, p]) => p === 'Streamer').length).toBeGreaterThanOrEqual(3); // unloaded, loaded, reloaded

    // What a plugin may not emit is refused at once with a typed error.
    expect(await api(core, 'Emitter', 'undeclared')).toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/declares in events\.emits, and "emitter\.nope" is not one of them/) });
    expect(await api(core, 'Emitter', 'reserved')).toMatchObject({ code: 'FORBIDDEN', message: 'only Haven may emit archive.completed' });
    expect(await api(core, 'Emitter', 'stream')).toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/STREAM capability/) });
    expect(await api(core, 'Emitter', 'notJson')).toMatchObject({ code: 'INVALID_INPUT' });
    expect(await api(core, 'Emitter', 'tooBig')).toMatchObject({ code: 'TOO_LARGE' });

    // After a reload the plugin has its new subscriptions only: each event arrives once.
    await core.plugins.reload('Listener');
    await untilRunning(core, 'Listener');
    await waitFor(() => (core.bus.subscriberCount === subscribersWithout + 4 ? true : undefined), 5000, 'the old subscriptions to go');
    await api(core, 'Emitter', 'ticks', 3);
    await waitFor(async () => ((await ticksSeen()).length >= 3 ? true : undefined), 5000, '3 ticks');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await ticksSeen()).toEqual([0, 1, 2]);

    // Unloaded: its subscriptions are gone from Core's bus.
    await core.plugins.disable('Listener');
    expect(core.bus.subscriberCount).toBe(subscribersWithout);
  });
});

describe('messages between plugins', () => {
  it('arrive in order, hold the sender back when the receiver is slow, and go only to related plugins', async () => {
    const core = await coreWith([
      {
        name: 'Receiver',
        entry: plugin(`
          const received = [];
          let gate;
          ctx.onMessage(async (message, from) => {
            received.push([from, message]);
            if (gate) await gate.promise;
          });
          return { api: {
            received: () => received.length,
            order: () => received.filter(([from]) => from === 'Sender').map(([, m]) => m.i),
            hold: () => { let open; gate = { promise: new Promise((r) => (open = r)) }; gate.open = open; return null; },
            open: () => { const g = gate; gate = undefined; g?.open(); return null; },
            reply: () => outcome(ctx.send('Sender', 'pong')),
          } };`),
      },
      {
        name: 'Sender',
        manifest: { dependencies: { Receiver: '^1.0.0' } },
        entry: plugin(`
          const status = { sent: 0, errors: [], replies: [] };
          ctx.onMessage((message, from) => { status.replies.push([from, message]); });
          return { api: {
            status: () => status,
            produce: (from, n) => {
              // A producer loop that awaits each send, as a plugin should.
              void (async () => {
                for (let i = from; i < from + n; i++) {
                  try { await ctx.send('Receiver', { i }); status.sent++; } catch (e) { status.errors.push(e.code); return; }
                }
              })();
              return null;
            },
            one: (target, message) => outcome(ctx.send(target, message)),
            tooBig: () => outcome(ctx.send('Receiver', 'x'.repeat(300 * 1024))),
            notJson: () => outcome(ctx.send('Receiver', { f: () => 1 }.f)),
          } };`),
      },
      {
        name: 'Stranger',
        entry: plugin(`return { api: { one: (target) => outcome(ctx.send(target, 'hello')) } };`),
      },
    ], { apiMs: 20_000, messageWaitMs: 3000 });
    await untilRunning(core, 'Receiver', 'Sender', 'Stranger');
    type Status = { sent: number; errors: string[]; replies: [string, unknown][] };
    const status = () => api<Status>(core, 'Sender', 'status');

    // A slow receiver: once 100 messages are held (one being handled), the sender waits.
    await api(core, 'Receiver', 'hold');
    await api(core, 'Sender', 'produce', 0, 150);
    await waitFor(async () => ((await status()).sent === 100 ? true : undefined), 10_000, '100 queued messages');
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await status()).toMatchObject({ sent: 100, errors: [] });
    expect(await api(core, 'Receiver', 'received')).toBe(1);
    // It goes on as the receiver catches up, and every message arrives in order.
    await api(core, 'Receiver', 'open');
    await waitFor(async () => ((await status()).sent === 150 ? true : undefined), 10_000, 'all 150 sent');
    await waitFor(async () => ((await api<number>(core, 'Receiver', 'received')) === 150 ? true : undefined), 10_000, 'all 150 received');
    expect(await api(core, 'Receiver', 'order')).toEqual([...Array(150).keys()]);

    // A queue that stays full makes the send fail with BUSY (messageWaitMs is 3 s here).
    await api(core, 'Receiver', 'hold');
    await api(core, 'Sender', 'produce', 150, 101);
    await waitFor(async () => ((await status()).errors.length > 0 ? true : undefined), 10_000, 'BUSY');
    expect(await status()).toMatchObject({ sent: 250, errors: ['BUSY'] });
    await api(core, 'Receiver', 'open');
    await waitFor(async () => ((await api<number>(core, 'Receiver', 'received')) === 250 ? true : undefined), 10_000, 'the queue to drain');

    // A dependency may answer the plugin that declares it.
    expect(await api(core, 'Receiver', 'reply')).toEqual({ ok: null });
    await waitFor(async () => ((await status()).replies.length === 1 ? true : undefined), 5000, 'the reply');
    expect((await status()).replies).toEqual([['Receiver', 'pong']]);

    // Refused: no declared relation (whether the plugin exists or not), not JSON, too large.
    const forbidden = { code: 'FORBIDDEN', message: expect.stringMatching(/may send messages only to the plugins it declares as dependencies or that declare it/) };
    expect(await api(core, 'Stranger', 'one', 'Receiver')).toMatchObject(forbidden);
    expect(await api(core, 'Stranger', 'one', 'Ghost')).toMatchObject(forbidden);
    expect(await api(core, 'Sender', 'one', 'Stranger', 'hi')).toMatchObject(forbidden);
    expect(await api(core, 'Sender', 'tooBig')).toMatchObject({ code: 'TOO_LARGE' });
    expect(await api(core, 'Sender', 'notJson')).toMatchObject({ code: 'INVALID_INPUT' });

    // The receiver unloads while a send waits for room: the send fails, nothing is left behind.
    await api(core, 'Receiver', 'hold');
    const errorsBefore = (await status()).errors.length;
    await api(core, 'Sender', 'produce', 1000, 101);
    await waitFor(async () => ((await status()).sent === 350 ? true : undefined), 10_000, '100 more queued');
    await core.plugins.stop('Receiver');
    await waitFor(async () => ((await status()).errors.length > errorsBefore ? true : undefined), 5000, 'the waiting send to fail');
    expect((await status()).errors.slice(errorsBefore)).toEqual(['UNAVAILABLE']);
  });
});
