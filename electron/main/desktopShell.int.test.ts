import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '@shared/ipc/client';
import type { HavenContract } from '@shared/ipc/contract';
import { memoryProtocolPair } from '@shared/ipc/transports/memory';
import { REPO_ROOT, tempHome, waitFor } from '../testing/fixtures';
import { pluginCores } from '../testing/pluginCores';
import { startStaticServer, throttledFile } from '../testing/staticServer';
import { planLaunch } from './launch/launchArgs';
import { carryOut } from './launch/launchRequests';
import { noticeFor, summarizeNotices, type Notice } from './notify/notices';
import { runTrayCommand } from './tray/trayCommands';
import { trayModel } from './tray/trayModel';
import { TrayState } from './tray/trayState';

// The desktop shell's logic against a real Core, a real plugin (the RSS example) and a real HTTP
// server on 127.0.0.1: everything the Electron binding does except drawing the tray and showing
// notifications, which need an Electron binary.

const cores = pluginCores([path.join(REPO_ROOT, 'plugins', 'examples')], { autoStartPlugins: false, runJobs: true });
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
  await cores.disposeAll();
});

let site: string;
beforeAll(() => {
  site = tempHome('haven-desktop-site-');
  fs.mkdirSync(path.join(site, 'media'));
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=20', '-b:a', '128k', path.join(site, 'media', 'episode.mp3')]);
});

async function setup() {
  const server = await startStaticServer(site, [throttledFile('/slow/long.mp3', path.join(site, 'media', 'episode.mp3'), 64 * 1024)]);
  cleanup.push(() => server.close());
  const core = await cores.start();
  const set = await core.plugins.setConfig('rss', { feed_urls: [`${server.url}/feed.xml`] }, false);
  expect(set.ok).toBe(true);
  await core.plugins.start('rss');
  const [mainEnd, coreEnd] = memoryProtocolPair();
  core.router.connect(coreEnd, 'desktop-main');
  const client = createClient<HavenContract>(mainEnd);
  cleanup.push(() => client.dispose());
  const state = new TrayState(client);
  cleanup.push(() => state.dispose());
  const notices: Notice[] = [];
  state.onJobTransition(({ before, job }) => {
    const notice = noticeFor(before, job, Date.now());
    if (notice) notices.push(notice);
  });
  await state.start();
  return { core, server, client, state, notices };
}

describe('desktop shell against a real Core', () => {
  it('a URL from a second launch is archived, the tray follows it, and one notice says so', async () => {
    const { server, client, state, notices } = await setup();
    await waitFor(() => (state.input().discoverers > 0 ? true : undefined), 10_000, 'the RSS plugin to run');
    expect(trayModel(state.input()).icon).toBe('idle');

    const plan = planLaunch(['--no-sandbox', `${server.url}/slow/long.mp3`], process.cwd());
    const target = { client, openPackage: () => undefined };
    const outcome = await carryOut(plan.requests[0]!, target);
    expect(outcome).toEqual({ ok: true, message: 'Queued: long.mp3' });

    const running = await waitFor(() => {
      const model = trayModel(state.input());
      return model.icon === 'active' && model.menu.some((item) => item.type === 'item' && /^↓ long\.mp3: \d+%/.test(item.label)) ? model : undefined;
    }, 15_000, 'the tray to show the running download with its percent');
    expect(running.tooltip).toMatch(/^Haven: 1 job running at [\d.]+ [KM]iB\/s$/);

    // Pause all from the tray: the job pauses and Resume all becomes possible.
    await runTrayCommand({ kind: 'pause-all' }, { client, state, showWindow: () => undefined, requestQuit: () => undefined });
    await waitFor(() => (state.input().counts.paused === 1 && state.input().active.length === 0 ? true : undefined), 10_000, 'the job to pause');
    const paused = trayModel(state.input());
    expect(paused.icon).toBe('idle');
    expect(paused.menu.find((item) => item.type === 'item' && item.id === 'resume-all')).toMatchObject({ enabled: true });
    await runTrayCommand({ kind: 'resume-all' }, { client, state, showWindow: () => undefined, requestQuit: () => undefined });

    await waitFor(() => (notices.some((notice) => notice.kind === 'completed') ? true : undefined), 30_000, 'the download to complete');
    expect(summarizeNotices(notices)).toEqual([{ title: 'Archived', body: 'long.mp3', target: { page: 'library', param: expect.stringMatching(/^\d+$/) } }]);
    await waitFor(() => (trayModel(state.input()).icon === 'idle' ? true : undefined), 5000, 'the tray to go idle');
  });

  it('a failed job turns the tray to error until the window is opened', async () => {
    const { server, client, state, notices } = await setup();
    const outcome = await carryOut({ kind: 'archive-url', url: `${server.url}/media/missing.mp3` }, { client, openPackage: () => undefined });
    expect(outcome.ok).toBe(true);
    await waitFor(() => (state.input().unseenFailures === 1 ? true : undefined), 15_000, 'the job to fail');
    const model = trayModel(state.input());
    expect(model.icon).toBe('error');
    expect(model.tooltip).toBe('Haven: 1 job failed');
    expect(notices).toEqual([expect.objectContaining({ kind: 'failed', title: 'missing.mp3', error: expect.stringMatching(/404|not found/i) })]);
    state.failuresSeen();
    expect(trayModel(state.input()).icon).toBe('idle');
  });

  it('"Check for new items now" runs discovery of the running plugins', async () => {
    const { client, state } = await setup();
    await waitFor(() => (state.input().discoverers > 0 ? true : undefined), 10_000, 'the RSS plugin to run');
    await runTrayCommand({ kind: 'check-now' }, { client, state, showWindow: () => undefined, requestQuit: () => undefined });
    const { jobs } = await client.call('jobs.list', { limit: 10 });
    expect(jobs.filter((job) => job.kind === 'discover').map((job) => job.plugin)).toEqual(['RssPlugin']);
  });

  it('files opened from the file manager: unclaimed, too large, missing, and a package', async () => {
    const { client } = await setup();
    const dir = tempHome('haven-desktop-files-');
    const opened: string[] = [];
    const target = { client, openPackage: (file: string) => opened.push(file) };
    fs.writeFileSync(path.join(dir, 'notes.torrent'), 'not bencode');
    fs.writeFileSync(path.join(dir, 'huge.torrent'), Buffer.alloc(600 * 1024));
    fs.writeFileSync(path.join(dir, 'tools.havenplugin'), 'PK');
    const plan = planLaunch(['notes.torrent', 'huge.torrent', 'gone.torrent', 'tools.havenplugin'], dir);
    const outcomes = [];
    for (const request of plan.requests) outcomes.push(await carryOut(request, target));
    // Only BitTorrentPlugin claims .torrent files, and it is not among these plugins.
    expect(outcomes[0]).toMatchObject({ ok: false, message: expect.stringMatching(/^Haven could not open notes\.torrent: jobs\.archiveFile: .*claims/) });
    expect(outcomes[1]).toMatchObject({ ok: false, message: expect.stringContaining('huge.torrent is 614400 bytes') });
    expect(outcomes[2]).toMatchObject({ ok: false, message: expect.stringContaining('Haven could not open gone.torrent: ENOENT') });
    expect(outcomes[3]).toEqual({ ok: true, message: 'Opened tools.havenplugin for installing.' });
    expect(opened).toEqual([path.join(dir, 'tools.havenplugin')]);
  });
});
