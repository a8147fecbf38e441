import { describe, expect, it } from 'vitest';
import { redirectedInit } from './context';

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
