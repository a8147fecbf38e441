import { z } from 'zod';
import { call, defineContract, event } from '@shared/ipc/define';
import { HavenError } from '@shared/ipc/errors';
import { Emitter, toDisposable } from '@shared/lifecycle';
import type { CallHandlers, EventHandlers } from './router';

/** A small contract for router tests: echo, failures, a keyed progress stream. */
export const testContract = defineContract({
  calls: {
    'test.echo': call({
      description: 'echo',
      input: z.strictObject({ text: z.string().max(100), times: z.number().int().min(1).max(3).default(1) }),
      output: z.object({ text: z.string() }),
    }),
    'test.fail': call({ description: 'fails', input: z.strictObject({ code: z.enum(['NOT_FOUND', 'crash']) }), output: z.null() }),
    'test.badOutput': call({ description: 'breaks its contract', input: z.strictObject({}), output: z.object({ n: z.number() }) }),
    'test.slow': call({ description: 'waits', input: z.strictObject({ ms: z.number().max(5000) }), output: z.literal('done') }),
  },
  events: {
    'test.progress': event({
      description: 'keyed progress',
      params: z.strictObject({ jobId: z.string().optional() }),
      data: z.object({ jobId: z.string(), bytes: z.number() }),
      coalesce: { minIntervalMs: 100, key: (data) => data.jobId },
    }),
    'test.occurrences': event({
      description: 'every value, in order',
      params: z.strictObject({}),
      data: z.object({ n: z.number() }),
      delivery: 'all',
    }),
    'test.failing': event({
      description: 'fails on subscribe',
      params: z.strictObject({}),
      data: z.object({ n: z.number() }),
    }),
  },
});

export function testHandlers() {
  const progress = new Emitter<{ jobId: string; bytes: number }>();
  const occurrences = new Emitter<{ n: number }>();
  let subscribers = 0;
  const calls: CallHandlers<typeof testContract> = {
    'test.echo': ({ text, times }) => ({ text: text.repeat(times) }),
    'test.fail': ({ code }) => {
      if (code === 'NOT_FOUND') throw new HavenError('NOT_FOUND', 'no such thing');
      throw new TypeError('kaboom');
    },
    'test.badOutput': () => ({ n: 'not a number' }) as unknown as { n: number },
    'test.slow': async ({ ms }) => {
      await new Promise((resolve) => setTimeout(resolve, ms));
      return 'done' as const;
    },
  };
  const events: EventHandlers<typeof testContract> = {
    'test.progress': (params, sink) => {
      subscribers++;
      const sub = progress.event((value) => {
        if (!params.jobId || params.jobId === value.jobId) sink.next(value);
      });
      return toDisposable(() => {
        subscribers--;
        sub.dispose();
      });
    },
    'test.occurrences': (_params, sink) => occurrences.event((value) => sink.next(value)),
    'test.failing': () => {
      throw new HavenError('UNAVAILABLE', 'not now');
    },
  };
  return { handlers: { calls, events }, progress, occurrences, subscriberCount: () => subscribers };
}
