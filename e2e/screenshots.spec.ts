import path from 'node:path';
import { REPO_ROOT, writePluginFolder } from '../electron/testing/fixtures';
import { expect, test } from './fixtures';

// `npm run screenshots` refreshes the pictures in docs/screenshots from the real UI.
const shots = path.join(REPO_ROOT, 'docs', 'screenshots');

test('screenshots for the README', async ({ haven }) => {
  const { page } = haven;
  await page.setViewportSize({ width: 1280, height: 760 });
  const plugins = path.join(haven.home, 'plugins');
  writePluginFolder(plugins, 'youtube', {
    name: 'YouTubePlugin',
    description: 'Channels and playlists through yt-dlp, with subtitles and metadata.',
    capabilities: ['DISCOVER', 'ARCHIVE', 'METADATA'],
    manifest: { author: 'Haven', category: 'video' },
  });
  writePluginFolder(plugins, 'bittorrent', {
    name: 'BitTorrentPlugin',
    description: 'Torrents from RSS feeds, magnets and files through WebTorrent.',
    capabilities: ['DISCOVER', 'ARCHIVE'],
    manifest: { author: 'Haven', category: 'torrent' },
  });
  writePluginFolder(plugins, 'old-thing', { name: 'OldThing', engines: '>=9.0.0', description: 'Needs a newer Haven.' });
  await expect(page.locator('[data-plugin="OldThing"]')).toContainText('Cannot load');
  await page.screenshot({ path: path.join(shots, 'plugins-light.png') });

  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('radiogroup', { name: 'Theme' }).getByText('Dark').click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.screenshot({ path: path.join(shots, 'settings-dark.png') });
  await page.getByRole('link', { name: 'Plugins' }).click();
  await page.screenshot({ path: path.join(shots, 'plugins-dark.png') });

  await haven.serve!.stop();
  await expect(page.getByTestId('disconnected-banner')).toBeVisible();
  await page.screenshot({ path: path.join(shots, 'disconnected-dark.png') });
});
