import { z } from 'zod';
import type { PluginManifestInput } from './manifest';
import type { PluginContext, PluginHooks } from './types';

export type ConfigSchema = z.ZodObject;

export interface PluginDefinition<S extends ConfigSchema = ConfigSchema> {
  readonly __havenPlugin: 1;
  /** Optional copy of plugin.json; when given, the host checks that name and version agree. */
  readonly manifest?: PluginManifestInput;
  readonly configSchema: S;
  /** Keys of `ctx.state` carried over a hot reload. */
  readonly preserveOnReload: readonly string[];
  readonly setup: (ctx: PluginContext<z.output<S>>) => PluginHooks | Promise<PluginHooks>;
}

export interface PluginDefinitionInput<S extends ConfigSchema> {
  manifest?: PluginManifestInput;
  configSchema?: S;
  preserveOnReload?: readonly string[];
  setup: (ctx: PluginContext<z.output<S>>) => PluginHooks | Promise<PluginHooks>;
}

/**
 * Declares a plugin. Export the result as the module's default export:
 *
 *   export default definePlugin({ configSchema: z.object({...}), setup(ctx) { return { archive() {...} } } });
 */
export function definePlugin<S extends ConfigSchema = z.ZodObject<Record<string, never>>>(
  definition: PluginDefinitionInput<S>,
): PluginDefinition<S> {
  return {
    __havenPlugin: 1,
    ...(definition.manifest ? { manifest: definition.manifest } : {}),
    configSchema: (definition.configSchema ?? z.object({})) as S,
    preserveOnReload: definition.preserveOnReload ?? [],
    setup: definition.setup,
  };
}

export function isPluginDefinition(value: unknown): value is PluginDefinition {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { __havenPlugin?: unknown }).__havenPlugin === 1 &&
    typeof (value as { setup?: unknown }).setup === 'function' &&
    (value as { configSchema?: unknown }).configSchema instanceof z.ZodObject
  );
}

/** Marks a config field as a secret: never logged, never sent to the UI in clear. */
export function secret<T extends z.ZodType>(schema: T): T {
  return schema.meta({ secret: true }) as T;
}
