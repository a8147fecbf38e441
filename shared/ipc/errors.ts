import type { z } from 'zod';

/** Error codes every transport can carry. Handlers pick the closest; INTERNAL is the last resort. */
export const ERROR_CODES = [
  'BAD_MESSAGE',
  'UNKNOWN_CALL',
  'UNKNOWN_EVENT',
  'INVALID_INPUT',
  'INVALID_OUTPUT',
  'TOO_LARGE',
  'NOT_FOUND',
  'FORBIDDEN',
  'CONFLICT',
  'UNAVAILABLE',
  'NOT_IMPLEMENTED',
  'CANCELLED',
  'TIMEOUT',
  /** A bounded queue is full and stayed full (plugin messages): try again later. */
  'BUSY',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorPayload {
  code: ErrorCode;
  message: string;
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

/** The one error type that crosses the contract: `{code, message}`. */
export class HavenError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'HavenError';
  }

  toPayload(): ErrorPayload {
    return { code: this.code, message: this.message };
  }

  static fromPayload(payload: ErrorPayload): HavenError {
    return new HavenError(payload.code, payload.message);
  }
}

export function isHavenError(value: unknown): value is HavenError {
  return value instanceof HavenError;
}

const DENIED_ACTIONS: Record<string, string> = {
  FileSystemRead: 'reading',
  FileSystemWrite: 'writing',
  ChildProcess: 'starting a program:',
  WorkerThreads: 'starting a worker thread',
  Addon: 'loading a native addon',
};

/**
 * Node's permission model (and the host's program check) refusing something, in words a user
 * can act on; undefined for any other error.
 */
export function describeAccessDenied(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || (error as { code?: unknown }).code !== 'ERR_ACCESS_DENIED') return undefined;
  const { permission, resource, message } = error as { permission?: unknown; resource?: unknown; message?: unknown };
  const detail = typeof message === 'string' ? message.replace(/^Access to this API has been restricted:? ?/, '') : '';
  if (detail) return `blocked by Haven's plugin sandbox: ${detail}`;
  const action = (typeof permission === 'string' && DENIED_ACTIONS[permission]) || 'an operation';
  const target = typeof resource === 'string' && resource ? ` ${resource}` : '';
  return `blocked by Haven's plugin sandbox: ${action}${target} is not allowed by the plugin's manifest (permissions)`;
}

/** Codes of a full disk: Node's (ENOSPC, EDQUOT for a quota) and SQLite's (via better-sqlite3). */
const DISK_FULL_CODES = new Set(['ENOSPC', 'EDQUOT', 'SQLITE_FULL']);

/** A write refused for want of space, in words a user can act on; undefined for any other error. */
export function describeDiskFull(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  if (typeof code !== 'string' || !DISK_FULL_CODES.has(code)) return undefined;
  const message = error instanceof Error ? error.message : '';
  return `disk full: nothing more can be saved (${message.startsWith(code) ? message : `${code}: ${message}`}); free some space on the drive, then try again`;
}

/** Turns anything thrown into a payload; messages of unexpected errors are kept, stacks are not. */
export function toErrorPayload(error: unknown): ErrorPayload {
  if (error instanceof HavenError) return error.toPayload();
  const denied = describeAccessDenied(error);
  if (denied) return { code: 'FORBIDDEN', message: denied };
  const full = describeDiskFull(error);
  if (full) return { code: 'UNAVAILABLE', message: full };
  // A HavenError from another copy of this module (a plugin's SDK build) has the same shape.
  if (error instanceof Error && isErrorCode((error as { code?: unknown }).code)) {
    return { code: (error as unknown as { code: ErrorCode }).code, message: error.message };
  }
  if (error instanceof Error) return { code: 'INTERNAL', message: error.message };
  return { code: 'INTERNAL', message: String(error) };
}

/** Prefix an error with the call that failed, as `plugins.list: <message>`. */
export function prefixError(name: string, payload: ErrorPayload): ErrorPayload {
  const prefix = `${name}: `;
  return payload.message.startsWith(prefix) ? payload : { code: payload.code, message: prefix + payload.message };
}

/** One line per zod issue (up to five), with the path: `input.port: expected number, received string`. */
export function describeZodError(error: z.ZodError, root: string): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const path = [root, ...issue.path.map(String)].filter(Boolean).join('.');
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
}
