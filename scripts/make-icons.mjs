#!/usr/bin/env node
// Renders the app icon (renderer/public/favicon.svg) and the tray icons to PNG with Chromium:
// build/icon.png (1024 px; electron-builder makes .icns and .ico from it), build/icons/NxN.png
// for Linux, and resources/tray/<state>.png (+ @2x, and macOS template images).
// Run after changing the artwork: `node scripts/make-icons.mjs`. The PNGs are committed.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const appSvg = fs.readFileSync(path.join(root, 'renderer', 'public', 'favicon.svg'), 'utf8');

const HOUSE = 'M16 30 32 16l16 14v18H38V36H26v12H16z';
// One badge per tray state; the template (macOS) versions are black shapes on transparent.
const BADGES = {
  idle: '',
  active: '<circle cx="50" cy="50" r="12" fill="#2f9e44" stroke="#fff" stroke-width="3"/><path d="M50 43v12m-5-5 5 5 5-5" stroke="#fff" stroke-width="3" fill="none" stroke-linecap="round"/>',
  recording: '<circle cx="50" cy="50" r="12" fill="#e03131" stroke="#fff" stroke-width="3"/>',
  error: '<circle cx="50" cy="50" r="12" fill="#f08c00" stroke="#fff" stroke-width="3"/><path d="M50 43v8" stroke="#fff" stroke-width="3.5" stroke-linecap="round"/><circle cx="50" cy="56" r="2" fill="#fff"/>',
};

const TEMPLATE_BADGES = {
  idle: '',
  active: '<path d="M50 38v18m-8-8 8 8 8-8" stroke="#000" stroke-width="5" fill="none" stroke-linecap="round"/>',
  recording: '<circle cx="50" cy="50" r="11" fill="#000"/>',
  error: '<path d="M50 38v12" stroke="#000" stroke-width="6" stroke-linecap="round"/><circle cx="50" cy="59" r="3.5" fill="#000"/>',
};

function traySvg(state, template) {
  const body = template
    ? `<path d="${HOUSE}" fill="#000"/>${TEMPLATE_BADGES[state]}`
    : `<rect width="64" height="64" rx="14" fill="#4f6bed"/><path d="${HOUSE}" fill="#fff"/>${BADGES[state]}`;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">${body}</svg>`;
}

async function render(page, svg, size, file) {
  await page.setViewportSize({ width: size, height: size });
  const html = `<html><body style="margin:0;background:transparent">${svg.replace('<svg ', `<svg width="${size}" height="${size}" `)}</body></html>`;
  await page.setContent(html);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await page.screenshot({ path: file, omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } });
}

const browser = await chromium.launch({ executablePath: process.env.PLAYWRIGHT_CHROMIUM ?? '/usr/bin/chromium' });
try {
  const page = await browser.newPage();
  await render(page, appSvg, 1024, path.join(root, 'build', 'icon.png'));
  for (const size of [16, 32, 48, 64, 128, 256, 512]) await render(page, appSvg, size, path.join(root, 'build', 'icons', `${size}x${size}.png`));
  for (const state of Object.keys(BADGES)) {
    await render(page, traySvg(state, false), 16, path.join(root, 'resources', 'tray', `${state}.png`));
    await render(page, traySvg(state, false), 32, path.join(root, 'resources', 'tray', `${state}@2x.png`));
    await render(page, traySvg(state, true), 16, path.join(root, 'resources', 'tray', `${state}Template.png`));
    await render(page, traySvg(state, true), 32, path.join(root, 'resources', 'tray', `${state}Template@2x.png`));
  }
} finally {
  await browser.close();
}
process.stdout.write('icons written to build/ and resources/tray/\n');
