import type { ChatMessage } from '@haven/sdk';
import WebSocket from 'ws';

/**
 * pump.fun's chat speaks socket.io (Engine.IO 4) over a WebSocket: `0{…}` opens, the client
 * answers `40` (the default namespace), pings `2` are answered `3`, events are `42[name, data]`.
 * The client joins the coin's room (`joinRoom {roomId: mint}`) and receives `newMessage`.
 */
export function socketIoUrl(base: string): string {
  const url = new URL(base);
  if (!url.pathname || url.pathname === '/') url.pathname = '/socket.io/';
  url.searchParams.set('EIO', '4');
  url.searchParams.set('transport', 'websocket');
  return url.href;
}

/** A `newMessage` payload as the recorder keeps it. */
export function chatMessageOf(data: unknown, receivedAt: number): ChatMessage | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const record = data as Record<string, unknown>;
  const text = record.message ?? record.text;
  if (typeof text !== 'string' || !text.trim()) return undefined;
  const author = record.username ?? record.userAddress ?? record.user;
  return { text, at: receivedAt, raw: data, ...(typeof author === 'string' && author ? { author } : {}) };
}

/** Follows a coin's chat until disposed, reconnecting after drops; messages go to `onMessage`. */
export function followChat(base: string, mint: string, onMessage: (message: ChatMessage) => void, onProblem: (problem: string) => void): () => void {
  let socket: WebSocket | undefined;
  let closed = false;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let silence: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;
  /** The server pings every pingInterval; nothing for pingInterval + pingTimeout means the line is dead. */
  let deadAfterMs = 45_000;
  const again = (): void => {
    clearTimeout(silence);
    // 2 s, doubling to a minute, so a dead chat server is not asked every moment.
    if (!closed) retry = setTimeout(connect, Math.min(60_000, 2000 * 2 ** Math.min(failures++, 5)));
  };
  const alive = (): void => {
    clearTimeout(silence);
    silence = setTimeout(() => socket?.terminate(), deadAfterMs);
  };
  const connect = (): void => {
    if (closed) return;
    try {
      socket = new WebSocket(socketIoUrl(base), { handshakeTimeout: 10_000, maxPayload: 1024 * 1024, headers: { Origin: 'https://pump.fun' } });
    } catch (error) {
      onProblem(String(error));
      again();
      return;
    }
    alive();
    socket.on('message', (raw, isBinary) => {
      if (isBinary) return;
      alive();
      const frame = String(raw);
      if (frame.startsWith('0')) {
        try {
          const open = JSON.parse(frame.slice(1)) as { pingInterval?: number; pingTimeout?: number };
          if (open.pingInterval && open.pingTimeout) deadAfterMs = open.pingInterval + open.pingTimeout;
        } catch {
          // The defaults stand.
        }
        socket?.send('40');
      } else if (frame === '2') socket?.send('3');
      else if (frame.startsWith('40')) {
        failures = 0;
        socket?.send(`42${JSON.stringify(['joinRoom', { roomId: mint, username: '' }])}`);
      } else if (frame.startsWith('41') || frame.startsWith('44')) {
        // The server left the namespace or refused it: connect again later.
        onProblem(`the chat server ${frame.startsWith('44') ? 'refused the connection' : 'disconnected'}: ${frame.slice(2, 200)}`);
        socket?.close();
      } else if (frame.startsWith('42')) {
        try {
          const [name, data] = JSON.parse(frame.slice(2)) as [unknown, unknown];
          if (name !== 'newMessage') return;
          const message = chatMessageOf(data, Date.now());
          if (message) onMessage(message);
        } catch {
          // Not an event this client reads.
        }
      }
    });
    socket.on('error', (error) => onProblem(String(error)));
    socket.on('close', again);
  };
  connect();
  return () => {
    closed = true;
    clearTimeout(retry);
    clearTimeout(silence);
    socket?.close();
  };
}
