import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createClient, type IpcClient } from '@shared/ipc/client';
import type { HavenContract } from '@shared/ipc/contract';
import type { PluginSummary } from '@shared/domain/plugins';
import { fromDomMessagePort } from '@shared/ipc/transports/messagePort';
import { fromWebSocket, type WebSocketLike } from '@shared/ipc/transports/websocket';
import { ServerFrameSchema } from '@shared/ipc/wire';
import { fromMessagePortMain } from './transport';
import { asDomMessagePort, asMessagePortMain } from '../testing/messagePortMain';
import { PLUGIN_HOST_ENTRY, tempHome, waitFor, writePluginFolder } from '../testing/fixtures';
import { startCore, type Core } from '../core/core';
import { startHttpServer, type RunningServer } from '../core/serve/httpServer';

let core: Core;
let server: RunningServer;
const ports: MessagePort[] = [];
const sockets: WebSocket[] = [];

beforeEach(async () => {
  const ui = tempHome('haven-ui-');
  fs.writeFileSync(path.join(ui, 'index.html'), '<!doctype html><title>t</title>');
  core = await startCore({
    home: tempHome(),
    host: 'test',
    builtinPluginRoots: [],
    stderrLogLevel: 'off',
    pluginHostEntry: PLUGIN_HOST_ENTRY,
  });
  server = await startHttpServer({
    host: '127.0.0.1',
    port: 0,
    token: 'a-token-for-the-tests-0123456789',
    rendererDir: ui,
    connect: (protocol, transport) => core.router.connect(protocol, transport),
    logger: core.logger,
    fileForItem: (id) => (id === 1 ? archivedFolder : undefined),
  });
});

let archivedFolder = '';
beforeEach(() => {
  archivedFolder = tempHome('haven-archived-');
  fs.writeFileSync(path.join(archivedFolder, 'page.html'), '<!doctype html><script src="evil.js"></script>');
});

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.terminate();
  for (const port of ports.splice(0)) port.close();
  await server.close();
  await core.dispose();
});

function wsUrl(): string {
  return `ws://127.0.0.1:${server.port}/ws?token=a-token-for-the-tests-0123456789`;
}

async function openSocket(): Promise<WebSocket> {
  const socket = new WebSocket(wsUrl());
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return socket;
}

async function webSocketClient(): Promise<IpcClient<HavenContract>> {
  return createClient<HavenContract>(fromWebSocket((await openSocket()) as unknown as WebSocketLike));
}

function electronClient(): IpcClient<HavenContract> {
  const { port1, port2 } = new MessageChannel();
  ports.push(port1, port2);
  core.router.connect(fromMessagePortMain(asMessagePortMain(port1)), 'electron');
  return createClient<HavenContract>(fromDomMessagePort(asDomMessagePort(port2)));
}

describe('one contract over both transports', () => {
  it('serves the same call and the same event stream over WebSocket and the Electron MessagePort', async () => {
    const clients = { websocket: await webSocketClient(), electron: electronClient() };
    const infos = await Promise.all(Object.values(clients).map((client) => client.call('app.info', {})));
    expect(infos[0]).toEqual(infos[1]);
    expect(infos[0]).toMatchObject({ name: 'Haven', host: 'test', home: core.paths.home });

    const seen: Record<string, PluginSummary[][]> = { websocket: [], electron: [] };
    for (const [name, client] of Object.entries(clients)) {
      client.subscribe('plugins.changed', {}, { onData: (data) => seen[name]!.push(data.plugins) });
    }
    await waitFor(() => (seen.websocket!.length === 1 && seen.electron!.length === 1) || undefined, 5000, 'first lists');
    writePluginFolder(core.paths.plugins, 'p', { name: 'BothWaysPlugin' });
    for (const name of Object.keys(clients)) {
      const list = await waitFor(() => seen[name]!.find((l) => l.length === 1), 10_000, `the update over ${name}`);
      expect(list[0]?.name).toBe('BothWaysPlugin');
    }
    // The stream sent only changes: the empty list, then the list with the plugin.
    expect(seen.websocket).toEqual(seen.electron);
  });

  it('answers invalid input with a typed error over both transports', async () => {
    for (const client of [await webSocketClient(), electronClient()]) {
      await expect(client.call('settings.update', { theme: 'purple' } as never)).rejects.toMatchObject({
        code: 'INVALID_INPUT',
        message: expect.stringMatching(/^settings\.update: input\.theme: /),
      });
    }
  });
});

describe('WebSocket transport under bad input', () => {
  it('answers garbage text, binary frames and bad JSON with typed errors and keeps serving', async () => {
    const socket = await openSocket();
    const replies: unknown[] = [];
    socket.on('message', (data) => replies.push(JSON.parse(data.toString())));
    const garbage = ['not json', '{"kind":"call"', '[]', 'null', '42', '{"kind":"call","id":-1,"name":"app.info","input":{}}', '{"kind":"subscribe","id":1}'];
    for (const text of garbage) socket.send(text);
    socket.send(Buffer.from([0, 1, 2, 3]), { binary: true });
    await waitFor(() => (replies.length >= garbage.length + 1 ? true : undefined), 5000, 'all replies');
    for (const reply of replies) {
      const frame = ServerFrameSchema.parse(reply);
      expect(frame.kind).toBe('result');
      expect(frame).toMatchObject({ ok: false, error: { code: 'BAD_MESSAGE' } });
    }
    const client = createClient<HavenContract>(fromWebSocket(socket as unknown as WebSocketLike));
    await expect(client.call('app.info', {})).resolves.toMatchObject({ name: 'Haven' });
  });

  it('refuses a frame over 1 MiB with TOO_LARGE for that call, and closes a socket that sends over 16 MiB', async () => {
    const client = await webSocketClient();
    await expect(client.call('settings.update', { pluginDirs: ['x'.repeat(2 * 1024 * 1024)] })).rejects.toMatchObject({
      code: 'TOO_LARGE',
      message: expect.stringMatching(/^settings\.update: frame: \d+ bytes is over the 1048576-byte limit/),
    });
    await expect(client.call('app.info', {})).resolves.toMatchObject({ name: 'Haven' });

    const huge = await openSocket();
    const closed = new Promise<number>((resolve) => huge.once('close', (code) => resolve(code)));
    huge.send('x'.repeat(17 * 1024 * 1024));
    expect(await closed).toBe(1009);
    await expect(client.call('app.info', {})).resolves.toMatchObject({ name: 'Haven' });
  });

  it('survives malformed upgrade requests and cookies sent before any check', async () => {
    const raw = (request: string) =>
      new Promise<string>((resolve) => {
        const socket = net.connect(server.port, '127.0.0.1', () => socket.write(request));
        let data = '';
        socket.on('data', (chunk) => (data += chunk.toString()));
        socket.on('close', () => resolve(data));
        socket.on('error', () => resolve(data));
      });
    const upgrade = (target: string, extra = '') =>
      `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n${extra}\r\n`;
    expect(await raw(upgrade('//['))).toMatch(/^HTTP\/1\.1 400/);
    expect(await raw(upgrade('/ws', 'Cookie: haven_token=%\r\n'))).toMatch(/^HTTP\/1\.1 401/);
    expect(await raw(`GET //[ HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nConnection: close\r\n\r\n`)).toMatch(/^HTTP\/1\.1 (400|403)/);
    const client = await webSocketClient();
    await expect(client.call('app.info', {})).resolves.toMatchObject({ name: 'Haven' });
  });

  it('serves an archived web page sandboxed, so it cannot run as the app', async () => {
    const response = await fetch(`http://127.0.0.1:${server.port}/files/1/page.html?token=a-token-for-the-tests-0123456789`);
    expect(response.status).toBe(200);
    const policy = response.headers.get('content-security-policy') ?? '';
    expect(policy.split(';').map((part) => part.trim())).toContain('sandbox');
    expect(await response.text()).toContain('evil.js');
    const page = await fetch(`http://127.0.0.1:${server.port}/?token=a-token-for-the-tests-0123456789`);
    expect(page.headers.get('content-security-policy')).not.toContain('sandbox');
  });

  it('refuses upgrades without the token, with a foreign Origin, or a foreign Host', async () => {
    const attempt = (url: string, headers: Record<string, string> = {}) =>
      new Promise<number>((resolve) => {
        const socket = new WebSocket(url, { headers });
        socket.on('unexpected-response', (_req, res) => {
          resolve(res.statusCode ?? 0);
          socket.terminate();
        });
        socket.on('open', () => {
          resolve(101);
          socket.terminate();
        });
        socket.on('error', () => undefined);
      });
    const base = `ws://127.0.0.1:${server.port}/ws`;
    expect(await attempt(base)).toBe(401);
    expect(await attempt(`${base}?token=wrong-token-wrong-token`)).toBe(401);
    expect(await attempt(wsUrl(), { Origin: 'http://evil.example' })).toBe(403);
    expect(await attempt(wsUrl(), { Host: 'evil.example' })).toBe(403);
    expect(await attempt(wsUrl(), { Origin: `http://127.0.0.1:${server.port}` })).toBe(101);
  });
});
