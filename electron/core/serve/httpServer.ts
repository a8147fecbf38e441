import fs from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import { pipeline } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { HavenError } from '@shared/ipc/errors';
import type { Disposable } from '@shared/lifecycle';
import type { MessagePassingProtocol } from '@shared/ipc/protocol';
import type { Logger } from '../log';
import {
  TOKEN_COOKIE,
  allowedHostHeaders,
  extractToken,
  feedTokenFor,
  isHostAllowed,
  isOriginAllowed,
  tokensMatch,
} from './access';
import { sendFile } from './fileResponse';
import { DERIVED_FILE_PATH, ITEM_FILE_PATH, resolveItemRequest } from './itemFiles';
import { contentSecurityPolicy, contentTypeFor, itemFileSecurityPolicy, resolveAsset } from './staticAssets';
import { serverWebSocketProtocol } from './websocketTransport';
import { FEED_PATH, podcastFeed } from './podcastFeed';

/** A Host header fit to build absolute URLs from: a name or address and a port, nothing else. */
const SAFE_HOST = /^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:\d{1,5})?$/;
import type { LibraryItem } from '@shared/domain/library';

export interface HttpServerOptions {
  host: string;
  port: number;
  token: string;
  rendererDir: string;
  /** The file (or folder) of a library item, for `/files/<id>` and `/files/<id>/<path inside>` (downloads and the player). */
  fileForItem?: (id: number) => string | undefined;
  /** A source plugin's playable items, newest first, for its podcast feed at `/feeds/<plugin>.xml`. */
  feedFor?: (plugin: string) => { plugin: string; items: LibraryItem[] } | undefined;
  /** A processor's file (a thumbnail) by its id, for `/derived/<id>`. */
  fileForDerived?: (id: number) => Promise<string | undefined>;
  /** Where MP4 copies of MPEG-TS segments are kept for the player (`?as=mp4`). */
  playableCacheDir?: string;
  /** Serves the contract over one connection; returns the handle that ends it. */
  connect: (protocol: MessagePassingProtocol, transport: string) => Disposable;
  logger: Logger;
  /** WebSocket connections at most (default 64); an upgrade over it gets a 503 saying so. */
  maxConnections?: number;
  /**
   * TCP connections at most, HTTP and WebSocket together (default 256); the server closes one
   * over it at once, unanswered (a flood is not worth an answer), and logs that it did.
   */
  maxSockets?: number;
  /** The socket is closed above this; frames between MAX_FRAME_BYTES and this get TOO_LARGE. */
  hardMaxPayload?: number;
}

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly host: string;
  close(): Promise<void>;
}

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': contentSecurityPolicy(),
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/**
 * `haven serve`: the renderer over HTTP and the contract over WebSocket at `/ws`. Every request
 * needs the token (query, cookie or bearer) and a Host header naming this server; upgrades
 * from a foreign Origin are refused.
 */
function parseRequestUrl(raw: string | undefined): URL | undefined {
  try {
    return new URL(raw ?? '/', 'http://haven.invalid');
  } catch {
    return undefined;
  }
}

export async function startHttpServer(options: HttpServerOptions): Promise<RunningServer> {
  const { logger } = options;
  let allowed = allowedHostHeaders(options.host, options.port);
  const maxConnections = options.maxConnections ?? 64;
  const maxSockets = options.maxSockets ?? 256;
  const sockets = new Set<net.Socket>();
  const connections = new Map<WebSocket, Disposable>();

  const wss = new WebSocketServer({ noServer: true, maxPayload: options.hardMaxPayload ?? 16 * 1024 * 1024 });
  // A connection that sends nothing is closed once headersTimeout passes; Node checks every
  // connectionsCheckingInterval (30 s by default, so a silent flood would hold its sockets far longer).
  const server = http.createServer({ connectionsCheckingInterval: 1000 }, (req, res) => {
    try {
      handleHttp(req, res);
    } catch (error) {
      logger.warn('serve: request failed', { error: String(error) });
      if (!res.headersSent) res.writeHead(500).end('internal error');
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  // Every connection holds a file descriptor, and they are shared with the database and the
  // plugins: over the bound, Node closes new connections before reading a byte.
  server.maxConnections = maxSockets;
  const refusals = refusalLog(logger);
  server.on('drop', () => refusals.note(`more than ${maxSockets} connections are open: new ones are closed unanswered until some close`));

  const deny = (res: http.ServerResponse, status: number, message: string): void => {
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS });
    res.end(`Haven: ${message}\n`);
  };

  const feedToken = feedTokenFor(options.token);

  function handleHttp(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (!isHostAllowed(req.headers.host, allowed)) {
      deny(res, 403, 'this Host is not allowed.');
      return;
    }
    const url = parseRequestUrl(req.url);
    if (!url) {
      deny(res, 400, 'bad request.');
      return;
    }
    const token = extractToken(url, req.headers.cookie, req.headers.authorization);
    // The feed token opens only feeds and archived and derived files, read-only: not the UI or the WebSocket.
    const feedRoute = FEED_PATH.test(url.pathname) || ITEM_FILE_PATH.test(url.pathname) || DERIVED_FILE_PATH.test(url.pathname);
    const feedAccess = feedRoute && (req.method === 'GET' || req.method === 'HEAD') && tokensMatch(url.searchParams.get('feed') ?? undefined, feedToken);
    if (!feedAccess && !tokensMatch(token, options.token)) {
      deny(res, 401, 'open the address printed by `haven serve` (it carries the access token).');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      deny(res, 405, 'method not allowed.');
      return;
    }
    const feedMatch = FEED_PATH.exec(url.pathname);
    if (feedMatch && options.feedFor) {
      const found = options.feedFor(feedMatch[1]!);
      if (!found) {
        deny(res, 404, 'no such plugin.');
        return;
      }
      // Podcast clients fetch enclosures by URL alone, so each carries the read-only feed token.
      const host = req.headers.host ?? '';
      if (!SAFE_HOST.test(host)) {
        deny(res, 400, 'bad Host header.');
        return;
      }
      const origin = `http://${host}`;
      const feed = `feed=${encodeURIComponent(feedToken)}`;
      const xml = podcastFeed({
        ...found,
        fileUrl: (id) => `${origin}/files/${id}?${feed}`,
        derivedUrl: (id) => `${origin}/derived/${id}?${feed}`,
        appUrl: `${origin}/`,
      });
      res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'application/rss+xml; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : xml);
      return;
    }
    const derivedMatch = DERIVED_FILE_PATH.exec(url.pathname);
    if (derivedMatch && options.fileForDerived) {
      void options.fileForDerived(Number(derivedMatch[1])).then((file) => {
        if (file) sendFile(req, res, file, false, { ...SECURITY_HEADERS, 'Content-Security-Policy': itemFileSecurityPolicy() });
        else deny(res, 404, 'not found.');
      });
      return;
    }
    const fileMatch = ITEM_FILE_PATH.exec(url.pathname);
    if (fileMatch && options.fileForItem) {
      const download = url.searchParams.get('download') === '1';
      void resolveItemRequest(options.fileForItem(Number(fileMatch[1])), fileMatch[2], url.searchParams.get('as') === 'mp4', options.playableCacheDir).then((found) => {
        if ('file' in found) sendFile(req, res, found.file, download, { ...SECURITY_HEADERS, 'Content-Security-Policy': itemFileSecurityPolicy() });
        else deny(res, found.status, found.message);
      });
      return;
    }
    const file = resolveAsset(options.rendererDir, url.pathname);
    if (!file || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      deny(res, 404, 'not found.');
      return;
    }
    const headers: Record<string, string> = {
      ...SECURITY_HEADERS,
      'Content-Type': contentTypeFor(file),
      'Cache-Control': file.endsWith('.html') ? 'no-store' : 'private, max-age=3600',
    };
    if (url.searchParams.has('token')) {
      headers['Set-Cookie'] = `${TOKEN_COOKIE}=${encodeURIComponent(options.token)}; HttpOnly; SameSite=Strict; Path=/`;
    }
    res.writeHead(200, headers);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    pipeline(fs.createReadStream(file), res, (error) => {
      if (error) logger.debug('serve: response ended early', { error: String(error) });
    });
  }

  server.on('upgrade', (req, socket, head) => {
    // Nothing a client sends before the upgrade may take Core down: errors end the socket.
    socket.on('error', (error) => logger.debug('serve: upgrade socket error', { error: String(error) }));
    const refuse = (status: number, text: string, message = ''): void => {
      const body = message ? `Haven: ${message}\n` : '';
      if (!socket.destroyed) {
        socket.end(
          `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\n${body ? 'Content-Type: text/plain; charset=utf-8\r\n' : ''}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
        );
      }
    };
    try {
      handleUpgrade(req, socket, head, refuse);
    } catch (error) {
      logger.debug('serve: bad upgrade request', { error: String(error) });
      refuse(400, 'Bad Request');
    }
  });

  function handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer, refuse: (status: number, text: string, message?: string) => void): void {
    const url = parseRequestUrl(req.url);
    if (!url) return refuse(400, 'Bad Request');
    if (url.pathname !== '/ws') return refuse(404, 'Not Found');
    if (!isHostAllowed(req.headers.host, allowed)) return refuse(403, 'Forbidden');
    if (!isOriginAllowed(req.headers.origin, req.headers.host)) return refuse(403, 'Forbidden');
    if (!tokensMatch(extractToken(url, req.headers.cookie, req.headers.authorization), options.token)) {
      return refuse(401, 'Unauthorized');
    }
    if (connections.size >= maxConnections) {
      const message = `too many connections (${maxConnections} open): close another tab or client of this Haven, or try again later.`;
      refusals.note(`a WebSocket was refused: ${maxConnections} are open`);
      return refuse(503, 'Service Unavailable', message);
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const handle = options.connect(serverWebSocketProtocol(ws), 'websocket');
      connections.set(ws, handle);
      let alive = true;
      ws.on('pong', () => (alive = true));
      const ping = setInterval(() => {
        if (!alive) {
          ws.terminate();
          return;
        }
        alive = false;
        ws.ping();
      }, 30_000);
      ws.on('close', () => {
        clearInterval(ping);
        connections.get(ws)?.dispose();
        connections.delete(ws);
      });
      ws.on('error', (error) => logger.debug('serve: websocket error', { error: String(error) }));
    });
  }

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      if (error.code === 'EADDRINUSE') {
        reject(
          new HavenError(
            'CONFLICT',
            `port ${options.port} on ${options.host} is already in use: choose another with --port (or --port 0 for any free port)`,
          ),
        );
      } else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN') {
        reject(new HavenError('INVALID_INPUT', `cannot listen on ${options.host}: no such address on this machine`));
      } else if (error.code === 'EACCES') {
        reject(new HavenError('UNAVAILABLE', `not allowed to listen on port ${options.port} (choose a port above 1023)`));
      } else {
        reject(new HavenError('UNAVAILABLE', `cannot listen on ${options.host}:${options.port} (${error.message})`));
      }
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(options.port, options.host);
  });

  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  allowed = allowedHostHeaders(options.host, port);
  const displayHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `http://${displayHost}:${port}/?token=${encodeURIComponent(options.token)}`;

  return {
    url,
    port,
    host: options.host,
    async close() {
      for (const [ws, handle] of connections) {
        handle.dispose();
        ws.close(1001, 'Core is stopping');
      }
      connections.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Browsers keep idle sockets open; do not let them hold the shutdown.
        setTimeout(() => {
          for (const socket of sockets) socket.destroy();
        }, 500).unref();
      });
      wss.close();
    },
  };
}

/** Logs refusals under a flood once per REFUSAL_LOG_MS each, with how many there were, not once per connection. */
const REFUSAL_LOG_MS = 10_000;

function refusalLog(logger: Logger): { note(what: string): void } {
  const seen = new Map<string, { count: number; loggedAt: number }>();
  return {
    note(what) {
      const now = Date.now();
      const entry = seen.get(what) ?? { count: 0, loggedAt: 0 };
      entry.count++;
      if (now - entry.loggedAt >= REFUSAL_LOG_MS) {
        logger.warn(`serve: ${what}`, { times: entry.count });
        entry.count = 0;
        entry.loggedAt = now;
      }
      seen.set(what, entry);
    },
  };
}
