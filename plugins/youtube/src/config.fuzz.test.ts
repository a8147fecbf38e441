import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FUZZ, hostileText } from '@shared/testing/fuzz';
import { configSchema, templateProblem } from './config';
import { templateFor } from './ytdlp/args';

const FIELD = /%\([^)]*\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]/g;

/**
 * yt-dlp's expansion, as far as paths go: each field becomes a value yt-dlp has sanitised (no
 * separators, leading dots stripped, possibly empty), and Haven passes the template as `./…`.
 */
const expand = (template: string, values: readonly string[]): string => {
  let i = 0;
  return `./${template.replace(FIELD, () => values[i++ % values.length] ?? '')}`;
};
const sanitisedValue = fc.oneof(fc.constantFrom('', 'a', 'x.y', 'a..', 'b c', 'NA', 'abcdefghijk'), fc.stringMatching(/^[^./\\][^/\\]{0,6}$/));

const piece = fc.oneof(
  fc.constantFrom('%(title)s', '%(id)s', '%(nope|)s', '%(uploader|Unknown)s', '%(n)05d', '%(x).3s', '%(ext)s', '.', '..', '...', '/', '\\', '//', '~', 'C:', 'c:', '$HOME', ' ', 'a', '%', '%%'),
  hostileText(2),
);
const template = fc.array(piece, { minLength: 1, maxLength: 10 }).map((parts) => parts.join(''));

function expectInside(relative: string): void {
  const posix = path.posix.resolve('/out', relative);
  expect(posix === '/out' || posix.startsWith('/out/'), relative).toBe(true);
  const win = path.win32.resolve('D:\\out', relative);
  expect(win === 'D:\\out' || win.startsWith('D:\\out\\'), relative).toBe(true);
}

describe('output_template under hostile templates', () => {
  it('accepts only templates whose every expansion stays inside output_dir', () => {
    fc.assert(
      fc.property(template, fc.array(sanitisedValue, { minLength: 1, maxLength: 4 }), fc.constantFrom(undefined, 'abcdefghijk', '../../x'), (value, values, videoId) => {
        if (templateProblem(value) !== undefined) {
          expect(configSchema.safeParse({ output_template: value }).success).toBe(false);
          return;
        }
        expect(value).not.toMatch(/\$/);
        expectInside(expand(templateFor(value, videoId, 'key123'), values));
      }),
      { ...FUZZ, numRuns: 500 },
    );
    // The property can fail: these expand to a path outside.
    for (const escape of ['../x', '%(nope|)s../x', '.%(title)s./x', '/abs', 'C:x', '\\\\server\\x', '~/x']) expect(templateProblem(escape), escape).toBeDefined();
  });
});
