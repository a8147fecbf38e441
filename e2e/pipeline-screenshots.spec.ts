import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, tempHome } from '../electron/testing/fixtures';
import { startStaticServer } from '../electron/testing/staticServer';
import { expect, test } from './fixtures';

// `npm run screenshots`: a pipeline on RssPlugin's page (with a dry run) and the Library with
// the thumbnails it made, from the real UI against files served on 127.0.0.1.
const shots = path.join(REPO_ROOT, 'docs', 'screenshots');
const builtin = tempHome('haven-shots-pipeline-builtin-');

test.use({ builtinPlugins: [path.join(REPO_ROOT, 'plugins', 'examples'), builtin].join(path.delimiter) });

test('screenshots of a pipeline and of thumbnails in the Library', async ({ haven }) => {
  test.setTimeout(180_000);
  for (const name of ['thumbnails', 'loudness']) {
    fs.cpSync(path.join(REPO_ROOT, 'plugins', name), path.join(builtin, name), { recursive: true, filter: (file) => !/\.test\.ts$/.test(file) });
  }
  const site = tempHome('haven-shots-pipeline-site-');
  const clips = [
    ['harbour-at-night', 'testsrc2'],
    ['lighthouse-keeper-interview', 'smptehdbars'],
    ['storm-over-the-breakwater', 'mandelbrot'],
  ] as const;
  for (const [name, source] of clips) {
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `${source}=size=640x360:rate=25`, '-f', 'lavfi', '-i', 'sine=frequency=300', '-t', '4', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', path.join(site, `${name}.mp4`)]);
  }
  const server = await startStaticServer(site);
  try {
    const { page } = haven;
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${new URL(page.url()).origin}/#/plugins/rss`);
    await page.getByRole('tab', { name: 'Pipeline' }).click();
    for (const name of ['ThumbnailsPlugin', 'LoudnessPlugin']) {
      await page.getByLabel('Processor to add').selectOption(name);
      await page.getByRole('button', { name: 'Add step' }).click();
    }
    await page.getByRole('button', { name: 'Save pipeline' }).click();
    await page.getByRole('link', { name: 'Jobs' }).click();
    for (const [name] of clips) {
      await page.getByLabel('URL to archive').fill(`${server.url}/${name}.mp4`);
      await page.getByRole('button', { name: 'Archive', exact: true }).click();
    }
    await page.getByRole('link', { name: 'Library' }).click();
    await expect(page.getByTestId('item-thumbnail')).toHaveCount(3, { timeout: 90_000 });
    await page.getByTestId('library-item').first().click();
    await expect(page.getByTestId('derived-files')).toContainText('LoudnessPlugin', { timeout: 60_000 });
    await page.screenshot({ path: path.join(shots, 'library-thumbnails-light.png') });
    await page.goto(`${new URL(page.url()).origin}/#/plugins/rss`);
    await page.getByRole('tab', { name: 'Pipeline' }).click();
    await page.getByRole('button', { name: 'Dry run on the newest item' }).click();
    await expect(page.getByTestId('pipeline-dry-run')).toContainText('LoudnessPlugin');
    await page.screenshot({ path: path.join(shots, 'pipeline-light.png') });
  } finally {
    await server.close();
  }
});
