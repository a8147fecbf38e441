/**
 * Turns a plugin's config JSON Schema (draft-07, from zod) into form fields, and checks values
 * the way the schema does, without compiling anything at run time (the renderer's CSP forbids
 * eval). Core's zod validation on save stays the authority.
 */

export type JsonSchema = Record<string, unknown>;

interface Common {
  key: string;
  /** Dot path from the form's root: `auth.password`, `feed_rules.0.regex`. */
  path: string;
  label: string;
  help?: string;
  required: boolean;
  default?: unknown;
}

export type Field =
  | (Common & { kind: 'text' | 'url' | 'path' | 'password'; minLength?: number; maxLength?: number; pattern?: string; secret: boolean })
  | (Common & { kind: 'number' | 'integer'; minimum?: number; maximum?: number; exclusiveMinimum?: number; exclusiveMaximum?: number })
  | (Common & { kind: 'boolean' })
  | (Common & { kind: 'select'; options: string[] })
  | (Common & { kind: 'list'; item: Field; maxItems?: number; secret: boolean })
  | (Common & { kind: 'group'; fields: Field[]; secret: boolean })
  | (Common & { kind: 'groupList'; fields: Field[] })
  | (Common & { kind: 'json'; secret: boolean });

const PATH_KEY = /(_dir|_path|_file|_folder|Dir|Path|File|Folder)$/;

export function labelFor(key: string): string {
  const words = key.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1).toLowerCase();
}

/** zod's optional and nullable types come out as anyOf with a null branch: use the real one. */
function unwrap(schema: JsonSchema): JsonSchema {
  const options = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (Array.isArray(options)) {
    const real = options.filter((option) => option.type !== 'null');
    if (real.length === 1) return { ...schema, ...real[0], anyOf: undefined, oneOf: undefined };
  }
  return schema;
}

function fieldFor(key: string, path: string, raw: JsonSchema, required: boolean): Field {
  const schema = unwrap(raw);
  const common: Common = {
    key,
    path,
    label: typeof schema.title === 'string' ? schema.title : labelFor(key),
    required: required && schema.default === undefined,
    ...(typeof schema.description === 'string' ? { help: schema.description } : {}),
    ...(schema.default !== undefined ? { default: schema.default } : {}),
  };
  const secret = schema.secret === true;
  if (Array.isArray(schema.enum) && schema.enum.every((o) => typeof o === 'string')) return { ...common, kind: 'select', options: schema.enum as string[] };
  switch (schema.type) {
    case 'string': {
      const kind = secret ? 'password' : schema.format === 'uri' ? 'url' : PATH_KEY.test(key) || schema.ui === 'path' ? 'path' : 'text';
      return {
        ...common,
        kind,
        secret,
        ...(typeof schema.minLength === 'number' ? { minLength: schema.minLength } : {}),
        ...(typeof schema.maxLength === 'number' ? { maxLength: schema.maxLength } : {}),
        ...(typeof schema.pattern === 'string' ? { pattern: schema.pattern } : {}),
      };
    }
    case 'integer':
    case 'number':
      return {
        ...common,
        kind: schema.type,
        // zod writes the largest safe integer as the bound of an unbounded int: not a real limit.
        ...(typeof schema.minimum === 'number' && schema.minimum > -Number.MAX_SAFE_INTEGER ? { minimum: schema.minimum } : {}),
        ...(typeof schema.maximum === 'number' && schema.maximum < Number.MAX_SAFE_INTEGER ? { maximum: schema.maximum } : {}),
        ...(typeof schema.exclusiveMinimum === 'number' ? { exclusiveMinimum: schema.exclusiveMinimum } : {}),
        ...(typeof schema.exclusiveMaximum === 'number' ? { exclusiveMaximum: schema.exclusiveMaximum } : {}),
      };
    case 'boolean':
      return { ...common, kind: 'boolean' };
    case 'array': {
      const items = unwrap((schema.items as JsonSchema | undefined) ?? {});
      if (items.type === 'object' && items.properties) return { ...common, kind: 'groupList', fields: fieldsOf(items, `${path}.*`) };
      if (['string', 'number', 'integer'].includes(String(items.type)) || Array.isArray(items.enum)) {
        return { ...common, kind: 'list', item: fieldFor(key, `${path}.*`, items, true), secret, ...(typeof schema.maxItems === 'number' ? { maxItems: schema.maxItems } : {}) };
      }
      return { ...common, kind: 'json', secret };
    }
    case 'object':
      if (schema.properties && !schema.additionalProperties) return { ...common, kind: 'group', fields: fieldsOf(schema, path), secret };
      return { ...common, kind: 'json', secret };
    default:
      return { ...common, kind: 'json', secret };
  }
}

export function fieldsOf(schema: JsonSchema, prefix = ''): Field[] {
  const properties = (schema.properties as Record<string, JsonSchema> | undefined) ?? {};
  const required = new Set((schema.required as string[] | undefined) ?? []);
  return Object.entries(properties).map(([key, child]) => fieldFor(key, prefix ? `${prefix}.${key}` : key, child, required.has(key)));
}

function empty(value: unknown): boolean {
  return value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
}

/** The first problem with one value, as the schema sees it; undefined when it is fine. */
export function checkValue(field: Field, value: unknown): string | undefined {
  if (empty(value)) return field.required && field.kind !== 'boolean' ? 'Required.' : undefined;
  switch (field.kind) {
    case 'text':
    case 'path':
    case 'password':
    case 'url': {
      if (typeof value !== 'string') return 'Must be text.';
      if (field.minLength !== undefined && value.length < field.minLength) return `At least ${field.minLength} character${field.minLength === 1 ? '' : 's'}.`;
      if (field.maxLength !== undefined && value.length > field.maxLength) return `At most ${field.maxLength} characters.`;
      // Which schemes are allowed is the plugin's business: zod says so on save.
      if (field.kind === 'url' && !URL.canParse(value)) return 'Must be a full address, such as https://example.com/feed.xml.';
      if (field.pattern !== undefined) {
        try {
          if (!new RegExp(field.pattern).test(value)) return 'Does not have the expected form.';
        } catch {
          // A pattern this engine cannot read is left to Core's check.
        }
      }
      return undefined;
    }
    case 'integer':
    case 'number': {
      if (typeof value !== 'number' || Number.isNaN(value)) return field.kind === 'integer' ? 'Must be a whole number.' : 'Must be a number.';
      if (field.kind === 'integer' && !Number.isInteger(value)) return 'Must be a whole number.';
      if (field.minimum !== undefined && value < field.minimum) return `At least ${field.minimum}.`;
      if (field.maximum !== undefined && value > field.maximum) return `At most ${field.maximum}.`;
      if (field.exclusiveMinimum !== undefined && value <= field.exclusiveMinimum) return `More than ${field.exclusiveMinimum}.`;
      if (field.exclusiveMaximum !== undefined && value >= field.exclusiveMaximum) return `Less than ${field.exclusiveMaximum}.`;
      return undefined;
    }
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'Must be on or off.';
    case 'select':
      return field.options.includes(String(value)) ? undefined : `Must be one of ${field.options.join(', ')}.`;
    case 'list': {
      if (!Array.isArray(value)) return 'Must be a list.';
      if (field.maxItems !== undefined && value.length > field.maxItems) return `At most ${field.maxItems} entries.`;
      for (const item of value) {
        const problem = checkValue(field.item, item);
        if (problem) return `"${String(item)}": ${problem}`;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

/** Every problem in a form's values, by field path (group lists by index: `rules.0.regex`). */
export function checkAll(fields: readonly Field[], values: Record<string, unknown>, prefix = '', skip: ReadonlySet<string> = new Set()): Record<string, string> {
  const problems: Record<string, string> = {};
  for (const field of fields) {
    const path = prefix ? `${prefix}.${field.key}` : field.key;
    if (skip.has(path)) continue;
    const value = values[field.key];
    if (field.kind === 'group' && typeof value === 'object' && value !== null) {
      Object.assign(problems, checkAll(field.fields, value as Record<string, unknown>, path, skip));
    } else if (field.kind === 'groupList' && Array.isArray(value)) {
      value.forEach((item, i) => Object.assign(problems, checkAll(field.fields, (item ?? {}) as Record<string, unknown>, `${path}.${i}`, skip)));
    } else {
      const problem = checkValue(field, value);
      if (problem) problems[path] = problem;
    }
  }
  return problems;
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * A number input's text as the value the schema expects; text that is not a plain decimal
 * number (`0x10`, `1e`, `-`) stays text, so the check says so instead of saving something else.
 */
export function parseNumber(text: string): number | string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  if (!DECIMAL.test(trimmed)) return text;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : text;
}

/** The field at a dot path (`auth.password`, `rules.0.regex`), if the form has one there. */
export function fieldAt(fields: readonly Field[], path: string): Field | undefined {
  const [head, ...rest] = path.split('.');
  const field = fields.find((f) => f.key === head);
  if (!field || rest.length === 0) return field;
  if (field.kind === 'group') return fieldAt(field.fields, rest.join('.'));
  if (field.kind === 'groupList' && /^\d+$/.test(rest[0]!)) return rest.length === 1 ? field : fieldAt(field.fields, rest.slice(1).join('.'));
  return undefined;
}

/**
 * Where the form shows an issue Core reported at `path`: that field, or the nearest one that
 * holds it (a list's item `tags.2` shows at `tags`); undefined for the form as a whole.
 */
export function issueTarget(fields: readonly Field[], path: string): string | undefined {
  const segments = path === '' ? [] : path.split('.');
  for (let length = segments.length; length > 0; length--) {
    const prefix = segments.slice(0, length);
    const field = fieldAt(fields, prefix.join('.'));
    if (field && !(field.kind === 'groupList' && /^\d+$/.test(prefix.at(-1)!))) return prefix.join('.');
  }
  return undefined;
}
