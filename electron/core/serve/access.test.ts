import { describe, expect, it } from 'vitest';
import {
  allowedHostHeaders,
  extractToken,
  generateToken,
  isHostAllowed,
  isLoopbackHost,
  isOriginAllowed,
  tokensMatch,
} from './access';

describe('Host header checks (DNS rebinding)', () => {
  const allowed = allowedHostHeaders('127.0.0.1', 8787);
  it('accepts the loopback names of this port', () => {
    for (const host of ['127.0.0.1:8787', 'localhost:8787', 'LOCALHOST:8787', '[::1]:8787']) {
      expect(isHostAllowed(host, allowed)).toBe(true);
    }
  });
  it('refuses other names, other ports and a missing header', () => {
    for (const host of ['evil.example:8787', '127.0.0.1:9999', 'localhost', undefined]) {
      expect(isHostAllowed(host, allowed)).toBe(false);
    }
  });
  it('a specific non-loopback bind adds its own address; a wildcard bind accepts any Host', () => {
    expect(isHostAllowed('192.168.1.5:80', allowedHostHeaders('192.168.1.5', 80))).toBe(true);
    expect(isHostAllowed('evil.example:80', allowedHostHeaders('192.168.1.5', 80))).toBe(false);
    expect(allowedHostHeaders('0.0.0.0', 80)).toBe('any');
  });
  it('knows loopback addresses', () => {
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('127.8.0.1')).toBe(true);
    expect(isLoopbackHost('::1')).toBe(true);
    expect(isLoopbackHost('0.0.0.0')).toBe(false);
    expect(isLoopbackHost('10.0.0.1')).toBe(false);
  });
});

describe('Origin checks (CSRF on the WebSocket)', () => {
  it('accepts the same origin or none, refuses any other', () => {
    expect(isOriginAllowed('http://127.0.0.1:8787', '127.0.0.1:8787')).toBe(true);
    expect(isOriginAllowed(undefined, '127.0.0.1:8787')).toBe(true);
    expect(isOriginAllowed('http://evil.example', '127.0.0.1:8787')).toBe(false);
    expect(isOriginAllowed('http://localhost:8787', '127.0.0.1:8787')).toBe(false);
    expect(isOriginAllowed('null', '127.0.0.1:8787')).toBe(false);
  });
});

describe('tokens', () => {
  it('reads the token from the query, a bearer header or the cookie', () => {
    const url = new URL('http://x/?token=abc');
    expect(extractToken(url, undefined, undefined)).toBe('abc');
    expect(extractToken(new URL('http://x/'), undefined, 'Bearer t1')).toBe('t1');
    expect(extractToken(new URL('http://x/'), 'a=1; haven_token=t%202', undefined)).toBe('t 2');
    expect(extractToken(new URL('http://x/'), 'other=1', undefined)).toBeUndefined();
  });
  it('compares tokens exactly', () => {
    const token = generateToken();
    expect(token.length).toBeGreaterThanOrEqual(32);
    expect(tokensMatch(token, token)).toBe(true);
    expect(tokensMatch(token.slice(1), token)).toBe(false);
    expect(tokensMatch(undefined, token)).toBe(false);
    expect(generateToken()).not.toBe(token);
  });
});
