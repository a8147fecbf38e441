import { z } from 'zod';

/** The JSON Schema of a plugin's settings that the UI builds its form from. */
export function configJsonSchema(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, { target: 'draft-07', io: 'input', unrepresentable: 'any', override: dropFlaggedPatterns }) as Record<string, unknown>;
}

/**
 * JSON Schema keeps a regex's source but not its flags (`/…/i`), so the UI's quick check would
 * refuse what zod accepts. Such patterns are left to zod alone, on save.
 */
function dropFlaggedPatterns(ctx: { zodSchema: unknown; jsonSchema: Record<string, unknown> }): void {
  const def = (ctx.zodSchema as { _zod?: { def?: { checks?: { _zod?: { def?: { pattern?: unknown } } }[] } } })._zod?.def;
  const flagged = (def?.checks ?? []).some((check) => {
    const pattern = check._zod?.def?.pattern;
    return pattern instanceof RegExp && pattern.flags.replace(/[gy]/g, '') !== '';
  });
  if (!flagged) return;
  delete ctx.jsonSchema.pattern;
  if (Array.isArray(ctx.jsonSchema.allOf)) {
    ctx.jsonSchema.allOf = (ctx.jsonSchema.allOf as Record<string, unknown>[]).filter((part) => !('pattern' in part));
    if ((ctx.jsonSchema.allOf as unknown[]).length === 0) delete ctx.jsonSchema.allOf;
  }
}
