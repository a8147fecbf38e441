/**
 * Secrets in plugin configs: fields whose schema carries `secret: true` (`.meta({secret: true})`
 * in zod). Their values never reach logs or the renderer.
 */

type JsonSchema = Record<string, unknown>;

/** Dot paths of secret fields (`token`, `auth.password`). */
export function secretPaths(schema: JsonSchema, prefix = ''): string[] {
  const properties = schema.properties;
  if (typeof properties !== 'object' || properties === null) return [];
  const paths: string[] = [];
  for (const [key, child] of Object.entries(properties as Record<string, JsonSchema>)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (child.secret === true) paths.push(path);
    else if (child.type === 'object') paths.push(...secretPaths(child, path));
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
