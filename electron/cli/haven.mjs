#!/usr/bin/env node
// The `haven` command. It runs the built CLI; `npm install` builds it (the `prepare` script).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const entry = fileURLToPath(new URL('../../out/main/cli.js', import.meta.url));
if (!existsSync(entry)) {
  process.stderr.write('haven: Haven is not built yet; run `npm run build` in the Haven folder (npm install does it).\n');
  process.exit(1);
}
await import(pathToFileURL(entry).href);
