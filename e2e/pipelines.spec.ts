import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, tempHome } from '../electron/testing/fixtures';
import { startStaticServer, type StaticServer } from '../electron/testing/staticServer';
import { expect, test } from './fixtures';

// A pipeline configured in the UI: RssPlugin's archives get thumbnails from ThumbnailsPlugin,
// and the Library shows the thumbnail once the archive and its processing jobs are done.
let server: StaticServer;
const builtin = tempHome('haven-e2e-pipeline-builtin-');

test.use({ builtinPlugins: [path.join(REPO_ROOT, 'plugins', 'examples'), builtin].join(path.delimiter) });

test.beforeAll(async () => {
  // ThumbnailsPlugin alone among the built-ins (its manifest and bundle), beside the examples.
  fs.cpSync(path.join(REPO_ROOT, 'plugins', 'thumbnails'), path.join(builtin, 'thumbnails'), { recursive: true, filter: (file) => !/\.test\.ts$/.test(file) });
  const site = tempHome('haven-e2e-pipeline-site-');
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25:duration=6', '-f', 'lavfi', '-i', 'sine=frequency=400:duration=6', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', path.join(site, 'harbour-at-night.mp4')]);
  server = await startStaticServer(site);
});

test.afterAll(async () => {
  await server.close();
});

test('a pipeline set up on the plugin page makes a thumbnail that the Library shows after an archive', async ({ haven }) => {
  const { page } = haven;
  await page.goto(`${new URL(page.url()).origin}/#/plugins/rss`);
  await page.getByRole('tab', { name: 'Pipeline' }).click();
  await expect(page.getByTestId('pipeline-empty')).toBeVisible();
  await page.getByLabel('Processor to add').selectOption('ThumbnailsPlugin');
  await page.getByRole('button', { name: 'Add step' }).click();
  await expect(page.getByTestId('pipeline-step')).toHaveCount(1);
  await page.getByRole('button', { name: 'Save pipeline' }).click();
  await expect(page.getByRole('button', { name: 'Save pipeline' })).toBeDisabled();
  await page.getByRole('button', { name: 'Dry run on the newest item' }).click();
  await expect(page.getByTestId('pipeline-dry-run')).toContainText('ThumbnailsPlugin: would make thumbnail, preview');

  await page.getByRole('link', { name: 'Jobs' }).click();
  await page.getByLabel('URL to archive').fill(`${server.url}/harbour-at-night.mp4`);
  await page.getByRole('button', { name: 'Archive', exact: true }).click();

  await page.getByRole('link', { name: 'Library' }).click();
  const thumbnail = page.getByTestId('item-thumbnail');
  await expect(thumbnail).toBeVisible({ timeout: 45_000 });
  await expect.poll(() => thumbnail.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth), { timeout: 10_000 }).toBe(320);
  await page.getByTestId('library-item').click();
  const derived = page.getByTestId('derived-files');
  await expect(derived).toContainText('ThumbnailsPlugin');
  await expect(derived.getByRole('img').first()).toBeVisible();
});
