import { HavenError } from '@shared/ipc/errors';

type JsonSchema = Record<string, unknown>;

const TRUE = ['true', 'yes', 'on', '1'];
const FALSE = ['false', 'no', 'off', '0'];

function propertiesOf(schema: JsonSchema): Record<string, JsonSchema> {
  return (schema.properties as Record<string, JsonSchema> | undefined) ?? {};
}

/** A short name for what a field expects: `an integer`, `one of best, 720p`, `a list of strings`. */
export function describeType(field: JsonSchema): string {
  if (Array.isArray(field.enum)) return `one of ${field.enum.join(', ')}`;
  switch (field.type) {
    case 'integer':
      return 'an integer';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'true or false';
    case 'array': {
      const items = (field.items as JsonSchema | undefined) ?? {};
      if (Array.isArray(items.enum)) return `a comma-separated list of: ${items.enum.join(', ')}`;
      const plural: Record<string, string> = { integer: ' of integers', number: ' of numbers', boolean: ' of true/false', object: ' of objects' };
      return `a comma-separated list${plural[String(items.type)] ?? ''}`;
    }
    case 'object':
      return 'a JSON object';
    case 'string':
      return field.format === 'uri' ? 'a URL' : 'text';
    default:
      return 'a value';
  }
}

function convert(plugin: string, key: string, field: JsonSchema, raw: string): unknown {
  const fail = (): never => {
    throw new HavenError('INVALID_INPUT', `${plugin}: ${key}: expected ${describeType(field)}, got "${raw}"`);
  };
  if (Array.isArray(field.enum)) {
    const match = field.enum.find((option) => String(option) === raw);
    return match === undefined ? fail() : match;
  }
  switch (field.type) {
    case 'integer':
      return /^-?\d+$/.test(raw.trim()) ? Number(raw) : fail();
    case 'number': {
      const value = Number(raw);
      return raw.trim() !== '' && Number.isFinite(value) ? value : fail();
    }
    case 'boolean': {
      const lower = raw.trim().toLowerCase();
      return TRUE.includes(lower) ? true : FALSE.includes(lower) ? false : fail();
    }
    case 'array': {
      const items = (field.items as JsonSchema | undefined) ?? { type: 'string' };
      if (raw.trim().startsWith('[')) {
        try {
          return JSON.parse(raw) as unknown;
        } catch {
          return fail();
        }
      }
      return raw
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part !== '')
        .map((part) => convert(plugin, key, items, part));
    }
    case 'object':
      try {
        const value = JSON.parse(raw) as unknown;
        return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : fail();
      } catch {
        return fail();
      }
    default:
      return raw;
  }
}

/**
 * Turns `--set key=value` pairs into config values using the plugin's JSON Schema: numbers,
 * booleans and enums are parsed, comma-separated values become lists. Unknown keys and values
 * of the wrong type fail with one line naming the key and what it expects.
 */
export function parseAssignments(plugin: string, schema: JsonSchema, assignments: readonly string[]): Record<string, unknown> {
  const properties = propertiesOf(schema);
  const values: Record<string, unknown> = {};
  for (const assignment of assignments) {
    const index = assignment.indexOf('=');
    if (index <= 0) throw new HavenError('INVALID_INPUT', `--set needs key=value, not "${assignment}"`);
    const key = assignment.slice(0, index).trim();
    const raw = assignment.slice(index + 1);
    const field = Object.hasOwn(properties, key) ? properties[key] : undefined;
    if (!field) {
      throw new HavenError('INVALID_INPUT', `${plugin} has no setting "${key}" (settings: ${Object.keys(properties).join(', ') || 'none'})`);
    }
    values[key] = convert(plugin, key, field, raw);
  }
  return values;
}
