import { HavenError } from '../ipc/errors';

/** The largest message `ctx.send` carries, and the largest payload of a plugin's event (JSON, UTF-8). */
export const MESSAGE_MAX_BYTES = 256 * 1024;
/**
 * Messages from one plugin to another that Haven holds at once (the one being handled included).
 * When they are all there, `ctx.send` waits for room instead of Haven's memory growing.
 */
export const MESSAGE_QUEUE_LIMIT = 100;
/** And at most this many bytes of them. */
export const MESSAGE_QUEUE_MAX_BYTES = 8 * 1024 * 1024;

/** Handles a message another plugin sent with `ctx.send`; the sender's queue moves on when it returns (or its promise settles). */
export type MessageHandler = (message: unknown, from: string) => void | Promise<void>;

/**
 * `value` as JSON would carry it (Dates become strings, undefined fields go), or a typed error:
 * INVALID_INPUT when it is not JSON at all (a function, a cycle, a BigInt), TOO_LARGE past `maxBytes`.
 */
export function toJsonValue(value: unknown, what: string, maxBytes = MESSAGE_MAX_BYTES): { value: unknown; bytes: number } {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new HavenError('INVALID_INPUT', `${what} must be a JSON value: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (text === undefined) throw new HavenError('INVALID_INPUT', `${what} must be a JSON value, not ${typeof value}`);
  const bytes = utf8Length(text);
  if (bytes > maxBytes) throw new HavenError('TOO_LARGE', `${what} is ${bytes} bytes of JSON; the limit is ${maxBytes}`);
  return { value: JSON.parse(text) as unknown, bytes };
}

function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      bytes += 4; // a surrogate pair
      i++;
    } else bytes += 3;
  }
  return bytes;
}
