import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { fetchAnswered, redirectedInit } from './context';

const a = new URL('https://a.example/x');
const b = new URL('https://b.example/y');

describe('redirects followed by ctx.http', () => {
  it('turn a 303 into a GET without a body', () => {
    const next = redirectedInit({ method: 'POST', body: 'x=1', headers: { 'Content-Type': 'text/plain', Accept: '*/*' } }, 303, a, a);
    expect(next).toMatchObject({ method: 'GET', body: undefined, headers: { Accept: '*/*' } });
  });
  it('turn a POST into a GET on 301/302, but keep PUT on 307', () => {
    expect(redirectedInit({ method: 'POST', body: 'b' }, 302, a, a)).toMatchObject({ method: 'GET', body: undefined });
    expect(redirectedInit({ method: 'PUT', body: 'b' }, 307, a, a)).toMatchObject({ method: 'PUT', body: 'b' });
  });
  it('drop credentials when the origin changes, keep them on the same origin', () => {
    const headers = { Authorization: 'Bearer t', Cookie: 'c=1', Accept: 'x' };
    expect(redirectedInit({ headers }, 302, a, b).headers).toEqual({ Accept: 'x' });
    expect(redirectedInit({ headers }, 302, a, new URL('https://a.example/z')).headers).toEqual(headers);
  });
});

describe('ctx.http against a server that never answers', () => {
  it('fails with TIMEOUT once no headers came in time, instead of fetch waiting 300 s', async () => {
    const sockets: net.Socket[] = [];
    const server = net.createServer((socket) => sockets.push(socket)).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as net.AddressInfo;
    try {
      const started = Date.now();
      await expect(fetchAnswered(new URL(`http://127.0.0.1:${port}/`), {}, 300)).rejects.toMatchObject({ code: 'TIMEOUT', message: `no answer from 127.0.0.1:${port} within 300 ms` });
      expect(Date.now() - started).toBeLessThan(5000);
      // The caller's own abort stays an abort, not a timeout.
      const aborted = new AbortController();
      setTimeout(() => aborted.abort(), 50);
      await expect(fetchAnswered(new URL(`http://127.0.0.1:${port}/`), { signal: aborted.signal }, 10_000)).rejects.toMatchObject({ name: 'AbortError' });
    } finally {
      for (const socket of sockets) socket.destroy();
      server.close();
    }
  });
});
