import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createClient } from '@shared/ipc/client';
import { ERROR_CODES } from '@shared/ipc/errors';
import { memoryProtocolPair } from '@shared/ipc/transports/memory';
import { ServerFrameSchema } from '@shared/ipc/wire';
import { IpcRouter } from './router';
import { testContract, testHandlers } from './testContract';

const settle = () => new Promise((resolve) => setTimeout(resolve, 5));
const names = [...Object.keys(testContract.calls), ...Object.keys(testContract.events)];

/** Frames that look almost right: the kinds of mistakes a buggy or hostile client makes. */
const nearlyFrames = fc.record(
  {
    kind: fc.oneof(fc.constantFrom('call', 'subscribe', 'unsubscribe'), fc.string()),
    id: fc.oneof(fc.nat(), fc.integer(), fc.double(), fc.string(), fc.constant(null)),
    name: fc.oneof(fc.constantFrom(...names, '__proto__', 'constructor'), fc.string({ maxLength: 300 })),
    input: fc.oneof(fc.anything(), fc.record({ text: fc.anything(), times: fc.anything() })),
    params: fc.anything(),
  },
  { requiredKeys: [] },
);

const payloads = fc.oneof(fc.anything(), nearlyFrames, fc.string(), fc.array(fc.anything()));

describe('IpcRouter under random and malformed payloads', () => {
  it('answers every frame with a well-formed frame, errors are typed, and it keeps serving', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(payloads, { minLength: 1, maxLength: 25 }), async (batch) => {
        const test = testHandlers();
        const router = new IpcRouter(testContract, test.handlers);
        const [serverEnd, clientEnd] = memoryProtocolPair();
        router.connect(serverEnd, 'fuzz');
        const replies: unknown[] = [];
        clientEnd.onMessage((frame) => replies.push(frame));
        for (const payload of batch) {
          try {
            clientEnd.send(payload);
          } catch {
            // structuredClone cannot copy some values (a transport would refuse them too).
          }
        }
        await settle();
        for (const reply of replies) {
          const parsed = ServerFrameSchema.safeParse(reply);
          expect(parsed.success).toBe(true);
          if (parsed.success && 'error' in parsed.data && parsed.data.error) {
            expect(ERROR_CODES).toContain(parsed.data.error.code);
            expect(parsed.data.error.message.length).toBeGreaterThan(0);
          }
        }
        // Still serving on the same connection.
        const client = createClient<typeof testContract>(clientEnd);
        await expect(client.call('test.echo', { text: 'ok' })).resolves.toEqual({ text: 'ok' });
        router.dispose();
      }),
      { numRuns: 300 },
    );
  });

  it('answers every call frame with exactly one result for its id', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({ name: fc.oneof(fc.constantFrom(...names), fc.string()), input: fc.anything() }),
          { minLength: 1, maxLength: 20 },
        ),
        async (calls) => {
          const router = new IpcRouter(testContract, testHandlers().handlers);
          const [serverEnd, clientEnd] = memoryProtocolPair();
          router.connect(serverEnd, 'fuzz');
          const results = new Map<number, number>();
          clientEnd.onMessage((frame) => {
            const f = frame as { kind: string; id: number };
            if (f.kind === 'result') results.set(f.id, (results.get(f.id) ?? 0) + 1);
          });
          calls.forEach((call, index) => {
            if (call.name === 'test.slow') return;
            try {
              clientEnd.send({ kind: 'call', id: index, name: call.name, input: call.input });
            } catch {
              results.set(index, 1);
            }
          });
          await settle();
          calls.forEach((call, index) => {
            if (call.name !== 'test.slow') expect(results.get(index)).toBe(1);
          });
          router.dispose();
        },
      ),
      { numRuns: 200 },
    );
  });
});
