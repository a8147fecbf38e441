import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, runHaven, tempHome } from '../electron/testing/fixtures';
import { LOOPBACK_CONFIG, randomFolder, startSwarm, type Swarm } from '../plugins/bittorrent/testing/swarm';
import { dropFile } from './dropFile';
import { expect, test } from './fixtures';

// BitTorrentPlugin in the UI against a real `haven serve`, on loopback only (a tracker and a
// seeder started here, DHT/LSD/uTP/UPnP off): a .torrent dropped on the window is archived,
// then shared from the Seeding view, where it is stopped and removed.
test.use({ builtinPlugins: path.join(REPO_ROOT, 'plugins') });

let swarm: Swarm;
let torrent: Buffer;
test.beforeAll(async () => {
  swarm = await startSwarm();
  const seeded = await swarm.seed(randomFolder(path.join(tempHome('haven-e2e-bt-'), 'Night sounds'), { 'owl.flac': 600_000, 'notes.txt': 2_000 }));
  torrent = Buffer.from(seeded.torrentFile);
});
test.afterAll(async () => {
  await swarm?.close();
});

test('a .torrent dropped on the window is archived, then seeds in the Seeding view until stopped and removed', async ({ haven }) => {
  const { page } = haven;
  const settings = Object.entries({ ...LOOPBACK_CONFIG, seed_after_download: true, seed_ratio_limit: 0 }).flatMap(([key, value]) => ['--set', `${key}=${String(value)}`]);
  const configured = await runHaven(['plugins', 'configure', 'BitTorrentPlugin', ...settings], { HAVEN_HOME: haven.home }, 60_000);
  expect(configured.code, configured.stderr).toBe(0);

  await page.getByRole('link', { name: 'Jobs' }).click();
  await dropFile(page, 'night-sounds.torrent', torrent, 'window');
  await expect(page.getByTestId('toast').filter({ hasText: 'night-sounds.torrent queued' })).toContainText('BitTorrentPlugin archives it');
  await page.getByRole('tab', { name: /Completed/ }).click();
  await expect(page.locator('[data-testid="job-row"][data-state="completed"]').filter({ hasText: 'Night sounds' })).toBeVisible({ timeout: 45_000 });
  expect(fs.readdirSync(path.join(haven.home, 'downloads', 'bittorrent', 'Night sounds')).sort()).toEqual(['notes.txt', 'owl.flac']);

  // A file no plugin takes is refused with the reason, and nothing is kept.
  await dropFile(page, 'notes.txt', Buffer.from('hello'), 'window');
  await expect(page.getByTestId('toast').filter({ hasText: 'notes.txt cannot be archived' })).toContainText('no enabled plugin archives files like notes.txt');

  await page.goto(`${new URL(page.url()).origin}/#/plugins/bittorrent`);
  await page.getByRole('tab', { name: 'Seeding' }).click();
  const view = page.getByTestId('plugin-view-seeding');
  const row = view.locator('tbody tr').filter({ hasText: 'Night sounds' });
  await expect(row).toContainText('seeding');
  await expect(row).toContainText('no limit');
  await row.getByRole('button', { name: 'Stop Night sounds' }).click();
  await expect(view.getByTestId('view-action-result')).toHaveText('Stopped seeding; the files stay in your library.');
  await expect(row).toContainText('stopped: stopped by you');
  await row.getByRole('button', { name: 'Seed again Night sounds' }).click();
  await expect(row).toContainText('seeding');
  await row.getByRole('button', { name: 'Remove Night sounds' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Remove' }).click();
  await expect(view.getByText('Nothing is seeding.')).toBeVisible();
  expect(fs.existsSync(path.join(haven.home, 'downloads', 'bittorrent', 'Night sounds', 'owl.flac'))).toBe(true);
});
