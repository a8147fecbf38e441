import { isErrorCode, type ErrorPayload } from './errors';
import type { ServerFrame } from './wire';

// Hand-written guards so that clients (the renderer) do not bundle zod; Core uses the schemas.

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isErrorPayload(value: unknown): value is ErrorPayload {
  return isRecord(value) && isErrorCode(value.code) && typeof value.message === 'string';
}

export function isServerFrame(value: unknown): value is ServerFrame {
  if (!isRecord(value)) return false;
  switch (value.kind) {
    case 'result':
      if (value.ok === true) return isId(value.id);
      return value.ok === false && (value.id === null || isId(value.id)) && isErrorPayload(value.error);
    case 'event':
      return isId(value.id);
    case 'end':
      return isId(value.id) && (value.error === undefined || isErrorPayload(value.error));
    default:
      return false;
  }
}
