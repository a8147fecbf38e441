import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { requireBuild, runHaven, startServe, tempHome, writePluginFolder, type ServeProcess } from '../testing/fixtures';

const BUILTIN = ['BitTorrentPlugin', 'LiveStreamPlugin', 'LoudnessPlugin', 'MediaServerPlugin', 'OpenRingPlugin', 'PumpFunPlugin', 'RemuxPlugin', 'SubtitlesPlugin', 'ThumbnailsPlugin', 'YouTubePlugin'];
const EXAMPLES = ['HelloPlugin', 'RssPlugin'];

beforeAll(() => requireBuild());
const serves: ServeProcess[] = [];
afterEach(async () => {
  for (const serve of serves.splice(0)) await serve.stop();
});

function oneLineError(result: { code: number | null; stderr: string }, pattern: RegExp): void {
  expect(result.code).toBe(1);
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^haven: /);
  expect(lines[0]).toMatch(pattern);
}

interface Listed {
  name: string;
  version: string;
  enabled: boolean;
  state: string;
  capabilities: string[];
  health: { status: string; output: string | null } | null;
}

describe('haven plugins', () => {
  it('list --all --json shows every built-in and example plugin with version, enabled, capabilities and health', async () => {
    const home = tempHome();
    const result = await runHaven(['plugins', 'list', '--all', '--json'], { HAVEN_HOME: home }, 60_000);
    expect(result.code).toBe(0);
    const listed = JSON.parse(result.stdout) as Listed[];
    expect(listed.map((p) => p.name).sort()).toEqual([...BUILTIN, ...EXAMPLES].sort());
    for (const plugin of listed) {
      expect(plugin.version).toMatch(/^\d+\.\d+\.\d+$/);
      expect(plugin.enabled).toBe(true);
      expect(Array.isArray(plugin.capabilities)).toBe(true);
      expect(plugin.health?.status).toMatch(/^(pass|warn)$/);
    }
    expect(listed.find((p) => p.name === 'OpenRingPlugin')?.health).toMatchObject({ status: 'pass', output: expect.stringContaining('captures RTSP, WebRTC (WHEP), SIP and RTP with ffmpeg') });
    // YouTubePlugin works, and says Debian's yt-dlp (from 2023) is too old for YouTube itself.
    expect(listed.find((p) => p.name === 'YouTubePlugin')?.health).toMatchObject({ status: 'warn', output: expect.stringContaining('days old and YouTube breaks old versions') });
    expect(listed.find((p) => p.name === 'BitTorrentPlugin')?.health).toMatchObject({ status: 'pass', output: expect.stringMatching(/^WebTorrent \S+ archives magnet links.*; 0 downloading, 0 seeding\.$/) });
    expect(listed.find((p) => p.name === 'PumpFunPlugin')?.health).toMatchObject({ status: 'pass', output: expect.stringContaining('records pump.fun streams through LiveKit (its SDK loads)') });
    expect(listed.find((p) => p.name === 'LiveStreamPlugin')?.health).toMatchObject({ status: 'pass', output: expect.stringContaining('records HLS, DASH, RTMP and HTTP streams with ffmpeg') });
    expect(listed.find((p) => p.name === 'HelloPlugin')?.health?.status).toBe('pass');
  });

  it('enable and disable persist, and names are case-insensitive or short ids', async () => {
    const home = tempHome();
    const disabled = await runHaven(['plugins', 'disable', 'youtube'], { HAVEN_HOME: home });
    expect(disabled.stdout.trim()).toBe('YouTubePlugin disabled');
    const listed = JSON.parse((await runHaven(['plugins', 'list', '--json'], { HAVEN_HOME: home }, 60_000)).stdout) as Listed[];
    expect(listed.map((p) => p.name)).not.toContain('YouTubePlugin');
    const all = JSON.parse((await runHaven(['plugins', 'list', '--all', '--json'], { HAVEN_HOME: home }, 60_000)).stdout) as Listed[];
    expect(all.find((p) => p.name === 'YouTubePlugin')).toMatchObject({ enabled: false, state: 'disabled', health: null });
    const enabled = await runHaven(['plugins', 'enable', 'YOUTUBEPLUGIN'], { HAVEN_HOME: home });
    expect(enabled.stdout.trim()).toBe('YouTubePlugin enabled');
    oneLineError(await runHaven(['plugins', 'enable', 'nosuch'], { HAVEN_HOME: home }), /no plugin named nosuch \(installed: .*YouTubePlugin/);
  });

  it('info --json gives the manifest, permissions and settings (secrets never in clear)', async () => {
    const result = await runHaven(['plugins', 'info', 'openring', '--json'], { HAVEN_HOME: tempHome() }, 60_000);
    expect(result.code).toBe(0);
    const info = JSON.parse(result.stdout);
    expect(info).toMatchObject({
      name: 'OpenRingPlugin',
      capabilities: ['DISCOVER', 'STREAM'],
      permissions: { binaries: ['ffmpeg', 'ffprobe'] },
      config: { values: { record_audio: true, record_video: true, segment_duration: 600 }, secrets: { credentials: false } },
    });
    expect(info.config.values).not.toHaveProperty('credentials');
  });

  it('configure --set parses values by the schema and keeps them; bad values fail naming the key', async () => {
    const home = tempHome();
    const env = { HAVEN_HOME: home };
    const set = await runHaven(['plugins', 'configure', 'youtube', '--set', 'max_videos=10', '--set', 'channel_ids=UCabc,@someone', '--set', 'download_subtitles=true', '--set', 'quality=720p'], env, 60_000);
    expect(set.stderr).toBe('');
    expect(set.stdout.trim()).toBe('YouTubePlugin: saved max_videos, channel_ids, download_subtitles, quality');
    const shown = JSON.parse((await runHaven(['plugins', 'configure', 'YouTubePlugin', '--show', '--json'], env, 60_000)).stdout);
    expect(shown.values).toMatchObject({ max_videos: 10, channel_ids: ['UCabc', '@someone'], download_subtitles: true, quality: '720p', format: 'mp4' });
    expect(shown.schema.properties.quality.enum).toEqual(['best', '1080p', '720p', '480p', '360p']);

    oneLineError(await runHaven(['plugins', 'configure', 'youtube', '--set', 'max_videos=many'], env, 60_000), /YouTubePlugin: max_videos: expected an integer, got "many"/);
    oneLineError(await runHaven(['plugins', 'configure', 'youtube', '--set', 'max_videos=-3'], env, 60_000), /YouTubePlugin: max_videos: Too small: expected number to be >=0/);
    oneLineError(await runHaven(['plugins', 'configure', 'youtube', '--set', 'quality=8k'], env, 60_000), /quality: expected one of best, 1080p, 720p, 480p, 360p, got "8k"/);
    oneLineError(await runHaven(['plugins', 'configure', 'youtube', '--set', 'colour=blue'], env, 60_000), /YouTubePlugin has no setting "colour"/);
    oneLineError(await runHaven(['plugins', 'configure', 'youtube', '--set', 'output_template=../../etc/%(id)s'], env, 60_000), /output_template: must stay inside output_dir: no "\.\." folders/);
    oneLineError(await runHaven(['plugins', 'configure', 'youtube'], env), /configure needs --show or at least one --set/);
    // The rejected values were not stored.
    const after = JSON.parse((await runHaven(['plugins', 'configure', 'youtube', '--show', '--json'], env, 60_000)).stdout);
    expect(after.values.max_videos).toBe(10);
  });

  it('test runs the health check and a discovery dry run, and reports a failure in one classified line', async () => {
    const home = tempHome();
    const hello = await runHaven(['plugins', 'test', 'hello', '--json'], { HAVEN_HOME: home }, 60_000);
    expect(hello.code).toBe(0);
    expect(JSON.parse(hello.stdout).health.result).toMatchObject({ status: 'pass', output: 'greeting is "Hello"' });
    // Nothing listed: the dry run finds nothing, without asking pump.fun.
    const pumpfun = await runHaven(['plugins', 'test', 'pumpfun', '--discover', '--json'], { HAVEN_HOME: home }, 60_000);
    expect(pumpfun.code, pumpfun.stderr).toBe(0);
    expect(JSON.parse(pumpfun.stdout).discovery).toMatchObject({ sources: [], skipped: [] });
    // A real failure is reported as one classified line.
    const youtube = await runHaven(['plugins', 'test', 'youtube', '--archive', 'ftp://127.0.0.1/clip.mp4'], { HAVEN_HOME: home }, 60_000);
    oneLineError(youtube, /unsupported URL scheme ftp: in ftp:\/\/127\.0\.0\.1\/clip\.mp4/);
  });

  it('reports a plugin that fails its health check with exit code 1', async () => {
    const home = tempHome();
    writePluginFolder(path.join(home, 'plugins'), 'sick', {
      name: 'SickPlugin',
      entry: "import { definePlugin } from '@haven/sdk';\nexport default definePlugin({ setup: () => ({ healthCheck: () => ({ status: 'fail', componentId: 'x', output: 'the disk is gone' }) }) });\n",
    });
    const result = await runHaven(['plugins', 'test', 'sick'], { HAVEN_HOME: home }, 60_000);
    expect(result.stdout).toContain('health: fail (the disk is gone)');
    oneLineError(result, /SickPlugin is unhealthy: the disk is gone/);
  });

  it('talks to a running haven serve instead of opening the database a second time', async () => {
    const serve = await startServe({ env: { HAVEN_BUILTIN_PLUGINS: path.join(process.cwd(), 'plugins', 'examples') } });
    serves.push(serve);
    const result = await runHaven(['plugins', 'disable', 'hello'], { HAVEN_HOME: serve.home }, 60_000);
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('HelloPlugin disabled');
    const listed = JSON.parse((await runHaven(['plugins', 'list', '--all', '--json'], { HAVEN_HOME: serve.home }, 60_000)).stdout) as Listed[];
    expect(listed.find((p) => p.name === 'HelloPlugin')?.enabled).toBe(false);
  });
});

describe('haven config import', () => {
  it('imports plugin folders, settings and enabled/disabled plugins, skipping what is invalid and saying why', async () => {
    const home = tempHome();
    const extra = tempHome('haven-extra-plugins-');
    writePluginFolder(extra, 'extra', { name: 'ExtraPlugin' });
    const file = path.join(tempHome('haven-toml-'), 'haven.toml');
    fs.writeFileSync(
      file,
      `[general]
log_level = "debug"

[plugins]
enabled_plugins = ["ExtraPlugin", "GhostPlugin"]
disabled_plugins = ["BitTorrentPlugin"]
plugin_dirs = ["${extra}"]
colour = "blue"

[plugins.settings.YouTubePlugin]
channel_ids = ["UC123"]
max_videos = 25
quality = "4k"
favourite_food = "soup"

[plugins.settings.NoSuchPlugin]
x = 1
`,
    );
    const result = await runHaven(['config', 'import', file], { HAVEN_HOME: home }, 60_000);
    expect(result.code).toBe(1);
    const out = result.stdout;
    expect(out).toContain(`imported  plugin_dirs: ${extra}`);
    expect(out).toContain('imported  YouTubePlugin: channel_ids, max_videos');
    expect(out).toContain('imported  ExtraPlugin enabled');
    expect(out).toContain('imported  BitTorrentPlugin disabled');
    expect(out).toContain('skipped   [general]: Haven imports only the [plugins] section');
    expect(out).toContain('skipped   plugins.colour: not a setting Haven knows');
    expect(out).toMatch(/skipped {3}\[plugins\.settings\.YouTubePlugin\] quality: Invalid option: expected one of/);
    expect(out).toContain('skipped   [plugins.settings.YouTubePlugin] favourite_food: YouTubePlugin has no such setting');
    expect(out).toMatch(/skipped {3}\[plugins\.settings\.NoSuchPlugin\]: no plugin named NoSuchPlugin/);
    expect(out).toMatch(/skipped {3}enabled_plugins GhostPlugin: no plugin named GhostPlugin/);
    expect(result.stderr.trim()).toMatch(/^haven: 6 item\(s\) of .* were skipped/);

    const shown = JSON.parse((await runHaven(['plugins', 'configure', 'youtube', '--show', '--json'], { HAVEN_HOME: home }, 60_000)).stdout);
    expect(shown.values).toMatchObject({ channel_ids: ['UC123'], max_videos: 25, quality: 'best' });
    const listed = JSON.parse((await runHaven(['plugins', 'list', '--all', '--json'], { HAVEN_HOME: home }, 60_000)).stdout) as Listed[];
    expect(listed.find((p) => p.name === 'ExtraPlugin')?.enabled).toBe(true);
    expect(listed.find((p) => p.name === 'BitTorrentPlugin')?.enabled).toBe(false);
  });

  it('reports a TOML syntax error with its line and column, in one line', async () => {
    const file = path.join(tempHome('haven-toml-'), 'bad.toml');
    fs.writeFileSync(file, '[plugins]\nenabled_plugins = ["a",\n');
    oneLineError(await runHaven(['config', 'import', file], { HAVEN_HOME: tempHome() }), new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\d+:\\d+: `));
    oneLineError(await runHaven(['config', 'import', '/nonexistent/haven.toml'], { HAVEN_HOME: tempHome() }), /cannot read \/nonexistent\/haven.toml \(ENOENT\)/);
  });
});
