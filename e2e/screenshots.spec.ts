import path from 'node:path';
import { REPO_ROOT, writePluginFolder } from '../electron/testing/fixtures';
import { expect, test } from './fixtures';

// `npm run screenshots` refreshes the pictures in docs/screenshots from the real UI.
const shots = path.join(REPO_ROOT, 'docs', 'screenshots');

test.use({ builtinPlugins: [path.join(REPO_ROOT, 'plugins'), path.join(REPO_ROOT, 'plugins', 'examples')].join(path.delimiter) });

test('screenshots for the README', async ({ haven }) => {
  const { page } = haven;
  await page.setViewportSize({ width: 1280, height: 800 });
  writePluginFolder(path.join(haven.home, 'plugins'), 'old-thing', { name: 'OldThing', engines: '>=9.0.0', description: 'Needs a newer Haven.' });
  await expect(page.locator('[data-plugin="OldThing"]')).toContainText('Cannot load');
  await expect(page.getByTestId('plugin-state').filter({ hasText: 'Running' })).toHaveCount(7);
  await expect(page.locator('.dot-health-pass, .dot-health-warn')).toHaveCount(7);
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
