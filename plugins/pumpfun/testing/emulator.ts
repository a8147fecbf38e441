import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * pump.fun's HTTP API and chat as Haven uses them (the shapes in plugins/pumpfun/README.md),
 * on 127.0.0.1, for tests. Nothing here talks to pump.fun.
 */
export interface PumpEmulator {
  url: string;
  chatUrl: string;
  /** Requests received, in order (method and path). */
  requests: string[];
  setLive(mint: string, live: boolean, coin?: { name: string; symbol: string; viewers?: number }): void;
  /** Chat messages sent to whoever joins a coin's room, `every` ms apart. */
  chatFor(mint: string, messages: { username: string; message: string }[], every?: number): void;
  close(): Promise<void>;
}

export async function startPumpEmulator(): Promise<PumpEmulator> {
  const live = new Map<string, { name: string; symbol: string; viewers: number; since: number }>();
  const chats = new Map<string, { messages: { username: string; message: string }[]; every: number }>();
  const requests: string[] = [];
  const json = (res: http.ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push(`${req.method} ${url.pathname}`);
    if (req.method === 'GET' && url.pathname === '/coins/currently-live') {
      json(res, 200, [...live].map(([mint, coin]) => ({ mint, name: coin.name, symbol: coin.symbol, is_currently_live: true, num_participants: coin.viewers, thumbnail: null, nsfw: false, usd_market_cap: 1234.5 })));
      return;
    }
    if (req.method === 'GET' && url.pathname === '/livestream') {
      const mint = url.searchParams.get('mintId') ?? '';
      const coin = live.get(mint);
      json(res, 200, { mintId: mint, isLive: !!coin, numParticipants: coin?.viewers ?? 0, streamStartTimestamp: coin?.since ?? null });
      return;
    }
    if (req.method === 'POST' && url.pathname === '/livestream/join') {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const { mintId, viewer, hidden } = JSON.parse(body || '{}') as { mintId?: string; viewer?: boolean; hidden?: boolean };
        if (!mintId || !live.has(mintId)) return json(res, 404, { message: 'livestream not found' });
        if (viewer !== true || hidden !== true) return json(res, 403, { message: 'only hidden viewers here' });
        json(res, 200, { token: `viewer-token-for-${mintId}` });
      });
      return;
    }
    json(res, 404, { message: 'not found' });
  });
  const wss = new WebSocketServer({ server, path: '/socket.io/' });
  wss.on('connection', (socket: WebSocket) => {
    // Engine.IO 4: open, then socket.io's namespace connect, then events.
    socket.send(`0${JSON.stringify({ sid: 'emulated', upgrades: [], pingInterval: 25000, pingTimeout: 20000 })}`);
    let timer: ReturnType<typeof setInterval> | undefined;
    socket.on('message', (raw) => {
      const frame = String(raw);
      if (frame === '40') socket.send('40{"sid":"emulated-ns"}');
      if (!frame.startsWith('42')) return;
      const [name, data] = JSON.parse(frame.slice(2)) as [string, { roomId?: string }];
      const chat = name === 'joinRoom' && data.roomId ? chats.get(data.roomId) : undefined;
      if (!chat || timer) return;
      let i = 0;
      socket.send('2');
      timer = setInterval(() => {
        const next = chat.messages[i++];
        if (!next) return clearInterval(timer);
        socket.send(`42${JSON.stringify(['newMessage', { id: `m${i}`, roomId: data.roomId, username: next.username, userAddress: 'x', message: next.message, timestamp: new Date().toISOString() }])}`);
      }, chat.every);
    });
    socket.on('close', () => clearInterval(timer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    chatUrl: `ws://127.0.0.1:${port}`,
    requests,
    setLive(mint, isLive, coin) {
      if (isLive) live.set(mint, { name: coin?.name ?? 'Coin', symbol: coin?.symbol ?? 'COIN', viewers: coin?.viewers ?? 1, since: live.get(mint)?.since ?? Date.now() });
      else live.delete(mint);
    },
    chatFor(mint, messages, every = 20) {
      chats.set(mint, { messages, every });
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
