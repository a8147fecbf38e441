import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createClient } from '@shared/ipc/client';
import type { HavenContract } from '@shared/ipc/contract';
import { fromWebSocket, type WebSocketLike } from '@shared/ipc/transports/websocket';
import { requireBuild, runHaven, startServe, tempHome, waitFor, type ServeProcess } from '../testing/fixtures';

const started: ServeProcess[] = [];
afterEach(async () => {
  for (const serve of started.splice(0)) await serve.stop('SIGKILL');
});

beforeAll(() => requireBuild());

async function serve(options: Parameters<typeof startServe>[0] = {}): Promise<ServeProcess> {
  const instance = await startServe(options);
  started.push(instance);
  return instance;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The pids of the running plugin hosts, once every enabled plugin has started. */
async function pluginPids(instance: ServeProcess): Promise<number[]> {
  const socket = new WebSocket(`ws://${new URL(instance.origin).host}/ws?token=${instance.token}`);
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const client = createClient<HavenContract>(fromWebSocket(socket as unknown as WebSocketLike));
  try {
    return await waitFor(async () => {
      const { plugins } = await client.call('plugins.list', {});
      // Processors start when a pipeline first needs them; every other enabled plugin runs.
      const enabled = plugins.filter((p) => p.enabled && !(p.state === 'stopped' && p.stateReason === 'starts when a pipeline needs it'));
      return enabled.length > 0 && enabled.every((p) => p.state === 'running') ? enabled.map((p) => p.pid!) : undefined;
    }, 20_000, 'all plugins running');
  } finally {
    socket.close();
  }
}

function expectOneLineError(result: { code: number | null; stderr: string; stdout: string }, pattern: RegExp): void {
  expect(result.code).toBe(1);
  expect(result.stdout).toBe('');
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^haven: /);
  expect(lines[0]).toMatch(pattern);
}

describe('haven CLI', () => {
  it('prints help and version', async () => {
    const help = await runHaven(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('serve');
    expect(help.stdout).toContain('HAVEN_HOME');
    const version = await runHaven(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe(JSON.parse(fs.readFileSync('package.json', 'utf8')).version);
  });

  it('exits non-zero on an unknown command', async () => {
    const result = await runHaven(['frobnicate']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/^haven: unknown command 'frobnicate'/);
  });
});

describe('haven serve', () => {
  it('prints exactly one URL line and serves the UI only with the token and a good Host', async () => {
    const instance = await serve();
    expect(instance.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{32}$/);
    const ok = await fetch(instance.url);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(ok.headers.get('set-cookie')).toMatch(/haven_token=.*HttpOnly; SameSite=Strict/);
    expect(await ok.text()).toContain('<div id="root">');

    expect((await fetch(`${instance.origin}/`)).status).toBe(401);
    expect((await fetch(`${instance.origin}/?token=wrong-wrong-wrong-wrong`)).status).toBe(401);
    expect((await fetch(`${instance.origin}/`, { headers: { Cookie: `haven_token=${instance.token}` } })).status).toBe(200);
    expect((await fetch(`${instance.origin}/../../etc/passwd?token=${instance.token}`)).status).toBe(404);
    const rebinding = await new Promise<number>((resolve, reject) => {
      // fetch() will not let a test set Host, so speak HTTP/1.1 by hand as a rebinding page would.
      const socket = net.connect(Number(new URL(instance.origin).port), '127.0.0.1', () => {
        socket.write(`GET /?token=${instance.token} HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n`);
      });
      let data = '';
      socket.on('data', (chunk) => (data += chunk.toString()));
      socket.on('end', () => resolve(Number(/^HTTP\/1\.1 (\d+)/.exec(data)?.[1])));
      socket.on('error', reject);
    });
    expect(rebinding).toBe(403);
  });

  it('serves the contract over its WebSocket', async () => {
    const instance = await serve();
    const socket = new WebSocket(`ws://${new URL(instance.origin).host}/ws?token=${instance.token}`);
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const client = createClient<HavenContract>(fromWebSocket(socket as unknown as WebSocketLike));
    await expect(client.call('app.info', {})).resolves.toMatchObject({ host: 'serve', home: instance.home });
    socket.close();
  });

  it('stops cleanly on SIGTERM, plugin processes included, and releases HAVEN_HOME', async () => {
    const instance = await serve();
    expect(fs.existsSync(path.join(instance.home, 'core.lock'))).toBe(true);
    const hosts = await pluginPids(instance);
    expect(hosts.length).toBeGreaterThan(0);
    expect(await instance.stop('SIGTERM')).toBe(0);
    expect(fs.existsSync(path.join(instance.home, 'core.lock'))).toBe(false);
    expect(hosts.filter(isAlive)).toEqual([]);
    const again = await serve({ home: instance.home });
    expect(again.url).toMatch(/^http:/);
  });

  it('plugin processes end when Core is killed', async () => {
    const instance = await serve();
    const hosts = await pluginPids(instance);
    expect(hosts.length).toBeGreaterThan(0);
    await instance.stop('SIGKILL');
    await waitFor(() => (hosts.filter(isAlive).length === 0 ? true : undefined), 10_000, 'the plugin hosts to exit');
  });

  it('reports a port in use in one line', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const result = await runHaven(['serve', '--port', String(port)], { HAVEN_HOME: tempHome() });
      expectOneLineError(result, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use`));
    } finally {
      blocker.close();
    }
  });

  it('rejects a bad port and a weak token in one line', async () => {
    expectOneLineError(await runHaven(['serve', '--port', 'eighty'], { HAVEN_HOME: tempHome() }), /--port must be a number/);
    expectOneLineError(await runHaven(['serve', '--port', '70000'], { HAVEN_HOME: tempHome() }), /--port must be a number/);
    expectOneLineError(await runHaven(['serve', '--token', 'short'], { HAVEN_HOME: tempHome() }), /--token must be at least 16/);
  });

  it('reports an unwritable HAVEN_HOME in one line', async () => {
    const file = path.join(tempHome(), 'file');
    fs.writeFileSync(file, '');
    expectOneLineError(await runHaven(['serve', '--port', '0'], { HAVEN_HOME: path.join(file, 'home') }), /is not a writable folder/);
  });

  it('reports a corrupt database by name and leaves it as it was', async () => {
    const home = tempHome();
    const db = path.join(home, 'haven.db');
    fs.writeFileSync(db, 'this is not a database, it is a grocery list'.repeat(200));
    const before = crypto.createHash('sha256').update(fs.readFileSync(db)).digest('hex');
    const result = await runHaven(['serve', '--port', '0'], { HAVEN_HOME: home });
    expectOneLineError(result, new RegExp(`${db.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is damaged or not a database`));
    expect(crypto.createHash('sha256').update(fs.readFileSync(db)).digest('hex')).toBe(before);
  });

  it('refuses a second Core on the same HAVEN_HOME', async () => {
    const instance = await serve();
    const result = await runHaven(['serve', '--port', '0'], { HAVEN_HOME: instance.home });
    expectOneLineError(result, new RegExp(`in use by another Haven Core \\(pid ${instance.child.pid}`));
  });
});
