import fc from 'fast-check';

/** Fixed seed and bounds for the fuzz suites: the same cases on every run, and no run may hang the suite. */
export const FUZZ = { seed: 0x4a7e12, interruptAfterTimeLimit: 4_000, markInterruptAsFailure: false } as const;

/** Pieces that break parsers and paths: separators, traversal, device names, control and wide characters. */
export const HOSTILE_TOKENS = [
  '',
  ' ',
  '.',
  '..',
  '/',
  '\\',
  '../',
  '..\\',
  '/..',
  '\0',
  '\r\n',
  '\n',
  '\t',
  'C:',
  'C:\\',
  '\\\\?\\',
  '~',
  '$HOME',
  '%(id)s',
  'CON',
  'nul',
  'aux.txt',
  'COM1',
  'LPT9.log',
  '__proto__',
  'constructor',
  '"',
  "'",
  '<',
  '>',
  '&',
  '&amp;',
  '&#0;',
  ']]>',
  '{',
  '}',
  '[',
  ']',
  '=',
  ':',
  '?',
  '*',
  '|',
  '%',
  'e',
  '-1',
  '0',
  '1e21',
  '9999999999',
  'NaN',
  '\u00e9',
  'e\u0301',
  '\u202e',
  '\u2028',
  '\ufeff',
  '\ud800',
  '\u{1f600}',
  'x'.repeat(300),
] as const;

export const hostileToken = fc.constantFrom(...HOSTILE_TOKENS);

/** Text made of hostile tokens and arbitrary characters. */
export const hostileText = (maxLength = 40): fc.Arbitrary<string> =>
  fc.array(fc.oneof(hostileToken, fc.string({ maxLength: 8 }), fc.string({ unit: 'binary', maxLength: 4 })), { maxLength }).map((parts) => parts.join(''));

type Edit = { at: number; kind: 'insert' | 'delete' | 'replace' | 'duplicate'; length: number; text: string };

const edit = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom<Edit['kind']>('insert', 'delete', 'replace', 'duplicate'),
  length: fc.nat({ max: 24 }),
  text: fc.oneof(hostileToken, fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 6 })),
});

function applyEdit(value: string, e: Edit): string {
  const at = value.length === 0 ? 0 : e.at % (value.length + 1);
  const end = Math.min(value.length, at + e.length);
  switch (e.kind) {
    case 'insert':
      return value.slice(0, at) + e.text + value.slice(at);
    case 'delete':
      return value.slice(0, at) + value.slice(end);
    case 'replace':
      return value.slice(0, at) + e.text + value.slice(end);
    case 'duplicate':
      return value.slice(0, end) + value.slice(at, end) + value.slice(end);
  }
}

/** A valid document with a few random edits: inserted, deleted, replaced or repeated pieces. */
export const mutatedText = (valid: string, maxEdits = 6): fc.Arbitrary<string> =>
  fc.array(edit, { minLength: 1, maxLength: maxEdits }).map((edits) => edits.reduce(applyEdit, valid));

type ByteEdit = { at: number; kind: 'flip' | 'set' | 'truncate' | 'delete' | 'insert' | 'duplicate'; value: number; length: number; bytes: Uint8Array };

const byteEdit = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom<ByteEdit['kind']>('flip', 'set', 'truncate', 'delete', 'insert', 'duplicate'),
  value: fc.integer({ min: 0, max: 255 }),
  length: fc.nat({ max: 64 }),
  bytes: fc.uint8Array({ maxLength: 16 }),
});

function applyByteEdit(value: Uint8Array, e: ByteEdit): Uint8Array {
  const at = value.length === 0 ? 0 : e.at % value.length;
  const end = Math.min(value.length, at + Math.max(1, e.length));
  const join = (...parts: Uint8Array[]): Uint8Array => {
    const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
    let offset = 0;
    for (const part of parts) {
      out.set(part, offset);
      offset += part.length;
    }
    return out;
  };
  switch (e.kind) {
    case 'flip': {
      const out = value.slice();
      if (out.length > 0) out[at] = out[at]! ^ (1 << e.value % 8);
      return out;
    }
    case 'set': {
      const out = value.slice();
      if (out.length > 0) out[at] = e.value;
      return out;
    }
    case 'truncate':
      return value.slice(0, at);
    case 'delete':
      return join(value.subarray(0, at), value.subarray(end));
    case 'insert':
      return join(value.subarray(0, at), e.bytes, value.subarray(at));
    case 'duplicate':
      return join(value.subarray(0, end), value.subarray(at, end), value.subarray(end));
  }
}

/** Valid bytes with a few random edits: flipped bits, set bytes, cuts, inserts, repeats. */
export const mutatedBytes = (valid: Uint8Array, maxEdits = 4): fc.Arbitrary<Uint8Array> =>
  fc.array(byteEdit, { minLength: 1, maxLength: maxEdits }).map((edits) => edits.reduce(applyByteEdit, valid));

/** Runs `fn` and measures it: a parser that takes longer than `ms` on one input counts as hanging. */
export function timed<T>(fn: () => T): { value: T; ms: number } {
  const start = Date.now();
  const value = fn();
  return { value, ms: Date.now() - start };
}
