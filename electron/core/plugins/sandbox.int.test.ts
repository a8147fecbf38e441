import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PLUGIN_HOST_ENTRY, tempHome, waitFor, writePluginFolder, type PluginFolderOptions } from '../../testing/fixtures';
import { startCore, type Core } from '../core';

// Issue 12: plugin hosts run under Node's permission model with what the manifest declares.

const running: Core[] = [];
afterEach(async () => {
  for (const core of running.splice(0)) await core.dispose();
});

async function coreWith(home: string, plugins: PluginFolderOptions[], runJobs = false): Promise<Core> {
  for (const plugin of plugins) writePluginFolder(path.join(home, 'plugins'), plugin.name.toLowerCase(), plugin);
  const core = await startCore({
    home,
    host: 'test',
    builtinPluginRoots: [],
    stderrLogLevel: 'off',
    pluginHostEntry: PLUGIN_HOST_ENTRY,
    autoStartPlugins: false,
    runJobs,
    retryPolicy: { baseMs: 50, maxMs: 200, jitter: 0 },
    pluginTimeouts: { apiMs: 5000, host: { shutdownMs: 2000 } },
  });
  running.push(core);
  return core;
}

/** A plugin whose actions each try one thing and answer what happened. */
const prober = `import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import childProcess from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { definePlugin, z } from '@haven/sdk';
// The test passes paths as "target=<path>": an absolute path as an action's input is a file the
// user names, which Core lets the plugin read (the second test).
const action = (label, run) => ({ label, input: { label: 'argument', required: false }, run: async (input) => 'ok: ' + String(await run((input ?? '').replace(/^target=/, ''))).slice(0, 200) });
export default definePlugin({ configSchema: z.object({ output_dir: z.string().optional() }), setup(ctx) { return { actions: {
  read: action('read a file', (file) => fs.readFileSync(file, 'utf8')),
  write: action('write a file', (file) => { fs.mkdirSync(path.dirname(file), { recursive: true }); fs.writeFileSync(file, 'written'); return file; }),
  writeOwn: action('write in its folders', () => { fs.writeFileSync(path.join(ctx.dataDir, 'own.txt'), 'x'); fs.mkdirSync(ctx.outputDir, { recursive: true }); fs.writeFileSync(path.join(ctx.outputDir, 'out.txt.part'), 'x'); fs.renameSync(path.join(ctx.outputDir, 'out.txt.part'), path.join(ctx.outputDir, 'out.txt')); fs.writeFileSync(path.join(os.tmpdir(), 'tmp.txt'), 'x'); return 'wrote'; }),
  spawnSync: action('run a program synchronously', (program) => childProcess.execFileSync(program, ['-version'], { encoding: 'utf8' }).split('\\n')[0]),
  spawnAsync: action('run a program', (program) => new Promise((resolve, reject) => { const child = childProcess.spawn(program, ['-version']); child.on('error', reject); child.on('exit', (code) => resolve('exit ' + code)); })),
  shell: action('run a shell command', (command) => childProcess.execSync(command, { encoding: 'utf8' })),
  ctxSpawn: action('run through ctx.spawn', async (program) => { const child = ctx.spawn(program, ['-version']); return 'exit ' + (await child.exited).code; }),
  shellSync: action('run a declared program through a shell', (program) => childProcess.spawnSync(program, ['-version'], { shell: true, encoding: 'utf8' }).stdout.split('\\n')[0]),
  preload: action('run a declared program with LD_PRELOAD, given and inherited, both ways', async (program) => {
    const env = { PATH: process.env.PATH, LD_PRELOAD: '/nonexistent/haven-test.so' };
    const sync = childProcess.spawnSync(program, ['-version'], { env, encoding: 'utf8' }).stderr;
    const async = await new Promise((resolve) => { let err = ''; const child = childProcess.spawn(program, ['-version'], { env }); child.stderr.on('data', (d) => { err += d; }); child.on('close', () => resolve(err)); });
    process.env.LD_PRELOAD = '/nonexistent/haven-test.so';
    const inherited = childProcess.spawnSync(program, ['-version'], { encoding: 'utf8' }).stderr;
    delete process.env.LD_PRELOAD;
    return [sync, async, inherited].map((stderr) => (stderr.includes('haven-test.so') ? 'preloaded' : 'clean')).join(' ');
  }),
  handle: action('drive a ChildProcess handle by hand', () => { const child = new childProcess.ChildProcess(); return child._handle.spawn({ file: '/bin/sh', args: ['sh', '-c', 'true'], envPairs: [], stdio: [{ type: 'ignore' }, { type: 'ignore' }, { type: 'ignore' }] }); }),
  hooks: action('register module hooks', async () => (await import('node:module')).register('data:text/javascript,export {}')),
  getter: action('answer the shell check one way and Node another', (program) => {
    let reads = 0;
    const options = { encoding: 'utf8', get shell() { reads += 1; return reads > 1 ? '/bin/sh' : undefined; } };
    return childProcess.spawnSync(program, ['-version;', 'echo', 'INJECTED'], options).stdout.includes('INJECTED') ? 'injected' : 'safe';
  }),
  worker: action('read a file from a worker thread', (file) => new Promise((resolve, reject) => {
    const worker = new Worker("const { parentPort, workerData } = require('node:worker_threads'); try { require('node:fs').readFileSync(workerData); parentPort.postMessage('read it'); } catch (e) { parentPort.postMessage(e.code); }", { eval: true, workerData: file });
    worker.once('message', resolve);
    worker.once('error', reject);
  })),
  link: action('have Haven link source to target', async (pair) => { const [source, target] = pair.split('|'); const made = await ctx.linkFile(source, target); return made.ok ? 'linked' : made.code; }),
  plant: action('copy ffprobe into its folder and run the copy', () => { const copy = path.join(ctx.dataDir, 'ffprobe'); fs.copyFileSync('/usr/bin/ffprobe', copy); fs.chmodSync(copy, 0o755); return childProcess.execFileSync(copy, ['-version'], { encoding: 'utf8' }).split('\\n')[0]; }),
} }; } });
`;

async function act(core: Core, plugin: string, action: string, input = ''): Promise<{ ok?: string; code?: string; message?: string }> {
  try {
    return { ok: await core.plugins.runAction(plugin, action, path.isAbsolute(input) ? `target=${input}` : input) };
  } catch (error) {
    const { code, message } = error as { code?: string; message?: string };
    return { code: code ?? 'none', message: message ?? String(error) };
  }
}

describe('the plugin sandbox', () => {
  it('stops reads and writes outside its folders, reading the database, and programs it did not declare; reports each', async () => {
    const home = tempHome();
    const outside = path.join(tempHome('haven-outside-'), 'secret.txt');
    fs.writeFileSync(outside, 'secret');
    const core = await coreWith(home, [
      { name: 'Prober', capabilities: ['ARCHIVE'], manifest: { permissions: { binaries: ['ffprobe'], links: true } }, entry: prober },
      { name: 'NoPrograms', capabilities: ['ARCHIVE'], entry: prober },
    ]);
    await core.plugins.start('Prober');

    // What it may do: its own folders and temp, and the program it declared, both ways.
    expect(await act(core, 'Prober', 'writeOwn')).toEqual({ ok: 'ok: wrote' });
    expect(await act(core, 'Prober', 'spawnSync', 'ffprobe')).toMatchObject({ ok: expect.stringMatching(/^ok: ffprobe version/) });
    expect(await act(core, 'Prober', 'ctxSpawn', 'ffprobe')).toEqual({ ok: 'ok: exit 0' });

    // What it may not: a file outside, the database, writing into HAVEN_HOME, other programs.
    const refused = expect.stringMatching(/blocked by Haven's plugin sandbox/);
    expect(await act(core, 'Prober', 'read', outside)).toEqual({ code: 'FORBIDDEN', message: expect.stringMatching(new RegExp(`sandbox: reading ${outside}`)) });
    expect(await act(core, 'Prober', 'read', core.paths.database)).toMatchObject({ code: 'FORBIDDEN', message: refused });
    expect(await act(core, 'Prober', 'write', path.join(home, 'bin', 'ffmpeg'))).toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/sandbox: writing/) });
    expect(await act(core, 'Prober', 'spawnSync', 'ffmpeg')).toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/may not run "ffmpeg": it is not in permissions.binaries \(ffprobe\)/) });
    expect(await act(core, 'Prober', 'spawnAsync', 'ffmpeg')).toMatchObject({ code: 'FORBIDDEN', message: refused });
    expect(await act(core, 'Prober', 'shell', 'cat /etc/hostname')).toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/may not run "sh"/) });
    expect(await act(core, 'Prober', 'worker', outside)).toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/may not start worker threads/) });
    expect(await act(core, 'Prober', 'shellSync', 'ffprobe')).toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/may not run "sh"/) });
    expect(await act(core, 'Prober', 'preload', 'ffprobe')).toEqual({ ok: 'ok: clean clean clean' });
    expect(await act(core, 'Prober', 'handle')).toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/may not run "sh"/) });
    expect(await act(core, 'Prober', 'hooks')).toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/may not register module hooks/) });
    expect(await act(core, 'Prober', 'getter', 'ffprobe')).toEqual({ ok: 'ok: safe' });
    expect(await act(core, 'Prober', 'plant')).toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/may run ffprobe only from/) });
    expect(fs.readFileSync(outside, 'utf8')).toBe('secret');

    // Links Haven makes for it: to its own files, never to Haven's code or out of its folders.
    const own = path.join(core.paths.downloads, 'prober', 'out.txt');
    const dataDir = path.join(core.paths.pluginData, 'prober');
    expect(await act(core, 'Prober', 'link', `${own}|${path.join(dataDir, 'linked.txt')}`)).toEqual({ ok: 'ok: linked' });
    expect(await act(core, 'Prober', 'link', `${PLUGIN_HOST_ENTRY}|${path.join(dataDir, 'host.js')}`)).toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/may link only to archived media and its own files/) });
    expect(await act(core, 'Prober', 'link', `${own}|${path.join(dataDir, '..', '..', 'haven-copy.db')}`)).toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/may not write/) });
    expect(await act(core, 'NoPrograms', 'link', `${own}|${path.join(dataDir, 'again.txt')}`)).toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/may not make links/) });

    // Each refusal is in the plugin's log, and the plugin keeps running.
    const log = core.pluginLogs.tail('Prober').filter((record) => record.level === 'error').map((record) => record.message);
    expect(log.filter((message) => message.includes("Haven's plugin sandbox")).length).toBeGreaterThanOrEqual(9);
    expect(core.plugins.list().find((p) => p.name === 'Prober')?.state).toBe('running');

    // Without declared programs Node itself refuses any child process.
    await core.plugins.start('NoPrograms');
    expect(await act(core, 'NoPrograms', 'spawnSync', '/usr/bin/ffprobe')).toMatchObject({ code: 'FORBIDDEN', message: refused });
    expect(await act(core, 'NoPrograms', 'read', outside)).toMatchObject({ code: 'FORBIDDEN', message: refused });
  });

  it('follows folder settings, and lets the plugin read a file the user names', async () => {
    const home = tempHome();
    const elsewhere = tempHome('haven-library-');
    const named = path.join(tempHome('haven-named-'), 'list.txt');
    fs.writeFileSync(named, 'named by the user');
    const core = await coreWith(home, [
      {
        name: 'Prober',
        capabilities: ['ARCHIVE'],
        manifest: { permissions: { filesystem: ['${config.output_dir}'] } },
        entry: prober,
      },
    ]);
    await core.plugins.start('Prober');
    const target = path.join(elsewhere, 'videos', 'a.txt');
    expect(await act(core, 'Prober', 'write', target)).toMatchObject({ code: 'FORBIDDEN' });
    // Setting the folder restarts the process with it.
    expect(await core.plugins.setConfig('Prober', { output_dir: path.join(elsewhere, 'videos') }, false)).toMatchObject({ ok: true });
    await waitFor(() => (core.plugins.list().find((p) => p.name === 'Prober')?.state === 'running' ? true : undefined), 10_000, 'Prober to run again');
    expect(await act(core, 'Prober', 'write', target)).toEqual({ ok: `ok: ${target}` });
    // A file the user names as an action's input becomes readable (the process restarts for it).
    expect(await act(core, 'Prober', 'read', named)).toMatchObject({ code: 'FORBIDDEN' });
    expect(await core.plugins.runAction('Prober', 'read', named)).toBe('ok: named by the user');
  });

  it("opens a file to a plugin when the user names it for a job, never when the plugin's own discovery names it; refuses outputs outside its folders", async () => {
    const home = tempHome();
    const secret = path.join(tempHome('haven-outside-'), 'secret.torrent');
    fs.writeFileSync(secret, 'not for plugins');
    const core = await coreWith(
      home,
      [
        {
          name: 'Copier',
          capabilities: ['DISCOVER', 'ARCHIVE'],
          // Archives a local file by copying it; its discovery "finds" the secret, and a source
          // whose uri starts with "db:" makes it claim Haven's database as its output.
          entry: `import fs from 'node:fs';
import path from 'node:path';
import { definePlugin } from '@haven/sdk';
export default definePlugin({ setup(ctx) { return {
  discoverSources: () => ({ sources: [{ sourceId: 'found', mediaType: 'file', uri: ${JSON.stringify(secret)}, metadata: {} }] }),
  archive: (source) => {
    if (source.uri.startsWith('db:')) return { success: true, outputPath: source.uri.slice(3) };
    const out = path.join(ctx.outputDir, source.sourceId + '.torrent');
    fs.mkdirSync(ctx.outputDir, { recursive: true });
    fs.writeFileSync(out, fs.readFileSync(source.uri));
    return { success: true, outputPath: out };
  },
}; } });
`,
        },
      ],
      true,
    );
    // Named by the user, before the plugin ever ran (its copy must survive the first start).
    const named = await core.jobs.waitFor(core.jobs.enqueueArchive('Copier', { sourceId: 'named', mediaType: 'file', uri: secret, metadata: {} }).id);
    expect(named.state).toBe('completed');
    expect(fs.readFileSync(path.join(core.paths.downloads, 'copier', 'named.torrent'), 'utf8')).toBe('not for plugins');
    expect(fs.readdirSync(path.join(core.paths.pluginData, 'copier', 'inbox'))).toEqual([]);

    const discovery = await core.jobs.waitFor(core.jobs.enqueueDiscover('Copier').id);
    expect(discovery.state).toBe('completed');
    const found = core.jobs.list({ plugin: 'Copier' }).jobs.find((job) => job.sourceId === 'found')!;
    const failed = await core.jobs.waitFor(found.id);
    expect(failed).toMatchObject({ state: 'failed', errorClass: 'forbidden', error: expect.stringMatching(new RegExp(`sandbox: reading ${secret}`)) });

    const claimed = await core.jobs.waitFor(core.jobs.enqueueArchive('Copier', { sourceId: 'db', mediaType: 'file', uri: `db:${core.paths.database}`, metadata: {} }).id);
    expect(claimed).toMatchObject({ state: 'failed', error: expect.stringMatching(/outside the folders it may write; not recorded/) });
    expect(fs.existsSync(`${core.paths.database}.haven.json`)).toBe(false);
  });
});
