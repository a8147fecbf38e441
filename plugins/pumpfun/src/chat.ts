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
  const connect = (): void => {
    if (closed) return;
    socket = new WebSocket(socketIoUrl(base), { handshakeTimeout: 10_000, maxPayload: 1024 * 1024, headers: { Origin: 'https://pump.fun' } });
    socket.on('message', (raw, isBinary) => {
      if (isBinary) return;
      const frame = String(raw);
      if (frame.startsWith('0')) socket?.send('40');
      else if (frame === '2') socket?.send('3');
      else if (frame.startsWith('40')) socket?.send(`42${JSON.stringify(['joinRoom', { roomId: mint, username: '' }])}`);
      else if (frame.startsWith('42')) {
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
    socket.on('close', () => {
      if (!closed) retry = setTimeout(connect, 3000);
    });
  };
  connect();
  return () => {
    closed = true;
    clearTimeout(retry);
    socket?.close();
  };
}
