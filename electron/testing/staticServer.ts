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
      res.writeHead(200, { 'Content-Type': contentTypeOf(file), 'Content-Length': fs.statSync(file).size });
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

const TYPES: Record<string, string> = { '.mp3': 'audio/mpeg', '.mp4': 'video/mp4', '.webm': 'video/webm', '.xml': 'application/rss+xml' };

export function contentTypeOf(file: string): string {
  return TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

export interface ThrottleOptions {
  /** Stop after this many bytes while promising the full length (a broken transfer). */
  truncateAt?: number;
  status?: number;
  contentType?: string;
  /** Range headers received (`bytes=1000-`), for tests of resumed downloads. */
  ranges?: string[];
  /** Match the query too (`/watch?v=abc`), not only the path. */
  withQuery?: boolean;
}

/**
 * Serves one file slowly (so progress can be watched and a download interrupted), honouring
 * `Range: bytes=N-` (206) so an interrupted download can resume; optionally stopping after
 * `truncateAt` bytes while promising the full length.
 */
export function throttledFile(urlPath: string, file: string, bytesPerSecond: number, options: ThrottleOptions = {}): Route {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const requested = decodeURIComponent(options.withQuery ? `${url.pathname}${url.search}` : url.pathname);
    if (requested !== urlPath) return false;
    const data = fs.readFileSync(file);
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (req.headers.range) options.ranges?.push(req.headers.range);
    const start = range ? Math.min(Number(range[1]), data.length) : 0;
    const headers: Record<string, string | number> = { 'Content-Type': options.contentType ?? contentTypeOf(file), 'Content-Length': data.length - start, 'Accept-Ranges': 'bytes' };
    if (range) headers['Content-Range'] = `bytes ${start}-${data.length - 1}/${data.length}`;
    res.writeHead(range ? 206 : (options.status ?? 200), headers);
    if (req.method === 'HEAD') {
      res.end();
      return true;
    }
    const chunk = Math.max(1024, Math.floor(bytesPerSecond / 20));
    const end = options.truncateAt ?? data.length;
    let offset = start;
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

/**
 * What one request to a `faultyFile` gets: `reset` (part of the file, then a TCP reset), `stall`
 * (headers and part of the file, then nothing while the connection stays open), `silent` (no
 * answer at all), `html` (200 with a web page where the file should be), `short` (a
 * Content-Length larger than the file, the whole file, then the connection ends), `ok`.
 */
export type SourceFault = 'reset' | 'stall' | 'silent' | 'html' | 'short' | 'ok';

/**
 * Serves `file` at `urlPath`, answering the n-th request with `plan[n]` (the last entry once the
 * plan runs out). `served` counts the requests answered, by fault.
 */
export function faultyFile(urlPath: string, file: string, plan: SourceFault[], served: SourceFault[] = []): Route {
  return (req, res) => {
    if (new URL(req.url ?? '/', 'http://x').pathname !== urlPath) return false;
    const fault = plan[Math.min(served.length, plan.length - 1)] ?? 'ok';
    served.push(fault);
    const data = fs.readFileSync(file);
    const part = data.subarray(0, Math.floor(data.length / 3));
    switch (fault) {
      case 'silent':
        return true;
      case 'html':
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end('<!DOCTYPE html><html><head><title>Sign in</title></head><body>Please sign in.</body></html>');
        return true;
      case 'reset':
        res.writeHead(200, { 'Content-Type': contentTypeOf(file), 'Content-Length': data.length });
        res.write(part, () => setTimeout(() => res.socket?.resetAndDestroy(), 50));
        return true;
      case 'stall':
        res.writeHead(200, { 'Content-Type': contentTypeOf(file), 'Content-Length': data.length });
        res.write(part);
        return true;
      case 'short':
        res.writeHead(200, { 'Content-Type': contentTypeOf(file), 'Content-Length': data.length + 4096 });
        res.write(data, () => res.socket?.end());
        return true;
      default:
        res.writeHead(200, { 'Content-Type': contentTypeOf(file), 'Content-Length': data.length }).end(data);
        return true;
    }
  };
}
