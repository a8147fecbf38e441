import fs from 'node:fs';
import { chromium } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/**
 * Which Chromium to drive, in this order: $PLAYWRIGHT_CHROMIUM, Debian's /usr/bin/chromium,
 * Playwright's own download. No browser is a failure that names the fix, never a skip.
 */
export function findChromium(): string {
  const candidates: [string, string | undefined][] = [
    ['PLAYWRIGHT_CHROMIUM', process.env.PLAYWRIGHT_CHROMIUM],
    ['Debian chromium', '/usr/bin/chromium'],
    ["Playwright's download", safe(() => chromium.executablePath())],
  ];
  for (const [, candidate] of candidates) {
    if (candidate && fs.existsSync(candidate)) return candidate;
  }
  throw new Error(
    'No Chromium found for the e2e tests: install it (`apt-get install -y chromium`), or set PLAYWRIGHT_CHROMIUM to a Chromium binary.',
  );
}

function safe(fn: () => string): string | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}
