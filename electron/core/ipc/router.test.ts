import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from '@shared/ipc/client';
import type { HavenError } from '@shared/ipc/errors';
import { errorOf } from '@shared/testing/errorOf';
import { memoryProtocolPair } from '@shared/ipc/transports/memory';
import { IpcRouter } from './router';
import { testContract, testHandlers } from './testContract';

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

function setup() {
  const test = testHandlers();
  const warnings: string[] = [];
  const router = new IpcRouter(testContract, test.handlers, { logger: { warn: (m) => warnings.push(m) } });
  const [serverEnd, clientEnd] = memoryProtocolPair();
  const connection = router.connect(serverEnd, 'memory');
  const client = createClient<typeof testContract>(clientEnd);
  const received: unknown[] = [];
  clientEnd.onMessage((m) => received.push(m));
  return { ...test, router, client, clientEnd, serverEnd, connection, warnings, received };
}

let cleanup: (() => void)[] = [];
afterEach(() => {
  for (const fn of cleanup) fn();
  cleanup = [];
});

function tracked<T extends { router: IpcRouter<typeof testContract> }>(value: T): T {
  cleanup.push(() => value.router.dispose());
  return value;
}

describe('IpcRouter calls', () => {
  it('answers a valid call, applying schema defaults', async () => {
    const { client } = tracked(setup());
    await expect(client.call('test.echo', { text: 'ab' })).resolves.toEqual({ text: 'ab' });
    await expect(client.call('test.echo', { text: 'ab', times: 2 })).resolves.toEqual({ text: 'abab' });
  });

  it('rejects invalid input with INVALID_INPUT naming the call and the field', async () => {
    const { client } = tracked(setup());
    const error = await errorOf(client.call('test.echo', { text: 5 } as never));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toMatch(/^test\.echo: input\.text: /);
  });

  it('rejects unknown keys (strict inputs)', async () => {
    const { client } = tracked(setup());
    const error = await errorOf(client.call('test.echo', { text: 'a', extra: 1 } as never));
    expect(error.code).toBe('INVALID_INPUT');
  });

  it('answers an unknown call with UNKNOWN_CALL, including prototype names', async () => {
    const { client } = tracked(setup());
    for (const name of ['nope', '__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      const error = await errorOf(client.call(name as never, {} as never));
      expect(error.code).toBe('UNKNOWN_CALL');
      expect(error.message.startsWith(`${name}: `)).toBe(true);
    }
  });

  it('passes a HavenError through and wraps any other throw as INTERNAL', async () => {
    const { client } = tracked(setup());
    const notFound = await errorOf(client.call('test.fail', { code: 'NOT_FOUND' }));
    expect(notFound.toPayload()).toEqual({ code: 'NOT_FOUND', message: 'test.fail: no such thing' });
    const crash = await errorOf(client.call('test.fail', { code: 'crash' }));
    expect(crash.toPayload()).toEqual({ code: 'INTERNAL', message: 'test.fail: kaboom' });
  });

  it('refuses output that breaks the contract instead of sending it', async () => {
    const { client, warnings } = tracked(setup());
    const error = await errorOf(client.call('test.badOutput', {}));
    expect(error.code).toBe('INVALID_OUTPUT');
    expect(warnings.some((w) => w.includes('breaks the contract'))).toBe(true);
  });

  it('answers a malformed frame with BAD_MESSAGE, echoing its id when it has one', async () => {
    const { clientEnd, received } = tracked(setup());
    clientEnd.send({ kind: 'call', id: 7, name: 42 });
    clientEnd.send('not even an object');
    await flush();
    expect(received).toEqual([
      expect.objectContaining({ kind: 'result', id: 7, ok: false, error: expect.objectContaining({ code: 'BAD_MESSAGE' }) }),
      expect.objectContaining({ kind: 'result', id: null, ok: false, error: expect.objectContaining({ code: 'BAD_MESSAGE' }) }),
    ]);
  });

  it('rejects pending calls with UNAVAILABLE when the connection closes', async () => {
    const { client, clientEnd } = tracked(setup());
    const pending = client.call('test.slow', { ms: 200 });
    clientEnd.close();
    const error = await errorOf(pending);
    expect(error.code).toBe('UNAVAILABLE');
    expect(error.message).toMatch(/^test\.slow: connection to Core closed/);
  });

  it('times out a call Core does not answer', async () => {
    const { client } = tracked(setup());
    const error = await errorOf(client.call('test.slow', { ms: 500 }, { timeoutMs: 20 }));
    expect(error.code).toBe('TIMEOUT');
  });
});

describe('IpcRouter events', () => {
  it('streams events, throttled per key, and stops after unsubscribe', async () => {
    const { client, progress, subscriberCount } = tracked(setup());
    const seen: { jobId: string; bytes: number }[] = [];
    const sub = client.subscribe('test.progress', {}, { onData: (d) => seen.push(d) });
    await flush();
    expect(subscriberCount()).toBe(1);
    for (let i = 1; i <= 20; i++) progress.fire({ jobId: 'a', bytes: i });
    progress.fire({ jobId: 'b', bytes: 1 });
    await flush();
    expect(seen).toEqual([
      { jobId: 'a', bytes: 1 },
      { jobId: 'b', bytes: 1 },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(seen.at(-1)).toEqual({ jobId: 'a', bytes: 20 });
    sub.dispose();
    await flush();
    expect(subscriberCount()).toBe(0);
    progress.fire({ jobId: 'a', bytes: 99 });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(seen.some((d) => d.bytes === 99)).toBe(false);
  });

  it("delivers every value of a 'all' stream, repeated ones included, in order", async () => {
    const { client, occurrences } = tracked(setup());
    const seen: number[] = [];
    client.subscribe('test.occurrences', {}, { onData: (d) => seen.push(d.n) });
    await flush();
    for (const n of [1, 1, 2, 2, 2, 3]) occurrences.fire({ n });
    await flush();
    expect(seen).toEqual([1, 1, 2, 2, 2, 3]);
  });

  it('ends a subscription with INVALID_INPUT for bad params and UNKNOWN_EVENT for a bad name', async () => {
    const { client } = tracked(setup());
    const ends: HavenError[] = [];
    client.subscribe('test.progress', { jobId: 3 } as never, { onData: () => undefined, onEnd: (e) => e && ends.push(e) });
    client.subscribe('nope' as never, {} as never, { onData: () => undefined, onEnd: (e) => e && ends.push(e) });
    client.subscribe('test.failing', {}, { onData: () => undefined, onEnd: (e) => e && ends.push(e) });
    await flush();
    await flush();
    expect(ends.map((e) => [e.code, e.message.split(':')[0]])).toEqual([
      ['INVALID_INPUT', 'test.progress'],
      ['UNKNOWN_EVENT', 'nope'],
      ['UNAVAILABLE', 'test.failing'],
    ]);
  });

  it('disposes every subscription of a connection when it closes', async () => {
    const { client, clientEnd, subscriberCount } = tracked(setup());
    client.subscribe('test.progress', {}, { onData: () => undefined });
    client.subscribe('test.progress', { jobId: 'x' }, { onData: () => undefined });
    await flush();
    expect(subscriberCount()).toBe(2);
    clientEnd.close();
    await flush();
    expect(subscriberCount()).toBe(0);
  });

  it('counts open connections and forgets closed ones', async () => {
    const { router, clientEnd } = tracked(setup());
    expect(router.connectionCount).toBe(1);
    clientEnd.close();
    await flush();
    expect(router.connectionCount).toBe(0);
  });
});
