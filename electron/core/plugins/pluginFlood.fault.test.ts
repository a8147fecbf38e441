import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { JobSummary } from '@shared/domain/jobs';
import { PLUGIN_HOST_ENTRY, requireBuild, tempHome, writePluginFolder } from '../../testing/fixtures';
import { clientOf, probeResponsiveness } from '../../testing/faults';
import { startCore, type Core } from '../core';

// Fault suite (issue 12): a plugin floods its output (console.log, console.error), its logger and
// its job's progress for FLOOD_SECONDS, in a real plugin host. Logs are cut at 200 lines a second
// per plugin (the plugin's process and Core both count), progress reaches a client at most about
// ten times a second per job, and Core answers calls within a bound all the while.

const FLOOD_SECONDS = 3;

const FLOODER = `import fs from 'node:fs';
import path from 'node:path';
import { definePlugin } from '@haven/sdk';
export default definePlugin({
  setup(ctx) {
    return {
      async archive(source, job) {
        const until = Date.now() + ${FLOOD_SECONDS * 1000};
        let i = 0;
        while (Date.now() < until) {
          for (let k = 0; k < 100; k++) {
            i++;
            console.log('stdout line ' + i + ' ' + 'x'.repeat(80));
            console.error('stderr line ' + i);
            ctx.logger.info('logger line ' + i);
            job.progress({ phase: 'flooding', bytesDone: i });
          }
          // Yield now and then, as real work does (a loop that never yields is the heartbeat's case).
          await new Promise((resolve) => setImmediate(resolve));
        }
        job.progress({ phase: 'done', bytesDone: i, bytesTotal: i });
        const file = path.join(ctx.outputDir, source.sourceId + '.txt');
        fs.mkdirSync(ctx.outputDir, { recursive: true });
        fs.writeFileSync(file, String(i));
        return { success: true, outputPath: file, metadata: { lines: i } };
      },
    };
  },
});
`;

let core: Core | undefined;
afterAll(async () => {
  await core?.dispose();
});

describe('a plugin flooding logs and progress', () => {
  it('is cut to 200 log lines a second, its progress reaches a client ~10 times a second, and Core stays responsive', async () => {
    requireBuild();
    const home = tempHome();
    writePluginFolder(path.join(home, 'plugins'), 'flooder', { name: 'Flooder', capabilities: ['ARCHIVE'], entry: FLOODER });
    core = await startCore({ home, host: 'test', builtinPluginRoots: [], pluginHostEntry: PLUGIN_HOST_ENTRY, stderrLogLevel: 'off', autoStartPlugins: false, runJobs: true });
    await core.plugins.start('Flooder');

    const client = clientOf(core);
    const progress: JobSummary['progress'][] = [];
    const logs: string[] = [];
    client.subscribe('jobs.progress', {}, { onData: (event) => progress.push(event.progress) });
    client.subscribe('plugins.log', { name: 'Flooder' }, { onData: (record) => logs.push(record.message) });
    // The subscriptions are in place once a call made after them is answered.
    await client.call('app.info', {});

    const probe = probeResponsiveness(() => client.call('jobs.counts', {}), 50);
    const started = Date.now();
    const job = core.jobs.enqueueArchive('Flooder', { sourceId: 'flood', mediaType: 'file', uri: 'http://127.0.0.1:9/flood', metadata: {} });
    const done = await Promise.race([
      core.jobs.waitFor(job.id),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the flooding job did not finish within 20 s')), 20_000)),
    ]);
    const seconds = (Date.now() - started) / 1000;
    const responsiveness = await probe.stop();
    await new Promise((resolve) => setTimeout(resolve, 300)); // the last coalesced values
    const lines = Number(fs.readFileSync(done.outputPath!, 'utf8'));
    console.log(JSON.stringify({ seconds, lines, progress: progress.length, logs: logs.length, responsiveness }));

    expect(done.state, done.error).toBe('completed');
    expect(lines).toBeGreaterThan(5000); // a real flood: three sources of a line each time round

    // Progress: about ten a second per job reach the client, and the last one is the final state.
    expect(progress.length).toBeGreaterThan(3);
    expect(progress.length).toBeLessThanOrEqual(Math.ceil(seconds * 10) + 3);
    expect(progress.at(-1)).toMatchObject({ phase: 'done', bytesDone: lines, bytesTotal: lines });

    // Logs: at most 200 lines a second per plugin, output and logger together, and the cut is said.
    const budget = (Math.ceil(seconds) + 1) * 200 + 10;
    expect(logs.length).toBeLessThanOrEqual(budget);
    expect(logs.length).toBeLessThan(lines);
    const stored = fs.readFileSync(core.pluginLogs.fileOf('Flooder'), 'utf8').trim().split('\n');
    expect(stored.length).toBeLessThanOrEqual(budget);
    expect(stored.join('\n')).toMatch(/\((some output was dropped|some log lines were dropped|\d+ log lines dropped)\)/);

    // Core answered every probe, within a generous bound, while the flood ran.
    expect(responsiveness.failures).toEqual([]);
    expect(responsiveness.answered).toBeGreaterThan(10);
    expect(responsiveness.maxMs).toBeLessThan(1000);
    expect(core.plugins.info('Flooder').state).toBe('running');
  });
});
