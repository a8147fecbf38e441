#!/usr/bin/env node
// Builds the TypeScript plugins under plugins/ (those with src/index.ts) into their dist/index.js,
// the way a plugin author would: the SDK stays external (the host provides it), everything else
// the plugin imports is bundled in, so the folder works wherever it is installed.
import { builtinModules } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pluginRoots = [path.join(root, 'plugins'), path.join(root, 'plugins', 'examples')];

const dirs = pluginRoots.flatMap((dir) =>
  fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => path.join(dir, entry.name))
    .filter((pluginDir) => fs.existsSync(path.join(pluginDir, 'src', 'index.ts'))),
);

// Packages the app ships for its built-in plugins (native parts, too big to bundle); the plugin
// host resolves them from the app's node_modules (APP_MODULES in electron/core/plugins/host/loader.ts).
const appModules = ['webtorrent', 'parse-torrent', 'ws', '@livekit/rtc-node', 'werift'];
const external = ['@haven/sdk', ...builtinModules, ...builtinModules.map((name) => `node:${name}`), ...appModules.map((name) => new RegExp(`^${name}(/|$)`))];

for (const dir of dirs) {
  await build({
    configFile: false,
    logLevel: 'warn',
    root: dir,
    resolve: { alias: { '@haven/sdk': '@haven/sdk' } },
    ssr: { noExternal: true, external: ['@haven/sdk', ...appModules] },
    build: {
      ssr: path.join(dir, 'src', 'index.ts'),
      outDir: path.join(dir, 'dist'),
      emptyOutDir: true,
      target: 'node20',
      minify: false,
      sourcemap: false,
      rollupOptions: { external, output: { format: 'es', entryFileNames: 'index.js' } },
    },
  });
  process.stdout.write(`built ${path.relative(root, dir)}/dist/index.js\n`);
}
