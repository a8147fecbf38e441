import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { requireBuild, runHaven, tempHome } from '../testing/fixtures';
import { startStaticServer, throttledFile, type StaticServer } from '../testing/staticServer';

let media: string;
let server: StaticServer;
beforeAll(async () => {
  requireBuild();
  const root = tempHome('haven-cli-site-');
  media = path.join(root, 'clip.mp3');
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'sine=frequency=550:duration=20', '-b:a', '128k', media]);
  server = await startStaticServer(root, [throttledFile('/slow.mp3', media, 200 * 1024)]);
});
afterEach(() => undefined);

const sha = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

describe('haven archive', () => {
  it('archives a URL in the foreground, with its sidecar, and says so when asked again', async () => {
    const env = { HAVEN_HOME: tempHome() };
    const first = await runHaven(['archive', `${server.url}/clip.mp3`], env, 60_000);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const saved = /^RssPlugin: saved (.+)$/m.exec(first.stdout)?.[1];
    expect(saved).toBeDefined();
    expect(sha(saved!)).toBe(sha(media));
    expect(JSON.parse(fs.readFileSync(`${saved}.haven.json`, 'utf8'))).toMatchObject({ sha256: sha(media), plugin: 'RssPlugin' });

    const again = await runHaven(['archive', `${server.url}/clip.mp3`], env, 60_000);
    expect(again.code).toBe(0);
    expect(again.stdout.trim()).toBe('RssPlugin: already archived (library item 1): nothing to do');

    const listed = JSON.parse((await runHaven(['jobs', '--state', 'completed,skipped', '--json'], env)).stdout);
    expect(listed.jobs.map((j: { state: string }) => j.state)).toEqual(['skipped', 'completed']);
    const found = JSON.parse((await runHaven(['library', 'search', 'clip', '--json'], env)).stdout);
    expect(found.items.map((i: { outputPath: string }) => i.outputPath)).toEqual([saved]);
  });

  it('prints JSON lines with progress and the result', async () => {
    const result = await runHaven(['archive', `${server.url}/slow.mp3`, '--json'], { HAVEN_HOME: tempHome() }, 60_000);
    expect(result.code).toBe(0);
    const events = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { event: string; progress?: { bytesDone?: number }; job?: { state: string } });
    expect(events[0]?.event).toBe('job');
    const progress = events.filter((e) => e.event === 'progress').map((e) => e.progress?.bytesDone ?? 0);
    expect(progress.length).toBeGreaterThan(2);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    // The last progress is part of the finished job (throttled progress may trail the state change).
    expect(events.at(-1)).toMatchObject({ event: 'done', job: { state: 'completed', progress: { bytesDone: fs.statSync(media).size } } });
  });

  it('exits 1 with the classified reason when the archive fails, and when no plugin claims the URL', async () => {
    const env = { HAVEN_HOME: tempHome() };
    const missing = await runHaven(['archive', `${server.url}/nothing.mp3`], env, 60_000);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe(`haven: RssPlugin failed (not_found): ${server.url}/nothing.mp3: HTTP 404`);
    const unclaimed = await runHaven(['archive', `${server.url}/page.html`], env);
    expect(unclaimed.code).toBe(1);
    expect(unclaimed.stderr.trim()).toMatch(/^haven: no enabled plugin claims .*page\.html: choose one with --plugin/);
    const bad = await runHaven(['archive', 'not a url'], env);
    expect(bad.stderr.trim()).toBe('haven: not a url is neither a URL nor a file that exists');
    const retried = await runHaven(['jobs', 'retry', '--failed'], env);
    expect(retried.stdout).toMatch(/^1 job\(s\) queued again/);
  });
});

describe('haven library', () => {
  it('imports a folder, then verify finds a changed file and exits 1', async () => {
    const env = { HAVEN_HOME: tempHome() };
    const dir = tempHome('haven-cli-import-');
    fs.copyFileSync(media, path.join(dir, 'A song [abcdefghijk].mp3'));
    const imported = await runHaven(['library', 'import', dir], env);
    expect(imported.stdout).toMatch(/^scanned 1: 1 imported, 0 already in the library, 0 skipped/);
    const ok = await runHaven(['library', 'verify'], env, 60_000);
    expect(ok.code).toBe(0);
    expect(ok.stdout.trim()).toBe('verified 1 file(s): 1 ok, 0 missing, 0 changed');
    fs.appendFileSync(path.join(dir, 'A song [abcdefghijk].mp3'), 'x');
    const changed = await runHaven(['library', 'verify'], env, 60_000);
    expect(changed.code).toBe(1);
    expect(changed.stdout.trim()).toBe('verified 1 file(s): 0 ok, 0 missing, 1 changed');
  });
});
