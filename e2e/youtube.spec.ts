import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, runHaven, tempHome } from '../electron/testing/fixtures';
import { startStaticServer, type StaticServer } from '../electron/testing/staticServer';
import { expect, test } from './fixtures';

// YouTubePlugin in the UI against a real `haven serve`: its actions, and a failed archive that
// needs cookies leading the user to the field to fix.
test.use({ builtinPlugins: path.join(REPO_ROOT, 'plugins') });

let server: StaticServer;
test.beforeAll(async () => {
  const root = tempHome('haven-e2e-yt-');
  fs.copyFileSync('/usr/bin/yt-dlp', path.join(root, 'yt-dlp'));
  const sum = crypto.createHash('sha256').update(fs.readFileSync(path.join(root, 'yt-dlp'))).digest('hex');
  fs.writeFileSync(path.join(root, 'SHA2-256SUMS'), `${sum}  yt-dlp\n`);
  server = await startStaticServer(root, [
    (req, res) => {
      if (!req.url?.startsWith('/watch?v=PRIVATE0000')) return false;
      res.writeHead(401, { 'Content-Type': 'text/html' }).end('<h1>Sign in</h1>');
      return true;
    },
  ]);
});
test.afterAll(async () => {
  await server?.close();
});

test('"Install / update yt-dlp" runs from the plugin page and says what it did', async ({ haven }) => {
  const { page } = haven;
  await page.locator('[data-plugin="YouTubePlugin"]').getByRole('link', { name: 'YouTubePlugin' }).click();
  await page.getByRole('tab', { name: 'Settings' }).click();
  await page.getByLabel('Ytdlp release url').fill(`${server.url}/yt-dlp`);
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await page.getByRole('tab', { name: 'Test' }).click();
  const action = page.locator('[data-action="update-yt-dlp"]');
  await action.getByRole('button', { name: 'Install / update yt-dlp' }).click();
  await expect(action.getByTestId('action-result')).toHaveText(`yt-dlp 2023.03.04 is installed in ${path.join(haven.home, 'plugin-data', 'youtube', 'bin', 'yt-dlp')}.`, { timeout: 30_000 });
  await page.getByRole('button', { name: 'Run health check' }).click();
  await expect(page.getByTestId('test-health')).toContainText('(managed,');
});

test('a video that needs sign-in fails with that reason, and a link leads to the cookies setting', async ({ haven }) => {
  const { page } = haven;
  const failed = await runHaven(['archive', `${server.url}/watch?v=PRIVATE0000`, '--plugin', 'YouTubePlugin'], { HAVEN_HOME: haven.home }, 90_000);
  expect(failed.code).toBe(1);
  await page.getByRole('link', { name: 'Jobs' }).click();
  await page.getByRole('tab', { name: /Failed/ }).click();
  const row = page.locator('[data-testid="job-row"][data-state="failed"]');
  await expect(row).toContainText('auth_required');
  await row.click();
  const fix = page.getByTestId('fix-cookies');
  await expect(fix).toHaveText("Set a cookies file in YouTubePlugin's settings");
  await fix.click();
  const field = page.locator('[data-field="cookies_file"]');
  await expect(field).toHaveClass(/highlighted/);
  await expect(field.locator('input')).toBeFocused();
});
