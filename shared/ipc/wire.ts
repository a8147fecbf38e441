import { z } from 'zod';
import { ERROR_CODES, type ErrorPayload as ErrorPayloadShape } from './errors';

const ErrorPayload = z.object({ code: z.enum(ERROR_CODES), message: z.string() });

/**
 * The frames every transport carries. Transports only move these objects (as JSON text over
 * WebSocket, by structured clone over a MessagePort); the router and client never know which.
 */
const Id = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const Name = z.string().min(1).max(128);

export const ClientFrame = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('call'), id: Id, name: Name, input: z.unknown() }),
  z.object({ kind: z.literal('subscribe'), id: Id, name: Name, params: z.unknown() }),
  z.object({ kind: z.literal('unsubscribe'), id: Id }),
]);
export type ClientFrame = z.infer<typeof ClientFrame>;

/** Server frames as a schema, for tests and tools; the client checks them with `isServerFrame`. */
export const ServerFrameSchema = z.union([
  z.object({ kind: z.literal('result'), id: Id, ok: z.literal(true), output: z.unknown() }),
  /** `id` is null when the frame that failed carried no usable id. */
  z.object({ kind: z.literal('result'), id: Id.nullable(), ok: z.literal(false), error: ErrorPayload }),
  z.object({ kind: z.literal('event'), id: Id, data: z.unknown() }),
  z.object({ kind: z.literal('end'), id: Id, error: ErrorPayload.optional() }),
]);
export type ServerFrame =
  | { kind: 'result'; id: number; ok: true; output: unknown }
  | { kind: 'result'; id: number | null; ok: false; error: ErrorPayloadShape }
  | { kind: 'event'; id: number; data: unknown }
  | { kind: 'end'; id: number; error?: ErrorPayloadShape };

/** Frames larger than this are refused by every transport (uploads use their own, larger cap). */
export const MAX_FRAME_BYTES = 1024 * 1024;
