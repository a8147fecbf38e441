import crypto from 'node:crypto';
import net from 'node:net';

export const TOKEN_COOKIE = 'haven_token';

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  return bare === 'localhost' || bare === '::1' || (net.isIPv4(bare) && bare.startsWith('127.'));
}

function isWildcard(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  return bare === '0.0.0.0' || bare === '::';
}

/**
 * Host headers a request may carry. Checking them defeats DNS rebinding: a page on
 * evil.example that resolves to 127.0.0.1 still sends `Host: evil.example`.
 * A wildcard bind accepts any Host (the token still guards it).
 */
export function allowedHostHeaders(bindHost: string, port: number): Set<string> | 'any' {
  if (isWildcard(bindHost)) return 'any';
  const names = new Set(LOOPBACK_NAMES.map((name) => `${name}:${port}`));
  const bracketed = net.isIPv6(bindHost) ? `[${bindHost}]` : bindHost;
  names.add(`${bracketed.toLowerCase()}:${port}`);
  return names;
}

export function isHostAllowed(hostHeader: string | undefined, allowed: Set<string> | 'any'): boolean {
  if (!hostHeader) return false;
  if (allowed === 'any') return true;
  return allowed.has(hostHeader.toLowerCase());
}

/**
 * A browser always sends Origin on a WebSocket upgrade; it must be this server's own origin.
 * Clients that are not browsers (the CLI) send none and are judged by the token alone.
 */
export function isOriginAllowed(origin: string | undefined, hostHeader: string | undefined): boolean {
  if (origin === undefined) return true;
  if (!hostHeader) return false;
  return origin.toLowerCase() === `http://${hostHeader.toLowerCase()}` || origin.toLowerCase() === `https://${hostHeader.toLowerCase()}`;
}

export function extractToken(requestUrl: URL, cookieHeader: string | undefined, authorization: string | undefined): string | undefined {
  const fromQuery = requestUrl.searchParams.get('token');
  if (fromQuery) return fromQuery;
  if (authorization?.startsWith('Bearer ')) return authorization.slice('Bearer '.length).trim();
  if (cookieHeader) {
    for (const part of cookieHeader.split(';')) {
      const [name, ...rest] = part.trim().split('=');
      if (name === TOKEN_COOKIE) {
        try {
          return decodeURIComponent(rest.join('='));
        } catch {
          return undefined;
        }
      }
    }
  }
  return undefined;
}

export function tokensMatch(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = crypto.createHash('sha256').update(given).digest();
  const b = crypto.createHash('sha256').update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}

export function generateToken(): string {
  return crypto.randomBytes(24).toString('base64url');
}

export const MIN_TOKEN_LENGTH = 16;

/**
 * The read-only token of podcast feeds, derived from the access token: podcast apps (and the
 * services some of them fetch through) get this one, which opens `/feeds/…`, `/files/…` and
 * `/derived/…` for reading, never the UI or the WebSocket.
 */
export function feedTokenFor(token: string): string {
  return crypto.createHmac('sha256', token).update('haven podcast feeds').digest('base64url').slice(0, 32);
}
