import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from '@shared/ipc/client';
import { fromDomMessagePort } from '@shared/ipc/transports/messagePort';
import { IpcRouter } from '../core/ipc/router';
import { testContract, testHandlers } from '../core/ipc/testContract';
import { asDomMessagePort, asMessagePortMain } from '../testing/messagePortMain';
import { fromMessagePortMain } from './transport';

const open: MessagePort[] = [];
afterEach(() => {
  for (const port of open.splice(0)) port.close();
});

function connect() {
  const { port1, port2 } = new MessageChannel();
  open.push(port1, port2);
  const test = testHandlers();
  const router = new IpcRouter(testContract, test.handlers);
  router.connect(fromMessagePortMain(asMessagePortMain(port1), 1024), 'electron');
  const client = createClient<typeof testContract>(fromDomMessagePort(asDomMessagePort(port2)));
  return { ...test, router, client, port2 };
}

describe('Electron MessagePort transport', () => {
  it('carries calls and events between the main-process and renderer ends', async () => {
    const { client, progress, router } = connect();
    await expect(client.call('test.echo', { text: 'hi', times: 2 })).resolves.toEqual({ text: 'hihi' });
    const seen: number[] = [];
    client.subscribe('test.progress', {}, { onData: (d) => seen.push(d.bytes) });
    await new Promise((resolve) => setTimeout(resolve, 20));
    progress.fire({ jobId: 'j', bytes: 5 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(seen).toEqual([5]);
    router.dispose();
  });

  it('refuses frames over the size cap with TOO_LARGE and keeps serving', async () => {
    const { client, router } = connect();
    await expect(client.call('test.echo', { text: 'x'.repeat(2000) })).rejects.toMatchObject({
      code: 'TOO_LARGE',
      message: expect.stringMatching(/^test\.echo: frame: over the 1024-byte limit/),
    });
    await expect(client.call('test.echo', { text: 'small' })).resolves.toEqual({ text: 'small' });
    router.dispose();
  });

  it('ends the connection when the renderer closes its port', async () => {
    const { client, router, port2, subscriberCount } = connect();
    client.subscribe('test.progress', {}, { onData: () => undefined });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(router.connectionCount).toBe(1);
    expect(subscriberCount()).toBe(1);
    port2.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(router.connectionCount).toBe(0);
    expect(subscriberCount()).toBe(0);
  });
});
