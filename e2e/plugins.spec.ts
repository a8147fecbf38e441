import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, runHaven } from '../electron/testing/fixtures';
import { HELLO_ENTRY, HELLO_MANIFEST, rawZip } from '../electron/testing/rawZip';
import { dropFile } from './dropFile';
import { expect, test } from './fixtures';

// The plugin manager against a real `haven serve` with the built-in plugins (and Haven's own
// catalog of the examples, which are therefore not installed).
test.use({ builtinPlugins: path.join(REPO_ROOT, 'plugins') });

test('the catalog shows the built-in plugins, and the examples as available', async ({ haven }) => {
  const { page } = haven;
  for (const name of ['YouTubePlugin', 'BitTorrentPlugin', 'PumpFunPlugin', 'OpenRingPlugin', 'LiveStreamPlugin', 'ThumbnailsPlugin', 'LoudnessPlugin', 'RemuxPlugin', 'SubtitlesPlugin', 'MediaServerPlugin']) {
    await expect(page.locator(`[data-plugin="${name}"]`)).toBeVisible();
  }
  await page.getByRole('tab', { name: /Available/ }).click();
  await expect(page.getByTestId('catalog-card')).toHaveCount(2);
  const hello = page.locator('[data-testid="catalog-card"][data-plugin="HelloPlugin"]');
  await hello.getByRole('button', { name: 'Install…' }).click();
  const dialog = page.getByTestId('install-dialog');
  await expect(dialog).toContainText('Install HelloPlugin 1.0.0?');
  await dialog.getByRole('button', { name: 'Install' }).click();
  await expect(page.getByTestId('install-done')).toContainText('HelloPlugin is installed and enabled.');
  await dialog.getByRole('button', { name: 'Open HelloPlugin' }).click();
  await expect(page.locator('#plugin-title')).toHaveText('HelloPlugin');
  // Its README, rendered.
  await expect(page.locator('.readme')).toContainText('The smallest useful Haven plugin');
});

test('YouTubePlugin settings: an invalid value is caught as you type, a fixed one is saved and kept', async ({ haven }) => {
  const { page } = haven;
  await page.locator('[data-plugin="YouTubePlugin"]').getByRole('link', { name: 'YouTubePlugin' }).click();
  await page.getByRole('tab', { name: 'Settings' }).click();
  const maxVideos = page.getByLabel('Max videos');
  await expect(maxVideos).toHaveValue('50');
  await maxVideos.fill('-5');
  const field = page.locator('[data-field="max_videos"]');
  await expect(field.getByRole('alert')).toHaveText('At least 0.');
  await expect(maxVideos).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByRole('button', { name: 'Save settings' })).toBeDisabled();
  await maxVideos.fill('12');
  await expect(field.getByRole('alert')).toHaveCount(0);

  // Lists are chips; Core's own check (a template leaving output_dir) comes back to its field.
  const channels = page.locator('#field-channel_ids');
  await channels.fill('UCabc, @someone');
  await channels.press('Enter');
  await expect(page.locator('[data-field="channel_ids"] .chip')).toHaveText(['UCabc×', '@someone×']);
  await page.getByLabel('Output template').fill('../../escape/%(id)s.%(ext)s');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.locator('[data-field="output_template"]').getByRole('alert')).toContainText('must stay inside output_dir');
  await page.getByLabel('Output template').fill('%(title)s [%(id)s].%(ext)s');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();

  await page.reload();
  await page.getByRole('tab', { name: 'Settings' }).click();
  await expect(page.getByLabel('Max videos')).toHaveValue('12');
  await expect(page.locator('[data-field="channel_ids"] .chip')).toHaveText(['UCabc×', '@someone×']);
  await expect(page.getByLabel('Output template')).toHaveValue('%(title)s [%(id)s].%(ext)s');
});

test('dropping a package installs it after the dialog shows what it may do', async ({ haven }) => {
  const { page } = haven;
  const zone = page.getByTestId('drop-zone');
  await expect(zone).toBeVisible();
  const bytes = rawZip([
    { name: 'plugin.json', data: JSON.stringify(HELLO_MANIFEST) },
    { name: 'index.js', data: HELLO_ENTRY },
    { name: 'README.md', data: '# ZipPlugin\n\nArrived by drag and drop.' },
  ]);
  const dialog = page.getByTestId('install-dialog');
  const staging = path.join(haven.home, 'plugins', '.staging');
  // Declined with Escape: the dialog closes and Core forgets the staged package.
  await dropFile(page, 'zip-plugin.havenplugin', bytes);
  await expect(dialog).toContainText('Install ZipPlugin 1.0.0?');
  await expect(dialog.getByRole('button', { name: 'Install' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect.poll(() => fs.readdirSync(staging), { timeout: 5_000 }).toEqual([]);

  await dropFile(page, 'zip-plugin.havenplugin', bytes);
  await expect(zone).not.toHaveClass(/active/);
  await expect(dialog).toContainText('Install ZipPlugin 1.0.0?');
  await expect(dialog.getByTestId('install-network')).toHaveText('api.example.com');
  await expect(dialog.getByTestId('install-binaries')).toHaveText('ffmpeg');
  await dialog.getByRole('button', { name: 'Install' }).click();
  await expect(page.getByTestId('install-done')).toBeVisible();
  await dialog.getByRole('button', { name: 'Done' }).click();
  const card = page.locator('[data-plugin="ZipPlugin"]');
  await expect(card.getByTestId('plugin-state')).toHaveText('Running');
  await expect(card.getByRole('switch', { name: 'Enable ZipPlugin' })).toBeChecked();
  await expect(card.locator('.dot-health-pass')).toBeVisible({ timeout: 15_000 });
  expect(fs.existsSync(path.join(haven.home, 'plugins', 'zip', 'index.js'))).toBe(true);
});

test('the hello example, packed by `haven plugin pack`, installs by drag and drop and passes its health check', async ({ haven }) => {
  const { page } = haven;
  const out = path.join(haven.home, 'hello.havenplugin');
  const packed = await runHaven(['plugin', 'pack', path.join(REPO_ROOT, 'plugins', 'examples', 'hello'), '-o', out]);
  expect(packed.code, packed.stderr).toBe(0);
  // Dropped on the Jobs page: anywhere on the window will do.
  await page.getByRole('link', { name: 'Jobs' }).click();
  await dropFile(page, 'hello.havenplugin', fs.readFileSync(out), 'window');
  const dialog = page.getByTestId('install-dialog');
  await expect(dialog).toContainText('Install HelloPlugin 1.0.0?');
  await expect(dialog).toContainText('by Haven');
  await expect(dialog.getByTestId('install-network')).toHaveText('no network hosts');
  await expect(dialog.getByTestId('install-binaries')).toHaveText('no programs');
  await dialog.getByRole('button', { name: 'Install' }).click();
  await dialog.getByRole('button', { name: 'Done' }).click();
  await page.getByRole('link', { name: 'Plugins' }).click();
  const card = page.locator('[data-testid="plugin-card"][data-plugin="HelloPlugin"]');
  await expect(card.getByRole('switch', { name: 'Enable HelloPlugin' })).toBeChecked();
  await expect(card.locator('.dot-health-pass')).toBeVisible({ timeout: 15_000 });
  // Installed now, so the catalog offers it no more.
  await page.getByRole('tab', { name: /Available/ }).click();
  await expect(page.locator('[data-testid="catalog-card"][data-plugin="HelloPlugin"]')).toContainText('installed 1.0.0');
});

test('a package that tries to write outside its folder is refused, and nothing is written', async ({ haven }) => {
  const { page } = haven;
  const before = fs.readdirSync(path.join(haven.home, 'plugins'));
  const evil = rawZip([
    { name: 'plugin.json', data: JSON.stringify({ ...HELLO_MANIFEST, name: 'EvilPlugin' }) },
    { name: 'index.js', data: HELLO_ENTRY },
    { name: '../../escaped.js', data: 'owned' },
  ]);
  await dropFile(page, 'evil.havenplugin', evil);
  const dialog = page.getByTestId('install-dialog');
  await expect(dialog.getByTestId('install-error')).toContainText('the package is not safe to install');
  await expect(dialog.getByRole('button', { name: 'Install' })).toHaveCount(0);
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  expect(fs.readdirSync(path.join(haven.home, 'plugins'))).toEqual(before);
  expect(fs.readdirSync(path.join(haven.home, 'plugins', '.staging'))).toEqual([]);
  for (const dir of [haven.home, path.dirname(haven.home), path.join(haven.home, 'plugins')]) {
    expect(fs.existsSync(path.join(dir, 'escaped.js'))).toBe(false);
  }
  // A file that is not a package goes to the plugins that archive files; none here takes it.
  await dropFile(page, 'notes.txt', Buffer.from('hello'));
  await expect(page.getByTestId('toast').filter({ hasText: 'notes.txt cannot be archived' })).toContainText('no enabled plugin archives files like notes.txt');
  await expect(dialog).toHaveCount(0);
});

test('a plugin page shows its permissions, health history, log, and runs its tests', async ({ haven }) => {
  const { page } = haven;
  await page.goto(`${new URL(page.url()).origin}/#/plugins/youtube`);
  await expect(page.locator('#plugin-title')).toHaveText('YouTubePlugin');
  await page.getByRole('tab', { name: 'Permissions' }).click();
  await expect(page.getByText('any host')).toBeVisible();
  await expect(page.getByText('yt-dlp', { exact: true })).toBeVisible();
  await page.getByRole('tab', { name: 'Test' }).click();
  await page.getByRole('button', { name: 'Run health check' }).click();
  // Debian's yt-dlp is from 2023: too old for YouTube, which the check says.
  await expect(page.getByTestId('test-health')).toContainText('warn: yt-dlp 2023.03.04 is');
  await page.getByRole('tab', { name: 'Health' }).click();
  await expect(page.getByTestId('health-history').locator('li').first()).toContainText('warn');
  await page.getByRole('tab', { name: 'Log' }).click();
  await expect(page.getByRole('combobox', { name: 'Log level' })).toBeVisible();
});
