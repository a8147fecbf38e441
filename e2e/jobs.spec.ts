import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { REPO_ROOT, tempHome } from '../electron/testing/fixtures';
import { startStaticServer, throttledFile, type StaticServer } from '../electron/testing/staticServer';
import { expect, test } from './fixtures';

// A real download from a server on 127.0.0.1, through the RSS example plugin, watched in the UI.
let server: StaticServer;
let media: string;

test.use({ builtinPlugins: path.join(REPO_ROOT, 'plugins', 'examples') });

test.beforeAll(async () => {
  const root = tempHome('haven-e2e-site-');
  media = path.join(root, 'lighthouse-at-dawn.mp3');
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=30', '-b:a', '128k', media]);
  server = await startStaticServer(root, [throttledFile('/slow/lighthouse-at-dawn.mp3', media, 160 * 1024)]);
});

test.afterAll(async () => {
  await server.close();
});

test('a job shows its progress moving while a real download runs, then the item is found in the Library', async ({ haven }) => {
  const { page } = haven;
  await page.getByRole('link', { name: 'Jobs' }).click();
  await expect(page.getByTestId('jobs-empty')).toBeVisible();
  await page.getByLabel('URL to archive').fill(`${server.url}/slow/lighthouse-at-dawn.mp3`);
  await page.getByRole('button', { name: 'Archive', exact: true }).click();

  const row = page.locator('[data-testid="job-row"][data-state="running"]');
  const bar = row.getByRole('progressbar');
  await expect(bar).toBeVisible();
  await expect(page.getByTestId('active-jobs-badge')).toHaveText('1');
  const seen = new Set<number>();
  await expect
    .poll(
      async () => {
        const value = await bar.getAttribute('aria-valuenow').catch(() => null);
        if (value !== null) seen.add(Number(value));
        return seen.size;
      },
      { timeout: 20_000, intervals: [100] },
    )
    .toBeGreaterThanOrEqual(3);
  const values = [...seen];
  expect(values).toEqual([...values].sort((a, b) => a - b));
  await expect(row.locator('.progress-text')).toContainText(/KiB\/s|MiB\/s/);

  await expect(page.locator('[data-testid="job-row"][data-state="completed"]')).toHaveCount(0);
  await page.getByRole('tab', { name: /Completed/ }).click();
  await expect(page.locator('[data-testid="job-row"][data-state="completed"]')).toHaveCount(1, { timeout: 30_000 });
  await expect(page.getByTestId('toast')).toContainText('Archived');

  await page.locator('[data-testid="job-row"][data-state="completed"]').click();
  await expect(page.getByTestId('job-trace')).toContainText('completed: saved');

  await page.getByRole('link', { name: 'Library' }).click();
  await page.getByLabel('Search the library').fill('lighthou');
  const item = page.getByTestId('library-item');
  await expect(item).toHaveCount(1);
  await expect(item).toContainText('lighthouse-at-dawn.mp3');
  await page.getByLabel('Search the library').fill('nothing-like-this');
  await expect(page.getByTestId('library-no-match')).toBeVisible();
  await page.getByLabel('Search the library').fill('dawn');
  await item.click();
  const detail = page.getByTestId('item-detail');
  await expect(detail).toContainText(/SHA-256/);
  // The file is served to the player from Core, with the token cookie.
  const src = await detail.locator('audio').getAttribute('src');
  const response = await page.request.get(new URL(src!, page.url()).toString(), { headers: { Range: 'bytes=0-99' } });
  expect(response.status()).toBe(206);
  expect((await response.body()).length).toBe(100);

  // `#/library/<id>` (what a clicked notification opens) shows that item, from a fresh page.
  const itemId = /\/files\/(\d+)/.exec(src!)?.[1];
  expect(itemId).toBeDefined();
  await page.goto(new URL(`#/library/${itemId}`, page.url()).toString());
  await page.reload();
  await expect(page.getByTestId('item-detail')).toContainText('lighthouse-at-dawn.mp3');
});

test('a failed job says why, in the Failed tab', async ({ haven }) => {
  const { page } = haven;
  await page.getByRole('link', { name: 'Jobs' }).click();
  await page.getByLabel('URL to archive').fill(`${server.url}/missing/episode.mp3`);
  await page.getByRole('button', { name: 'Archive', exact: true }).click();
  await page.getByRole('tab', { name: /Failed/ }).click();
  const failed = page.locator('[data-testid="job-row"][data-state="failed"]');
  await expect(failed).toContainText('not_found', { timeout: 20_000 });
  await expect(failed).toContainText('HTTP 404');
  await page.getByLabel('URL to archive').fill(`${server.url}/page.html`);
  await page.getByRole('button', { name: 'Archive', exact: true }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'no enabled plugin claims' })).toBeVisible();
});

test('the Jobs page stays a short DOM with 10,000 jobs', async ({ haven }) => {
  const { page } = haven;
  const db = new Database(path.join(haven.home, 'haven.db'));
  const insert = db.prepare(
    "INSERT INTO jobs (id, plugin, kind, state, priority, source_id, title, max_retries, created_at, updated_at, finished_at) VALUES (?, 'RssPlugin', 'archive', 'skipped', 0, ?, ?, 3, ?, ?, ?)",
  );
  const now = Date.now();
  db.transaction(() => {
    for (let i = 0; i < 10_000; i++) insert.run(`jbulk${i}`, `s${i}`, `Bulk item ${i}`, now, now - i, now);
  })();
  db.close();
  await page.reload();
  await page.getByRole('link', { name: 'Jobs' }).click();
  await page.getByRole('tab', { name: /Skipped/ }).click();
  await expect(page.getByRole('tab', { name: /Skipped/ })).toContainText('10000');
  await expect(page.getByTestId('job-row').first()).toBeVisible();
  expect(await page.getByTestId('job-row').count()).toBeLessThan(60);
  const list = page.getByTestId('job-list');
  await list.evaluate((element) => element.scrollTo(0, element.scrollHeight));
  await expect(page.getByRole('button', { name: /Show more/ })).toBeVisible();
  expect(await page.getByTestId('job-row').count()).toBeLessThan(60);
  expect(fs.existsSync(path.join(haven.home, 'haven.db'))).toBe(true);
});
