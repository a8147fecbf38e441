import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { configJsonSchema } from './configJsonSchema';

describe('configJsonSchema', () => {
  it('keeps plain patterns for the form, and leaves flagged ones (which JSON Schema cannot carry) to zod', () => {
    const schema = z.object({ plain: z.string().regex(/^UC[\w-]+$/), folded: z.string().regex(/^abc$/i), unicode: z.string().regex(/^\p{L}+$/u) });
    const properties = configJsonSchema(schema).properties as Record<string, Record<string, unknown>>;
    expect(properties.plain).toMatchObject({ type: 'string', pattern: '^UC[\\w-]+$' });
    expect(properties.folded).not.toHaveProperty('pattern');
    expect(properties.unicode).not.toHaveProperty('pattern');
  });
});
