import fs from 'node:fs';
import path from 'node:path';
import { writePluginFolder } from '../electron/testing/fixtures';
import { expect, test } from './fixtures';

test.describe('the shell and the Plugins page', () => {
  test('opens on the Plugins page with the sidebar and a connected status bar', async ({ haven }) => {
    const { page } = haven;
    await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
    for (const name of ['Plugins', 'Jobs', 'Library', 'Settings']) {
      await expect(page.getByRole('link', { name })).toBeVisible();
    }
    await expect(page.getByRole('heading', { level: 1, name: 'Plugins' })).toBeVisible();
    await expect(page.getByTestId('connection-status')).toHaveText('Connected to Core');
    await expect(page.getByTestId('plugins-empty')).toContainText('No plugins yet');
    await expect(page.getByTestId('plugins-empty')).toContainText(path.join(haven.home, 'plugins'));
    // The token leaves the address bar once the page has it.
    expect(new URL(page.url()).searchParams.has('token')).toBe(false);
  });

  test('shows plugins as Core finds them, live, with the reason when one cannot load', async ({ haven }) => {
    const { page } = haven;
    await expect(page.getByTestId('plugins-empty')).toBeVisible();
    writePluginFolder(path.join(haven.home, 'plugins'), 'archiver', {
      name: 'ArchiverPlugin',
      description: 'Archives things for the e2e test',
      capabilities: ['DISCOVER', 'ARCHIVE'],
    });
    const card = page.locator('[data-plugin="ArchiverPlugin"]');
    await expect(card).toBeVisible();
    await expect(card).toContainText('Archives things for the e2e test');
    await expect(card.getByTestId('plugin-state')).toHaveText('Running');
    await expect(card.getByRole('list', { name: 'Capabilities' })).toContainText('discover');

    writePluginFolder(path.join(haven.home, 'plugins'), 'broken', { name: 'BrokenPlugin', version: 'not-semver' });
    const broken = page.locator('[data-plugin="broken"]');
    await expect(broken).toContainText('Cannot load');
    await expect(broken.getByTestId('plugin-error')).toContainText('version: must be a semantic version');
    await expect(page.getByTestId('plugin-count')).toHaveText('2 found, 1 cannot load');

    fs.rmSync(path.join(haven.home, 'plugins', 'archiver'), { recursive: true });
    await expect(card).toHaveCount(0);
  });

  test('refuses requests without the right token', async ({ haven }) => {
    test.skip(!haven.serve, 'the token guards `haven serve` only');
    const origin = haven.serve!.origin;
    const request = haven.page.context().request;
    expect((await request.get(`${origin}/?token=not-the-token-at-all`)).status()).toBe(401);
    const fresh = await haven.page.context().browser()!.newContext();
    try {
      expect((await fresh.request.get(`${origin}/`)).status()).toBe(401);
      expect((await fresh.request.get(`${origin}/assets/`)).status()).toBe(401);
    } finally {
      await fresh.close();
    }
  });

  test('moves between pages with the keyboard and shows empty states', async ({ haven }) => {
    const { page } = haven;
    await expect(page.getByTestId('connection-status')).toHaveText('Connected to Core');
    await page.keyboard.press('Alt+2');
    await expect(page.getByRole('heading', { level: 1, name: 'Jobs' })).toBeVisible();
    await expect(page.getByTestId('jobs-empty')).toBeVisible();
    await page.keyboard.press('Alt+3');
    await expect(page.getByRole('heading', { level: 1, name: 'Library' })).toBeVisible();
    await page.getByRole('link', { name: 'Settings' }).focus();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { level: 1, name: 'Settings' })).toBeVisible();
    await expect(page.getByRole('link', { name: 'Settings' })).toHaveAttribute('aria-current', 'page');
  });

  test('switches to the dark theme and keeps it after a reload', async ({ haven }) => {
    const { page } = haven;
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('radiogroup', { name: 'Theme' }).getByText('Dark').click();
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    await page.reload();
    await expect(page.getByTestId('connection-status')).toHaveText('Connected to Core');
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    await page.getByRole('radio', { name: 'Light' }).focus();
    await page.keyboard.press('Space');
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  });

  test('says what to do when Core goes away, and reconnects when it is back', async ({ haven }) => {
    test.skip(!haven.serve, 'stopping Core from the test needs the web target');
    const { page } = haven;
    await expect(page.getByTestId('connection-status')).toHaveText('Connected to Core');
    await haven.serve!.stop();
    const banner = page.getByTestId('disconnected-banner');
    await expect(banner).toBeVisible();
    await expect(banner).toContainText('Is `haven serve` still running?');
    await expect(page.getByTestId('connection-status')).toHaveText('Disconnected from Core');

    // Retrying while Core is still down keeps the explanation up.
    await page.getByRole('button', { name: 'Retry now' }).click();
    await expect(banner).toContainText('Is `haven serve` still running?');

    await haven.restart();
    // The bridge retries on its own (backoff up to 10 s); no reload, no click needed.
    await expect(page.getByTestId('connection-status')).toHaveText('Connected to Core', { timeout: 20_000 });
    await expect(banner).toHaveCount(0);
  });
});

test.describe('plugins in the UI', () => {
  test('disabling and enabling a plugin from its card, and a refusal explained', async ({ haven }) => {
    const { page } = haven;
    const plugins = path.join(haven.home, 'plugins');
    writePluginFolder(plugins, 'base', { name: 'BasePlugin' });
    writePluginFolder(plugins, 'child', { name: 'ChildPlugin', manifest: { dependencies: { BasePlugin: '^1.0.0' } } });
    const base = page.locator('[data-plugin="BasePlugin"]');
    const child = page.locator('[data-plugin="ChildPlugin"]');
    await expect(child.getByTestId('plugin-state')).toHaveText('Running');

    await base.getByRole('switch', { name: 'Enable BasePlugin' }).click();
    await expect(base.getByTestId('plugin-state')).toHaveText('Disabled');
    await expect(child.getByTestId('plugin-state')).toHaveText('Blocked');
    await expect(child.getByTestId('plugin-error')).toContainText('needs BasePlugin, which is disabled');

    await child.getByRole('switch', { name: 'Enable ChildPlugin' }).click();
    await expect(child.getByTestId('plugin-state')).toHaveText('Disabled');
    await child.getByRole('switch', { name: 'Enable ChildPlugin' }).click();
    await expect(page.getByTestId('plugins-action-error')).toContainText('ChildPlugin needs BasePlugin, which is disabled: enable it first');

    await base.getByRole('switch', { name: 'Enable BasePlugin' }).click();
    await expect(base.getByTestId('plugin-state')).toHaveText('Running');
    await child.getByRole('switch', { name: 'Enable ChildPlugin' }).click();
    await expect(child.getByTestId('plugin-state')).toHaveText('Running');
  });
});
