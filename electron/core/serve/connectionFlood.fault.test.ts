import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createClient, type IpcClient } from '@shared/ipc/client';
import type { HavenContract } from '@shared/ipc/contract';
import { fromWebSocket, type WebSocketLike } from '@shared/ipc/transports/websocket';
import { startServe, waitFor, type ServeProcess } from '../../testing/fixtures';

// Fault suite (issue 12, hostile input): floods of connections to a real `haven serve`. Without
// the token (or with a wrong one, or a foreign Origin) nothing opens; with it, WebSockets stop at
// the server's bound with a 503 that says why; silent TCP connections stop at the socket bound.
// A client connected before the flood is answered promptly throughout, and the server's open
// files and memory come back down afterwards.

const FLOOD = 500;
/** `haven serve`'s bounds (electron/core/serve/httpServer.ts). */
const MAX_WEBSOCKETS = 64;
const MAX_SOCKETS = 256;

let serve: ServeProcess;
let legit: IpcClient<HavenContract>;
let legitSocket: WebSocket;
let host: string;
/** Open files of the server with only the first client connected. */
let baseline: number;

beforeAll(async () => {
  serve = await startServe({ env: { HAVEN_BUILTIN_PLUGINS: '' } });
  host = new URL(serve.origin).host;
  legitSocket = new WebSocket(`ws://${host}/ws?token=${serve.token}`);
  await new Promise((resolve, reject) => legitSocket.once('open', resolve).once('error', reject));
  legit = createClient<HavenContract>(fromWebSocket(legitSocket as unknown as WebSocketLike));
  await legit.call('app.info', {});
  baseline = openFiles(serve.child.pid!);
});

afterAll(async () => {
  legitSocket?.terminate();
  await serve?.stop();
});

const openFiles = (pid: number) => fs.readdirSync(`/proc/${pid}/fd`).length;
/** Closed connections give their descriptors back (a few may linger in closing). */
const backToBaseline = () => waitFor(() => (openFiles(serve.child.pid!) <= baseline + 4 ? true : undefined), 10_000, `open files back near ${baseline} (now ${openFiles(serve.child.pid!)})`);
const rssBytes = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;

interface Attempt {
  /** 101 opened, an HTTP status, or `dropped` (closed without an answer). */
  outcome: number | 'dropped';
  body: string;
  socket?: WebSocket;
}

/** One WebSocket upgrade, settled within 10 s whatever the server does. */
function attempt(url: string, headers: Record<string, string> = {}): Promise<Attempt> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, { headers, handshakeTimeout: 10_000 });
    let settled = false;
    const settle = (result: Attempt) => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    socket.on('open', () => settle({ outcome: 101, body: '', socket }));
    socket.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => settle({ outcome: res.statusCode ?? 0, body }));
      res.on('error', () => settle({ outcome: res.statusCode ?? 0, body }));
    });
    socket.on('error', () => settle({ outcome: 'dropped', body: '' }));
    socket.on('close', () => settle({ outcome: 'dropped', body: '' }));
  });
}

/** Times `app.info` on the client connected before the flood. */
async function legitAnswersWithin(ms: number): Promise<number> {
  const started = performance.now();
  await legit.call('app.info', {}, { timeoutMs: ms });
  return performance.now() - started;
}

function tally(results: Attempt[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of results) counts[String(r.outcome)] = (counts[String(r.outcome)] ?? 0) + 1;
  return counts;
}

describe('haven serve under a flood of connections', () => {
  it('refuses every connection without the token, with a wrong one or from a foreign Origin', async () => {
    const base = `ws://${host}/ws`;
    const kinds = [
      () => attempt(base),
      () => attempt(`${base}?token=${'x'.repeat(serve.token.length)}`),
      () => attempt(`${base}?token=${serve.token}`, { Origin: 'http://evil.example' }),
    ];
    const flood = Promise.all(Array.from({ length: FLOOD }, (_, i) => kinds[i % kinds.length]!()));
    const latency = await legitAnswersWithin(2000);
    const results = await flood;
    const counts = tally(results);
    console.log('unauthenticated flood:', JSON.stringify(counts), `legit call ${latency.toFixed(0)} ms`);
    expect(counts['101'] ?? 0).toBe(0);
    // Each is refused with its reason, or (over the socket bound) closed unanswered.
    expect(Object.keys(counts).every((outcome) => ['401', '403', 'dropped'].includes(outcome))).toBe(true);
    expect((counts['401'] ?? 0) + (counts['403'] ?? 0)).toBeGreaterThan(0);
    for (const r of results) r.socket?.terminate();
    await backToBaseline();
    expect(await legitAnswersWithin(1000)).toBeLessThan(1000);
  });

  it('bounds WebSockets with the token at its limit with a 503 that says why, and the first client keeps being answered', async () => {
    const pid = serve.child.pid!;
    const rssBefore = rssBytes(pid);
    const flood = Promise.all(Array.from({ length: FLOOD }, () => attempt(`ws://${host}/ws?token=${serve.token}`)));
    const latency = await legitAnswersWithin(2000);
    const results = await flood;
    const counts = tally(results);
    const filesDuring = openFiles(pid);
    console.log('token flood:', JSON.stringify(counts), `legit call ${latency.toFixed(0)} ms, open files ${baseline} → ${filesDuring}`);
    // The first client holds one of the slots.
    expect(counts['101']).toBe(MAX_WEBSOCKETS - 1);
    expect(Object.keys(counts).every((outcome) => ['101', '503', 'dropped'].includes(outcome))).toBe(true);
    const refused = results.find((r) => r.outcome === 503);
    expect(refused?.body).toMatch(/^Haven: too many connections \(64 open\)/);
    expect(filesDuring - baseline).toBeLessThanOrEqual(MAX_SOCKETS + 8);
    // Core answers the first client, and the open sockets, while the bound holds.
    expect(await legitAnswersWithin(1000)).toBeLessThan(1000);
    const opened = results.filter((r) => r.socket);
    const answered = await Promise.all(
      opened.slice(0, 10).map(async (r) => createClient<HavenContract>(fromWebSocket(r.socket as unknown as WebSocketLike)).call('app.info', {}, { timeoutMs: 2000 })),
    );
    expect(answered.every((info) => info.name === 'Haven')).toBe(true);

    for (const r of opened) r.socket!.close();
    // Closed connections give their slots back: a new client gets in, and open files come back down.
    await backToBaseline();
    const again = await attempt(`ws://${host}/ws?token=${serve.token}`);
    expect(again.outcome).toBe(101);
    again.socket!.close();
    expect(rssBytes(pid) - rssBefore).toBeLessThan(64 * 1024 * 1024);
  });

  it('holds silent TCP connections at its socket bound, and lets them go when they close', async () => {
    const pid = serve.child.pid!;
    const sockets: net.Socket[] = [];
    let ended = 0;
    await Promise.all(
      Array.from(
        { length: FLOOD },
        () =>
          new Promise<void>((resolve) => {
            const socket = net.connect({ host: '127.0.0.1', port: Number(new URL(serve.origin).port) }, () => resolve());
            socket.on('error', () => resolve());
            socket.on('close', () => {
              ended++;
              resolve();
            });
            sockets.push(socket);
          }),
      ),
    );
    // Over the bound, the server closes the connection at once.
    await waitFor(() => (ended >= FLOOD - MAX_SOCKETS ? true : undefined), 5000, `the server to close the connections over its bound (${ended} closed)`);
    const filesDuring = openFiles(pid);
    console.log('silent flood:', `${ended} closed by the server, open files ${baseline} → ${filesDuring}`);
    expect(filesDuring - baseline).toBeLessThanOrEqual(MAX_SOCKETS + 8);
    // The client connected before the flood is still answered at once.
    expect(await legitAnswersWithin(1000)).toBeLessThan(1000);

    for (const socket of sockets) socket.destroy();
    await backToBaseline();
    const page = await fetch(`${serve.origin}/?token=${serve.token}`);
    expect(page.status).toBe(200);
    // The refusals are in Core's log, a line per kind, not one per connection.
    const log = fs.readFileSync(path.join(serve.home, 'logs', 'core.log'), 'utf8');
    expect(log).toContain(`serve: more than ${MAX_SOCKETS} connections are open: new ones are closed unanswered until some close`);
    expect(log).toContain(`serve: a WebSocket was refused: ${MAX_WEBSOCKETS} are open`);
    expect(log.split('\n').filter((line) => line.includes('"message":"serve: ')).length).toBeLessThan(10);
  });
});
