import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export interface StaticServer {
  url: string;
  /** Paths requested so far, in order. */
  requests: string[];
  close(): Promise<void>;
}

export type Route = (req: http.IncomingMessage, res: http.ServerResponse) => boolean | Promise<boolean>;

/** A static file server on 127.0.0.1 for tests; `routes` may answer a request before the files do. */
export async function startStaticServer(root: string, routes: Route[] = []): Promise<StaticServer> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    void (async () => {
      requests.push(req.url ?? '/');
      for (const route of routes) if (await route(req, res)) return;
      const file = path.join(root, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
      if (!file.startsWith(root) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
        res.writeHead(404).end('not found');
        return;
      }
      const type = file.endsWith('.xml') ? 'application/rss+xml' : file.endsWith('.mp3') ? 'audio/mpeg' : 'application/octet-stream';
      res.writeHead(200, { 'Content-Type': type, 'Content-Length': fs.statSync(file).size });
      fs.createReadStream(file).pipe(res);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Serves one file slowly (so progress can be watched and a download interrupted), optionally
 * stopping after `truncateAt` bytes while promising the full length (a broken transfer).
 */
export function throttledFile(urlPath: string, file: string, bytesPerSecond: number, options: { truncateAt?: number; status?: number } = {}): Route {
  return (req, res) => {
    if (decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname) !== urlPath) return false;
    const data = fs.readFileSync(file);
    res.writeHead(options.status ?? 200, { 'Content-Type': 'application/octet-stream', 'Content-Length': data.length });
    const chunk = Math.max(1024, Math.floor(bytesPerSecond / 20));
    const end = options.truncateAt ?? data.length;
    let offset = 0;
    const timer = setInterval(() => {
      if (res.destroyed) {
        clearInterval(timer);
        return;
      }
      const next = Math.min(offset + chunk, end);
      res.write(data.subarray(offset, next));
      offset = next;
      if (offset >= end) {
        clearInterval(timer);
        if (end < data.length) res.destroy();
        else res.end();
      }
    }, 50);
    req.on('close', () => clearInterval(timer));
    return true;
  };
}
