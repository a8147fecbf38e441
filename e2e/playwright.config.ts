import { defineConfig } from '@playwright/test';

// The e2e suite drives the real UI in Chromium against a real `haven serve` (see e2e/fixtures.ts).
export default defineConfig({
  testDir: '.',
  outputDir: './.results',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: process.env.CI ? [['list']] : [['list']],
  use: { trace: 'retain-on-failure', screenshot: 'only-on-failure' },
  projects: [
    { name: 'e2e', testMatch: /.*\.spec\.ts$/, testIgnore: /screenshots\.spec\.ts$/ },
    // `npm run screenshots`: refreshes docs/screenshots; not part of the test run.
    { name: 'screenshots', testMatch: /screenshots\.spec\.ts$/ },
  ],
});
