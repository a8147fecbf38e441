import fs from 'node:fs';
import path from 'node:path';
import { test as base, type Page } from '@playwright/test';
import { _electron, chromium, type Browser } from 'playwright-core';
import { REPO_ROOT, startServe, tempHome, type ServeProcess } from '../electron/testing/fixtures';
import { CHROMIUM_ARGS, findChromium } from './browser';

/**
 * The app under test. By default: a real `haven serve` in a temporary HAVEN_HOME and Debian's
 * Chromium pointed at its URL. With HAVEN_E2E_TARGET=electron (where an Electron binary
 * exists) the same tests drive the desktop app through Playwright's Electron support.
 */
export interface HavenApp {
  page: Page;
  home: string;
  /** The serve process (web target only). */
  serve?: ServeProcess;
  /** Starts a new serve on the same home and port after `serve.stop()` (web target only). */
  restart(): Promise<void>;
}

type Fixtures = { haven: HavenApp; builtinPlugins: string };
type WorkerFixtures = { browser: Browser };

const target = process.env.HAVEN_E2E_TARGET ?? 'web';

export const test = base.extend<Fixtures, WorkerFixtures>({
  browser: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS, headless: true });
      await use(browser);
      await browser.close();
    },
    { scope: 'worker' },
  ],
  // By default no built-in plugins, so each test controls exactly what Core finds.
  // eslint-disable-next-line no-empty-pattern
  builtinPlugins: async ({}, use) => {
    await use(tempHome('haven-e2e-builtin-'));
  },
  haven: async ({ browser, builtinPlugins }, use) => {
    const home = tempHome('haven-e2e-');
    const env = { HAVEN_BUILTIN_PLUGINS: builtinPlugins };
    if (target === 'electron') {
      const app = await _electron.launch({
        args: [path.join(REPO_ROOT, 'out', 'main', 'index.js')],
        env: { ...process.env, ...env, HAVEN_HOME: home } as Record<string, string>,
      });
      const page = await app.firstWindow();
      await use({ page, home, restart: () => Promise.reject(new Error('restart is web-only')) });
      await app.close();
      return;
    }
    let serve = await startServe({ home, env });
    const context = await browser.newContext();
    const page = await context.newPage();
    const app: HavenApp = {
      page,
      home,
      serve,
      async restart() {
        const port = new URL(serve.origin).port;
        serve = await startServe({ home, env, args: ['--port', port, '--token', serve.token] });
        app.serve = serve;
      },
    };
    await page.goto(serve.url);
    await use(app);
    await context.close();
    await app.serve?.stop();
    fs.rmSync(home, { recursive: true, force: true });
  },
});

export const expect = test.expect;
