#!/usr/bin/env node
// The catalog that ships with Haven: the example plugins packed as .havenplugin files, with an
// index (name, version, capabilities, permissions, sha256, engines) in out/catalog/index.json.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'out', 'catalog');
fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out, { recursive: true });
const examples = path.join(root, 'plugins', 'examples');
const plugins = [];
for (const name of fs.readdirSync(examples).sort()) {
  const dir = path.join(examples, name);
  if (!fs.existsSync(path.join(dir, 'plugin.json'))) continue;
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'plugin.json'), 'utf8'));
  const file = `${manifest.name}-${manifest.version}.havenplugin`;
  const result = spawnSync(process.execPath, [path.join(root, 'out', 'main', 'cli.js'), 'plugin', 'pack', dir, '-o', path.join(out, file)], { encoding: 'utf8' });
  if (result.status !== 0) {
    process.stderr.write(result.stderr);
    process.exit(1);
  }
  const sha256 = crypto.createHash('sha256').update(fs.readFileSync(path.join(out, file))).digest('hex');
  plugins.push({
    name: manifest.name,
    version: manifest.version,
    description: manifest.description ?? '',
    ...(manifest.author ? { author: manifest.author } : {}),
    category: manifest.category ?? 'other',
    capabilities: manifest.capabilities ?? [],
    permissions: { network: [], filesystem: [], binaries: [], ...manifest.permissions },
    url: file,
    sha256,
    engines: manifest.engines,
  });
}
fs.writeFileSync(path.join(out, 'index.json'), `${JSON.stringify({ name: 'Haven examples', plugins }, null, 2)}\n`);
process.stdout.write(`built out/catalog/index.json (${plugins.length} plugins)\n`);
