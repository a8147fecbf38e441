import type { ChatMessage } from '@haven/sdk';

const AUTHOR_KEYS = ['author', 'username', 'user', 'name', 'nick', 'sender'];
const TEXT_KEYS = ['text', 'message', 'content', 'msg', 'body'];

function pick(record: Record<string, unknown>, keys: string[]): unknown {
  for (const key of keys) if (record[key] !== undefined && record[key] !== null) return record[key];
  return undefined;
}

function nameOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) {
    const inner = pick(value as Record<string, unknown>, ['name', 'username', 'display_name', 'id']);
    return typeof inner === 'string' ? inner : undefined;
  }
  return undefined;
}

/**
 * A chat frame as the recorder keeps it: JSON with the usual author/text keys (text frames
 * that are not JSON are the text itself). Frames without text (joins, pings) are not messages.
 */
export function chatMessageOf(frame: string, receivedAt: number): ChatMessage | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(frame);
  } catch {
    return frame.trim() ? { text: frame, at: receivedAt } : undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const record = parsed as Record<string, unknown>;
  const text = pick(record, TEXT_KEYS);
  if (typeof text !== 'string' || !text.trim()) return undefined;
  const author = nameOf(pick(record, AUTHOR_KEYS));
  // Timed by arrival on Haven's clock, the recording's own timeline (the sender's time stays in raw).
  return { text, at: receivedAt, raw: parsed, ...(author ? { author } : {}) };
}
