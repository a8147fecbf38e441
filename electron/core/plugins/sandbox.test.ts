import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PluginManifest } from '@shared/sdk/manifest';
import { allowsRead, declaredFolders, expandFolder, minimalRoots, nodeModulesAbove, permissionFlags, planSandbox, unsafeFolder, type SandboxInput } from './sandbox';

const context = { havenHome: '/h', userHome: '/home/ann', config: { output_dir: '/media/videos', empty: '', count: 3 } };

function manifest(extra: Record<string, unknown> = {}): PluginManifest {
  return PluginManifest.parse({ name: 'TestPlugin', version: '1.0.0', engines: { haven: '>=0.1.0' }, capabilities: ['ARCHIVE'], ...extra });
}

function input(m: PluginManifest, extra: Partial<SandboxInput> = {}): SandboxInput {
  return {
    manifest: m,
    config: { output_dir: '/media/videos' },
    havenHome: '/h',
    userHome: '/home/ann',
    pluginDir: '/h/plugins/test',
    hostEntry: '/app/out/main/plugin-host.js',
    dataDir: '/h/plugin-data/test',
    outputDir: '/h/downloads/test',
    binDirs: ['/h/bin'],
    searchPath: ['/usr/bin', 'relative/bin', '/bin'].join(path.delimiter),
    libraryRoots: ['/h/downloads', '/library'],
    derivedRoot: '/h/derived',
    extraRead: [],
    ...extra,
  };
}

const noModules = (): boolean => false;

describe('expandFolder', () => {
  it('expands ~, $HAVEN_HOME and settings', () => {
    expect(expandFolder('~/Videos', context)).toBe('/home/ann/Videos');
    expect(expandFolder('~', context)).toBe('/home/ann');
    expect(expandFolder('$HAVEN_HOME/bin', context)).toBe('/h/bin');
    expect(expandFolder('${config.output_dir}/raw', context)).toBe('/media/videos/raw');
  });

  it('drops what it cannot place: unset or non-text settings, relative results, lookalike variables', () => {
    expect(expandFolder('${config.missing}', context)).toBeUndefined();
    expect(expandFolder('${config.empty}', context)).toBeUndefined();
    expect(expandFolder('${config.count}', context)).toBeUndefined();
    expect(expandFolder('videos', context)).toBeUndefined();
    expect(expandFolder('$HAVEN_HOMEX/a', context)).toBeUndefined();
    expect(expandFolder('/media/../etc', context)).toBe('/etc');
  });
});

describe('folder settings', () => {
  it('are taken as they are: ~ and $HAVEN_HOME in a value are not expanded', () => {
    expect(expandFolder('${config.output_dir}', { ...context, config: { output_dir: '~' } })).toBeUndefined();
    expect(expandFolder('${config.output_dir}', { ...context, config: { output_dir: '$HAVEN_HOME' } })).toBeUndefined();
  });

  it("refuse the root, the home folder, Haven's folder, a folder holding it, or one inside it but downloads", () => {
    const where = { havenHome: '/home/ann/.haven', userHome: '/home/ann' };
    expect(unsafeFolder('/', where)).toMatch(/root/);
    expect(unsafeFolder('/home/ann', where)).toMatch(/whole home folder/);
    expect(unsafeFolder('/home/ann/.haven', where)).toMatch(/Haven's own folder/);
    expect(unsafeFolder('/home', where)).toMatch(/holds it/);
    expect(unsafeFolder('/home/ann/.haven/plugin-data/other', where)).toMatch(/except its downloads and derived folders/);
    expect(unsafeFolder('/home/ann/.haven/downloads/videos', where)).toBeUndefined();
    expect(unsafeFolder('/home/ann/Videos', where)).toBeUndefined();
    expect(unsafeFolder('/home/ann/.havenx', where)).toBeUndefined();
  });

  it('are left out of the sandbox when unsafe (a value stored before the check)', () => {
    const m = manifest({ permissions: { filesystem: ['${config.output_dir}', '$HAVEN_HOME/derived'] } });
    expect(declaredFolders(m, { havenHome: '/h', userHome: '/home/ann', config: { output_dir: '/' } })).toEqual(['/h/derived']);
  });
});

describe('planSandbox', () => {
  it('gives a plain plugin its own folders and the code it runs, no programs, no addons', () => {
    const plan = planSandbox(input(manifest()), noModules);
    expect(plan.write).toEqual(['/h/downloads/test', '/h/plugin-data/test']);
    expect(plan.read).toEqual(['/app/out/main', '/h/downloads/test', '/h/plugin-data/test', '/h/plugins/test']);
    expect(plan).toMatchObject({ childProcess: false, addons: false, programFiles: [] });
    expect(allowsRead(plan, '/h/haven.db')).toBe(false);
    expect(allowsRead(plan, '/h/plugin-data/test/state.json')).toBe(true);
    expect(allowsRead(plan, '/h/plugin-data/tester')).toBe(false);
  });

  it('adds declared folders, the search path with programs, and library roots for processors', () => {
    const m = manifest({
      capabilities: ['PROCESS'],
      processes: { accepts: ['video/*'], produces: ['thumbnail'] },
      permissions: { filesystem: ['${config.output_dir}', '${config.unset}'], binaries: ['ffmpeg'], programFiles: ['${config.tool}'], addons: true },
    });
    const plan = planSandbox(input(m, { config: { output_dir: '/media/videos', tool: '/opt/tool/bin/run' }, extraRead: ['/tmp/dropped'] }), noModules);
    expect(plan.write).toEqual(['/h/derived', '/h/downloads/test', '/h/plugin-data/test', '/media/videos']);
    expect(plan.read).toEqual(expect.arrayContaining(['/usr/bin', '/bin', '/h/bin', '/library', '/h/downloads', '/opt/tool/bin/run', '/tmp/dropped']));
    expect(plan.read).not.toContain('relative/bin');
    // Nested folders collapse into the outer one.
    expect(plan.read).not.toContain('/h/downloads/test');
    expect(plan).toMatchObject({ childProcess: true, addons: true, programFiles: ['/opt/tool/bin/run'] });
  });

  it('lets module resolution read every node_modules above the host and the plugin', () => {
    const existing = new Set(['/app/node_modules', '/app/out/node_modules', '/h/plugins/test/node_modules']);
    expect(nodeModulesAbove('/app/out/main', (p) => existing.has(p))).toEqual(['/app/out/node_modules', '/app/node_modules']);
    const plan = planSandbox(input(manifest()), (p) => existing.has(p));
    expect(plan.read).toEqual(expect.arrayContaining(['/app/node_modules', '/app/out/node_modules']));
  });
});

describe('minimalRoots', () => {
  it('keeps distinct absolute folders, none inside another', () => {
    expect(minimalRoots(['/a/b', '/a', '/ab', 'rel', '/a/b/c', '/a/'])).toEqual(['/a', '/ab']);
  });
});

describe('permissionFlags', () => {
  const plan = { read: ['/r', '/file.txt'], write: ['/w'], programFiles: [], childProcess: true, addons: false };
  const isFile = (p: string): boolean => p === '/file.txt';

  it('writes one flag per path, folders as folder/*, files as they are', () => {
    expect(permissionFlags(plan, '20.20.2', isFile)).toEqual([
      '--experimental-permission',
      '--disable-warning=ExperimentalWarning',
      '--disable-warning=SecurityWarning',
      `--allow-fs-read=${path.join('/r', '*')}`,
      '--allow-fs-read=/file.txt',
      `--allow-fs-write=${path.join('/w', '*')}`,
      '--allow-worker',
      '--allow-child-process',
    ]);
  });

  it('uses --permission from Node 22.13 on, and allows addons only when declared', () => {
    expect(permissionFlags({ ...plan, addons: true, childProcess: false }, '22.13.0', isFile)).toEqual(expect.arrayContaining(['--permission', '--allow-addons']));
    expect(permissionFlags({ ...plan, addons: true, childProcess: false }, '22.13.0', isFile)).not.toContain('--allow-child-process');
    expect(permissionFlags(plan, '22.12.0', isFile)[0]).toBe('--experimental-permission');
    expect(permissionFlags(plan, '24.1.0', isFile)[0]).toBe('--permission');
  });
});
