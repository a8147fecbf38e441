import { z } from 'zod';
import { Capability } from '../sdk/capabilities';

export const PluginOrigin = z.enum(['builtin', 'user', 'extra']);
export type PluginOrigin = z.infer<typeof PluginOrigin>;

export const PluginStatus = z.enum(['ready', 'invalid']);
export type PluginStatus = z.infer<typeof PluginStatus>;

/** What Core tells clients about one plugin it found. */
export const PluginSummary = z.object({
  /** Case-insensitive short id (`youtube`); for an invalid manifest, the folder name. */
  id: z.string(),
  name: z.string(),
  version: z.string(),
  description: z.string(),
  author: z.string().optional(),
  category: z.string(),
  capabilities: z.array(Capability),
  origin: PluginOrigin,
  path: z.string(),
  status: PluginStatus,
  enabled: z.boolean(),
  /** Why the plugin cannot be used, in words a user can act on. */
  error: z.string().optional(),
});
export type PluginSummary = z.infer<typeof PluginSummary>;
