/**
 * Secrets in plugin configs: fields whose schema carries `secret: true` (`.meta({secret: true})`
 * in zod). Their values never reach logs or the renderer.
 */

type JsonSchema = Record<string, unknown>;

/** zod's optional and nullable fields come out as anyOf/oneOf with a null branch: the real one. */
function unwrap(schema: JsonSchema): JsonSchema {
  const options = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (!Array.isArray(options)) return schema;
  const real = options.filter((option) => option.type !== 'null');
  return real.length === 1 ? { ...schema, ...real[0] } : schema;
}

/** Whether a schema is secret or holds a secret anywhere inside (any branch, item or property). */
function holdsSecret(schema: unknown): boolean {
  if (typeof schema !== 'object' || schema === null) return false;
  const node = schema as JsonSchema;
  if (node.secret === true) return true;
  const children = [
    ...((node.anyOf ?? []) as unknown[]),
    ...((node.oneOf ?? []) as unknown[]),
    ...((node.allOf ?? []) as unknown[]),
    node.items,
    node.additionalProperties,
    ...Object.values((node.properties ?? {}) as Record<string, unknown>),
  ];
  return children.some(holdsSecret);
}

/**
 * Dot paths of secret fields (`token`, `auth.password`). A list or map that holds a secret in
 * its items is secret as a whole: paths do not reach inside lists.
 */
export function secretPaths(schema: JsonSchema, prefix = ''): string[] {
  const properties = unwrap(schema).properties;
  if (typeof properties !== 'object' || properties === null) return [];
  const paths: string[] = [];
  for (const [key, raw] of Object.entries(properties as Record<string, JsonSchema>)) {
    const path = prefix ? `${prefix}.${key}` : key;
    const child = unwrap(raw);
    if (child.secret === true || raw.secret === true) paths.push(path);
    else if (child.properties && !holdsSecret(child.additionalProperties)) paths.push(...secretPaths(child, path));
    else if (holdsSecret(child)) paths.push(path);
  }
  return paths;
}

function getPath(value: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined), value);
}

function deletePath(value: Record<string, unknown>, path: string): void {
  const keys = path.split('.');
  const last = keys.pop()!;
  const parent = keys.reduce<unknown>((node, key) => (typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined), value);
  if (typeof parent === 'object' && parent !== null) Reflect.deleteProperty(parent, last);
}

/** The config without its secret values, and which secrets are set. */
export function redactConfig(config: Record<string, unknown>, paths: readonly string[]): { values: Record<string, unknown>; secrets: Record<string, boolean> } {
  const values = structuredClone(config);
  const secrets: Record<string, boolean> = {};
  for (const path of paths) {
    const value = getPath(values, path);
    secrets[path] = !isEmpty(value);
    deletePath(values, path);
  }
  return { values, secrets };
}

/** Every secret value (as text) present in a config, for scrubbing log lines. */
export function secretValues(config: Record<string, unknown>, paths: readonly string[]): string[] {
  const found: string[] = [];
  const collect = (value: unknown): void => {
    if (typeof value === 'string' || typeof value === 'number') found.push(String(value));
    else if (Array.isArray(value)) value.forEach(collect);
    else if (typeof value === 'object' && value !== null) Object.values(value).forEach(collect);
  };
  for (const path of paths) collect(getPath(config, path));
  // Very short values would scrub ordinary words; a secret that short protects nothing anyway.
  return found.filter((value) => value.length >= 4);
}

/** Replaces each secret value in a text with `***`. */
export function scrub(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) if (result.includes(secret)) result = result.split(secret).join('***');
  return result;
}

/** Scrubs secrets from any JSON-like value (log fields). */
export function scrubValue(value: unknown, secrets: readonly string[]): unknown {
  if (secrets.length === 0) return value;
  if (typeof value === 'string') return scrub(value, secrets);
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, secrets));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, scrubValue(item, secrets)]));
  }
  return value;
}

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.keys(value).length === 0;
  return false;
}
