#!/usr/bin/env node
// Builds the benchmarks (TypeScript, with the app's aliases) into out/bench, then runs them.
import { spawnSync } from 'node:child_process';
import { builtinModules } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const deps = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})];

await build({
  configFile: false,
  logLevel: 'warn',
  root,
  resolve: { alias: { '@shared': path.join(root, 'shared'), '@haven/sdk': path.join(root, 'shared/sdk/index.ts') } },
  build: {
    ssr: true,
    outDir: path.join(root, 'out', 'bench'),
    emptyOutDir: true,
    target: 'node20',
    minify: false,
    rollupOptions: {
      input: { run: path.join(root, 'bench', 'run.ts'), 'fanout-server': path.join(root, 'bench', 'fanoutServer.ts'), 'bare-webtorrent': path.join(root, 'bench', 'bareWebtorrent.ts'), 'memory-probe': path.join(root, 'bench', 'memoryProbe.ts') },
      external: [...builtinModules, ...builtinModules.map((m) => `node:${m}`), ...deps, /^zod\//],
      output: { format: 'es', entryFileNames: '[name].js' },
    },
  },
});

const result = spawnSync(process.execPath, [path.join(root, 'out', 'bench', 'run.js'), ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(result.status ?? 1);
