import { execFileSync } from 'node:child_process';
import path from 'node:path';
import fs from 'node:fs';
import { REPO_ROOT, runHaven, tempHome, writePluginFolder } from '../electron/testing/fixtures';
import { dropFile } from './dropFile';
import { startStaticServer, throttledFile } from '../electron/testing/staticServer';
import { expect, test } from './fixtures';

// `npm run screenshots` refreshes the pictures in docs/screenshots from the real UI.
const shots = path.join(REPO_ROOT, 'docs', 'screenshots');

test.use({ builtinPlugins: path.join(REPO_ROOT, 'plugins') });

test('screenshots for the README', async ({ haven }) => {
  test.setTimeout(180_000);
  const { page } = haven;
  await page.setViewportSize({ width: 1280, height: 800 });
  writePluginFolder(path.join(haven.home, 'plugins'), 'old-thing', { name: 'OldThing', engines: '>=9.0.0', description: 'Needs a newer Haven.' });
  await expect(page.getByRole('tab', { name: /Cannot load/ })).toContainText('1');
  await expect(page.getByTestId('plugin-state').filter({ hasText: 'Running' })).toHaveCount(5);
  await expect(page.locator('.dot-health-pass, .dot-health-warn')).toHaveCount(5);
  await page.screenshot({ path: path.join(shots, 'plugins-light.png') });

  // The catalog, then a package dropped on the window: the RSS example, packed by the CLI.
  await page.getByRole('tab', { name: /Available/ }).click();
  await expect(page.getByTestId('catalog-card')).toHaveCount(2);
  await page.screenshot({ path: path.join(shots, 'catalog-light.png') });
  const packed = path.join(haven.home, 'rss.havenplugin');
  const pack = await runHaven(['plugin', 'pack', path.join(REPO_ROOT, 'plugins', 'examples', 'rss'), '-o', packed]);
  expect(pack.code, pack.stderr).toBe(0);
  await dropFile(page, 'rss.havenplugin', fs.readFileSync(packed));
  const dialog = page.getByTestId('install-dialog');
  await expect(dialog).toContainText('Install RssPlugin 1.0.0?');
  await page.screenshot({ path: path.join(shots, 'install-dialog-light.png') });
  await dialog.getByRole('button', { name: 'Install' }).click();
  await dialog.getByRole('button', { name: 'Done' }).click();
  await page.locator('[data-testid="catalog-card"][data-plugin="HelloPlugin"]').getByRole('button', { name: 'Install…' }).click();
  await dialog.getByRole('button', { name: 'Install' }).click();
  await dialog.getByRole('button', { name: 'Done' }).click();
  await page.getByRole('tab', { name: /Installed/ }).click();
  await expect(page.getByTestId('plugin-state').filter({ hasText: 'Running' })).toHaveCount(7);

  // A detail page with its generated form, a mistake caught as it is typed.
  await page.locator('[data-plugin="YouTubePlugin"]').getByRole('link', { name: 'YouTubePlugin' }).click();
  await page.getByRole('tab', { name: 'Settings' }).click();
  await page.locator('#field-channel_ids').fill('@nasa, UCLA_DiR1FfKNvjuUpBHmylQ');
  await page.locator('#field-channel_ids').press('Enter');
  await page.getByLabel('Max videos').fill('-5');
  await expect(page.locator('[data-field="max_videos"]').getByRole('alert')).toBeVisible();
  await page.screenshot({ path: path.join(shots, 'plugin-settings-light.png') });
  await page.getByRole('button', { name: 'Undo changes' }).click();

  const root = tempHome('haven-shots-site-');
  const names = ['Harbour lights at dawn.mp3', 'Lighthouse keeper interview.mp3', 'Tide tables, read aloud.mp3'];
  for (const [i, name] of names.entries()) {
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `sine=frequency=${300 + i * 100}:duration=40`, '-b:a', '128k', path.join(root, name)]);
  }
  const server = await startStaticServer(root, [throttledFile('/slow/Storm recording, north pier.mp3', path.join(root, names[0]!), 120 * 1024)]);
  try {
    await page.getByRole('link', { name: 'Jobs' }).click();
    for (const name of names) {
      await page.getByLabel('URL to archive').fill(`${server.url}/${encodeURIComponent(name)}`);
      await page.getByRole('button', { name: 'Archive', exact: true }).click();
    }
    await page.getByLabel('URL to archive').fill(`${server.url}/missing/Episode 12.mp3`);
    await page.getByRole('button', { name: 'Archive', exact: true }).click();
    await page.getByRole('tab', { name: /Completed/ }).click();
    await expect(page.getByTestId('job-row')).toHaveCount(3, { timeout: 30_000 });
    await page.getByRole('tab', { name: /Active/ }).click();
    await page.getByLabel('URL to archive').fill(`${server.url}/slow/${encodeURIComponent('Storm recording, north pier.mp3')}`);
    await page.getByRole('button', { name: 'Archive', exact: true }).click();
    const running = page.locator('[data-testid="job-row"][data-state="running"]');
    await expect(running.getByRole('progressbar')).toHaveAttribute('aria-valuenow', /^[1-9]\d?$/, { timeout: 20_000 });
    await running.click();
    await expect(page.getByTestId('job-trace')).toContainText('started');
    await page.screenshot({ path: path.join(shots, 'jobs-light.png') });

    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('radiogroup', { name: 'Theme' }).getByText('Dark').click();
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    await page.screenshot({ path: path.join(shots, 'settings-dark.png') });
    await page.getByRole('link', { name: 'Library' }).click();
    await page.getByLabel('Search the library').fill('light');
    await expect(page.getByTestId('library-item')).toHaveCount(2);
    await page.getByTestId('library-item').first().click();
    await expect(page.getByTestId('item-detail')).toBeVisible();
    await page.screenshot({ path: path.join(shots, 'library-dark.png') });
    await page.getByRole('link', { name: 'Plugins' }).click();
    await page.screenshot({ path: path.join(shots, 'plugins-dark.png') });
  } finally {
    await server.close();
  }

  await haven.serve!.stop();
  await expect(page.getByTestId('disconnected-banner')).toBeVisible();
  await page.screenshot({ path: path.join(shots, 'disconnected-dark.png') });
});
