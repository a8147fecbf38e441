import path from 'node:path';
import { WebSocketServer } from 'ws';
import { REPO_ROOT, runHaven, tempHome } from '../electron/testing/fixtures';
import { startLiveHls } from '../electron/testing/liveHls';
import { LOOPBACK_CONFIG, randomFolder, startSwarm } from '../plugins/bittorrent/testing/swarm';
import { dropFile } from './dropFile';
import { expect, test } from './fixtures';

// `npm run screenshots` (with screenshots.spec.ts): a recording with its chat in the Library,
// and the Seeding view, from the real UI against sources on 127.0.0.1.
const shots = path.join(REPO_ROOT, 'docs', 'screenshots');

test.use({ builtinPlugins: path.join(REPO_ROOT, 'plugins') });

test('screenshots of a recording and of seeding', async ({ haven }) => {
  test.setTimeout(180_000);
  const { page } = haven;
  await page.setViewportSize({ width: 1280, height: 800 });
  const env = { HAVEN_HOME: haven.home };
  const live = await startLiveHls();
  const chat = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => chat.on('listening', () => resolve()));
  const people = ['harbourmaster', 'gull_watcher', 'night_shift', 'tidewriter'];
  const lines = ['the fog is lifting', 'you can hear the bell buoy now', 'is that the 6:10 ferry?', 'lights on the north pier', 'beautiful tonight', 'wind picking up'];
  chat.on('connection', (socket) => {
    let n = 0;
    const timer = setInterval(() => socket.send(JSON.stringify({ author: people[n % people.length], text: lines[n++ % lines.length] })), 300);
    socket.on('close', () => clearInterval(timer));
  });
  const swarm = await startSwarm();
  try {
    const port = (chat.address() as { port: number }).port;
    expect((await runHaven(['plugins', 'configure', 'LiveStreamPlugin', '--set', 'segment_duration=4', '--set', 'remux_on_finish=false', '--set', `chat_url=ws://127.0.0.1:${port}`], env, 60_000)).code).toBe(0);
    expect((await runHaven(['archive', live.playlist, '--duration', '12'], env, 90_000)).code).toBe(0);
    await page.getByRole('link', { name: 'Library' }).click();
    await page.getByText(/127\.0\.0\.1 live/).first().click();
    const player = page.getByTestId('recording-player');
    await player.getByRole('button', { name: /^Part 1 · 0:08/ }).click();
    await player.locator('video').evaluate((v: { muted: boolean; currentTime: number }) => {
      v.muted = true;
      v.currentTime = 3;
    });
    await expect.poll(() => player.getByTestId('chat-lines').locator('li').count(), { timeout: 20_000 }).toBeGreaterThan(10);
    await page.screenshot({ path: path.join(shots, 'recording-light.png') });

    const settings = Object.entries({ ...LOOPBACK_CONFIG, seed_after_download: true, seed_ratio_limit: 2 }).flatMap(([key, value]) => ['--set', `${key}=${String(value)}`]);
    expect((await runHaven(['plugins', 'configure', 'BitTorrentPlugin', ...settings], env, 60_000)).code).toBe(0);
    for (const [name, files] of [
      ['Field recordings, spring', { 'dawn.flac': 900_000, 'dusk.flac': 700_000 }],
      ['Lighthouse interviews', { 'keeper.ogg': 600_000 }],
    ] as const) {
      const seeded = await swarm.seed(randomFolder(path.join(tempHome('haven-shots-bt-'), name), files));
      await dropFile(page, `${name}.torrent`, Buffer.from(seeded.torrentFile), 'window');
    }
    await page.getByRole('link', { name: 'Jobs' }).click();
    await page.getByRole('tab', { name: /Completed/ }).click();
    await expect(page.locator('[data-testid="job-row"][data-state="completed"]').filter({ hasText: /Field recordings|Lighthouse/ })).toHaveCount(2, { timeout: 60_000 });
    await page.goto(`${new URL(page.url()).origin}/#/plugins/bittorrent`);
    await page.getByRole('tab', { name: 'Seeding' }).click();
    const view = page.getByTestId('plugin-view-seeding');
    await expect(view.locator('tbody tr')).toHaveCount(2);
    await view.locator('tbody tr').filter({ hasText: 'Lighthouse' }).getByRole('button', { name: 'Stop Lighthouse interviews' }).click();
    await expect(view.locator('tbody tr').filter({ hasText: 'Lighthouse' })).toContainText('stopped by you');
    for (let i = 0; i < 5 && (await page.getByRole('button', { name: 'Dismiss' }).count()) > 0; i++) await page.getByRole('button', { name: 'Dismiss' }).first().click();
    await page.screenshot({ path: path.join(shots, 'seeding-light.png') });
  } finally {
    await swarm.close();
    await new Promise<void>((resolve) => chat.close(() => resolve()));
    await live.close();
  }
});
