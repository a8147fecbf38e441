import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline/promises';
import type { PackagePreview } from '@shared/domain/packages';
import { HavenError } from '@shared/ipc/errors';
import { PluginName, pluginShortId } from '@shared/sdk/manifest';
import { packPlugin } from '../../core/plugins/packages/pack';
import type { CoreSession } from '../coreSession';
import { formatBytes, printJson, printLine } from '../output';

export async function packCommand(dir: string, flags: { output?: string; json?: boolean }): Promise<void> {
  const result = await packPlugin(dir, flags.output);
  if (flags.json) printJson({ file: result.file, name: result.manifest.name, version: result.manifest.version, files: result.files, bytes: result.bytes });
  else printLine(`packed ${result.manifest.name} ${result.manifest.version}: ${result.file} (${result.files} files, ${formatBytes(result.bytes)})`);
}

export function describePreview(preview: PackagePreview): string[] {
  const m = preview.manifest;
  const lines = [
    `${m.name} ${m.version}${m.author ? ` by ${m.author}` : ''}`,
    ...(m.description ? [`  ${m.description}`] : []),
    `  capabilities: ${m.capabilities.join(', ') || 'none'}`,
    `  may reach:    ${m.permissions.network.join(', ') || 'no network hosts'}`,
    `  may run:      ${m.permissions.binaries.join(', ') || 'no programs'}`,
    `  folders:      ${m.permissions.filesystem.join(', ') || 'only its own'}`,
    ...(m.permissions.links ? ['  links:        may link to files it reads, and so change them'] : []),
    ...(m.permissions.addons ? ['  native code:  yes (addons are outside the sandbox)'] : []),
    `  size:         ${preview.files} files, ${formatBytes(preview.unpackedBytes)} (sha256 ${preview.sha256.slice(0, 16)}…)`,
  ];
  for (const dep of preview.dependencies) {
    lines.push(`  needs:        ${dep.name} ${dep.range}: ${dep.status === 'met' ? `ok (${dep.installedVersion})` : dep.status}`);
  }
  if (preview.replaces) lines.push(`  replaces:     ${m.name} ${preview.replaces.version} (${preview.replaces.direction}, ${preview.replaces.origin})`);
  for (const problem of preview.problems) lines.push(`  cannot install: ${problem}`);
  return lines;
}

async function confirm(question: string): Promise<boolean> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

/** `haven plugin install FILE|DIR|URL`: check, show what it asks for, ask, install. */
export async function installCommand(session: CoreSession, target: string, flags: { yes?: boolean; json?: boolean; sha256?: string }): Promise<void> {
  const isUrl = /^https?:\/\//i.test(target);
  const preview = await session.client.call('packages.stage', isUrl ? { url: target, ...(flags.sha256 ? { sha256: flags.sha256 } : {}) } : { path: path.resolve(target), ...(flags.sha256 ? { sha256: flags.sha256 } : {}) }, { timeoutMs: 120_000 });
  if (!flags.json) for (const line of describePreview(preview)) printLine(line);
  if (preview.problems.length > 0) throw new HavenError('CONFLICT', `${preview.manifest.name} cannot be installed: ${preview.problems.join('; ')}`);
  if (!flags.yes) {
    if (!process.stdin.isTTY) throw new HavenError('INVALID_INPUT', 'add --yes to install without being asked');
    if (!(await confirm(`Install ${preview.manifest.name} ${preview.manifest.version}? [y/N] `))) throw new HavenError('CANCELLED', 'not installed');
  }
  const summary = await session.client.call('packages.install', { stagingId: preview.stagingId }, { timeoutMs: 120_000 });
  if (flags.json) printJson({ preview, installed: summary });
  else printLine(`installed ${summary.name} ${summary.version}${preview.replaces ? ` (${preview.replaces.direction} from ${preview.replaces.version})` : ''}`);
}

export async function uninstallCommand(session: CoreSession, name: string, flags: { deleteData?: boolean }): Promise<void> {
  const result = await session.client.call('plugins.uninstall', { name, deleteData: flags.deleteData ?? false });
  printLine(`uninstalled ${result.name}${result.deletedData ? ' and deleted its data' : ' (its settings and data are kept; --delete-data removes them)'}`);
}

/** `haven plugin create NAME`: a plugin folder from the SDK template, with a test that runs it in Haven. */
export function createCommand(name: string, flags: { dir?: string }): void {
  if (!PluginName.safeParse(name).success) throw new HavenError('INVALID_INPUT', `${name} is not a plugin name: letters, digits, - and _, starting with a letter`);
  const dir = path.resolve(flags.dir ?? pluginShortId(name));
  if (fs.existsSync(dir) && fs.readdirSync(dir).length > 0) throw new HavenError('CONFLICT', `${dir} exists and is not empty`);
  fs.mkdirSync(dir, { recursive: true });
  const id = pluginShortId(name);
  const files: Record<string, string> = {
    'plugin.json': `${JSON.stringify(
      {
        name,
        version: '0.1.0',
        description: `${name}: describe what it archives.`,
        author: '',
        license: 'MIT',
        category: 'other',
        engines: { haven: '>=0.1.0' },
        capabilities: ['DISCOVER', 'ARCHIVE'],
        permissions: { network: [], binaries: [] },
        urlPatterns: [],
        main: 'index.js',
      },
      null,
      2,
    )}\n`,
    'index.js': `// ${name}: a Haven plugin. The SDK's guide: docs/plugins.md in Haven's repository.
import { definePlugin, z } from '@haven/sdk';

export default definePlugin({
  configSchema: z.object({
    greeting: z.string().default('hello').describe('An example setting.'),
  }),

  setup(ctx) {
    return {
      healthCheck() {
        return { status: 'pass', componentId: ctx.name, output: \`ready (\${ctx.config.greeting})\` };
      },

      // Find what to archive: return sources, and say why you skip the rest.
      async discoverSources() {
        return { sources: [], skipped: [] };
      },

      // Save one source. Write NAME.part, then rename it, so a half file never looks done.
      async archive(source, job) {
        job.progress({ phase: 'starting' });
        throw new Error(\`archive is not written yet (asked for \${source.uri})\`);
      },
    };
  },
});
`,
    'README.md': `# ${name}\n\nWhat it archives, and how to configure it.\n\n## Develop\n\n- Link this folder into Haven: copy it into \`$HAVEN_HOME/plugins/\` or add its parent folder under Settings → Plugin folders.\n- \`haven plugins test ${id}\` runs its health check; \`--discover\` and \`--archive URL\` try the rest.\n- \`node --test\` runs \`test.mjs\`, which starts Haven with this plugin in a temporary HAVEN_HOME.\n- \`haven plugin pack .\` makes a \`.havenplugin\` to share.\n`,
    'test.mjs': `// Runs this plugin inside a real Haven, in a temporary HAVEN_HOME: node --test
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

const here = path.dirname(new URL(import.meta.url).pathname);
const haven = process.env.HAVEN_CLI ?? 'haven';

test('${name} loads in Haven and is healthy', () => {
  const home = mkdtempSync(path.join(os.tmpdir(), 'haven-plugin-test-'));
  cpSync(here, path.join(home, 'plugins', '${id}'), { recursive: true });
  const [command, ...args] = haven.endsWith('.mjs') || haven.endsWith('.js') ? [process.execPath, haven] : [haven];
  const out = execFileSync(command, [...args, 'plugins', 'test', '${id}', '--json'], { env: { ...process.env, HAVEN_HOME: home } });
  const report = JSON.parse(out.toString());
  assert.equal(report.health.result.status, 'pass');
});
`,
  };
  for (const [file, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, file), content);
  printLine(`created ${name} in ${dir}: plugin.json, index.js, README.md, test.mjs`);
}
