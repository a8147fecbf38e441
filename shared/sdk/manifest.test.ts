import { describe, expect, it } from 'vitest';
import { PluginManifest, pluginShortId } from './manifest';

const valid = {
  name: 'YouTubePlugin',
  version: '1.2.3',
  engines: { haven: '^0.1.0' },
  capabilities: ['DISCOVER', 'ARCHIVE'],
};

describe('PluginManifest', () => {
  it('accepts a minimal manifest and fills defaults', () => {
    const manifest = PluginManifest.parse(valid);
    expect(manifest.main).toBe('index.js');
    expect(manifest.permissions).toEqual({ network: [], filesystem: [], binaries: [], programFiles: [], links: false, addons: false });
    expect(manifest.dependencies).toEqual({});
  });

  it.each([
    [{ ...valid, name: '1bad' }, 'name'],
    [{ ...valid, version: 'one' }, 'version'],
    [{ ...valid, engines: { haven: 'whenever' } }, 'engines'],
    [{ ...valid, capabilities: ['TELEPORT'] }, 'capabilities'],
    [{ ...valid, main: '../escape.js' }, 'main'],
    [{ ...valid, main: '/etc/passwd' }, 'main'],
    [{ ...valid, main: 'C:\\evil.js' }, 'main'],
    [{ ...valid, dependencies: { Other: 'nope' } }, 'dependencies'],
    [{ ...valid, urlPatterns: ['(unclosed'] }, 'urlPatterns'],
    [{ ...valid, sourceIds: ['^https://x\\.test/v/\\w+'] }, 'sourceIds'],
    [{ ...valid, sourceIds: ['([a-z]'] }, 'sourceIds'],
    [{ ...valid, homepage: 'javascript:alert(1)' }, 'homepage'],
    [{ ...valid, permissions: { binaries: ['../../bin/sh'] } }, 'permissions'],
    [{ ...valid, permissions: { binaries: ['ffmpeg', 'bash'] } }, 'permissions'],
    [{ ...valid, permissions: { binaries: ['python3.12'] } }, 'permissions'],
    [{ ...valid, permissions: { binaries: ['Node.exe'] } }, 'permissions'],
    [{ ...valid, permissions: { programFiles: ['/usr/bin/yt-dlp'] } }, 'permissions'],
    [{ ...valid, surprise: true }, ''],
  ])('rejects %j at %s', (input, path) => {
    const result = PluginManifest.safeParse(input);
    expect(result.success).toBe(false);
    if (!result.success && path) expect(result.error.issues[0]?.path[0]).toBe(path);
  });
});

describe('pluginShortId', () => {
  it('drops a trailing "Plugin" and lowercases', () => {
    expect(pluginShortId('YouTubePlugin')).toBe('youtube');
    expect(pluginShortId('hello')).toBe('hello');
    expect(pluginShortId('Plugin')).toBe('plugin');
  });
});
