import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { MediaItem } from '@shared/sdk/types';
import { tempHome, waitFor, writePluginFolder } from '../../testing/fixtures';
import { pluginCores } from '../../testing/pluginCores';
import { isProcessAlive } from '../storage/lockfile';

// A processor that starts on demand stops again after idleStopMs without work (here 400 ms), in
// a real plugin host process: never while a hook runs, not kept alive by health checks, and it
// starts again for the next item.

const IDLE_MS = 400;
const plugins = tempHome('haven-idle-plugins-');
writePluginFolder(plugins, 'idle', {
  name: 'IdleProcessor',
  capabilities: ['PROCESS'],
  manifest: { processes: { accepts: ['audio/*'], produces: ['metadata'] } },
  entry: `import fs from 'node:fs';
import path from 'node:path';
import { definePlugin } from '@haven/sdk';
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
export default definePlugin({
  setup: () => ({
    healthCheck: () => ({ status: 'pass', componentId: 'idle', output: 'fine' }),
    actions: {
      slow: { label: 'Slow', description: 'Works for a while.', run: async () => { await pause(${5 * IDLE_MS}); return 'done'; } },
    },
    async process(item) {
      await pause(Number(item.metadata.workMs ?? 0));
      const out = path.join(item.derivedDir, 'facts.json');
      fs.writeFileSync(out, JSON.stringify({ size: fs.statSync(item.path).size }));
      return { derived: [{ path: out, kind: 'metadata', label: 'Facts' }] };
    },
  }),
});
`,
});
// Background health checks every 150 ms: more often than the idle period, and not work.
const cores = pluginCores([plugins], { autoStartPlugins: true, pluginTimeouts: { idleStopMs: IDLE_MS, healthIntervalMs: 150 } });
afterAll(() => cores.disposeAll());

describe('an idle processor', () => {
  it('stops after idleStopMs without work, never during a hook, and starts again when needed', async () => {
    const core = await cores.start();
    const original = path.join(core.paths.downloads, 'talk.mp3');
    fs.mkdirSync(path.dirname(original), { recursive: true });
    fs.writeFileSync(original, 'not really audio');
    let serial = 0;
    const item = (workMs: number): MediaItem => {
      const derivedDir = path.join(core.paths.derived, `item-${++serial}`, 'IdleProcessor');
      fs.mkdirSync(derivedDir, { recursive: true });
      return { id: `item-${serial}`, plugin: 'RssPlugin', sourceId: `s${serial}`, title: 'talk', path: original, mime: 'audio/mpeg', metadata: { workMs }, derivedDir, derived: [] };
    };
    const state = () => core.plugins.info('IdleProcessor');
    expect(state()).toMatchObject({ state: 'stopped', stateReason: 'starts when a pipeline needs it' });

    // A hook that works for five idle periods keeps the process (a stop would fail the call).
    const long = core.plugins.process('IdleProcessor', item(5 * IDLE_MS), 'job-1');
    const pid = await waitFor(() => state().pid, 10_000, 'the processor to start');
    expect((await long).derived).toHaveLength(1);
    // An action is work too.
    expect(await core.plugins.runAction('IdleProcessor', 'slow')).toBe('done');

    // Health checks (every 150 ms) are not work: the process stops, and says why in its log.
    await waitFor(() => (state().state === 'stopped' ? true : undefined), 15_000, 'the idle processor to stop');
    expect(state().stateReason).toBe('starts when a pipeline needs it');
    await waitFor(() => (isProcessAlive(pid) ? undefined : true), 5000, 'its process to end');
    expect(core.pluginLogs.tail('IdleProcessor').map((record) => record.message)).toContainEqual(expect.stringMatching(/^stopped: after \d+ (ms|s) without work; starts again when a pipeline needs it$/));

    // The next item starts it again.
    expect((await core.plugins.process('IdleProcessor', item(0), 'job-2')).derived).toHaveLength(1);
    expect(state().pid).not.toBe(pid);
  });
});
