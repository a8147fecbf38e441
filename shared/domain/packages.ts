import { z } from 'zod';
import { PluginManifest, SemverRange, SemverVersion } from '../sdk/manifest';

/** What the install dialog shows before anything is installed. */
export const PackagePreview = z.object({
  /** The staged package; install it with this id. */
  stagingId: z.string(),
  manifest: PluginManifest,
  files: z.number().int(),
  unpackedBytes: z.number(),
  sha256: z.string(),
  dependencies: z.array(
    z.object({
      name: z.string(),
      range: z.string(),
      status: z.enum(['met', 'missing', 'incompatible', 'disabled']),
      installedVersion: z.string().optional(),
    }),
  ),
  /** The installed version this would replace. */
  replaces: z
    .object({ version: z.string(), origin: z.enum(['builtin', 'user', 'extra']), direction: z.enum(['upgrade', 'downgrade', 'reinstall']) })
    .optional(),
  /** Reasons it cannot be installed; empty when it can. */
  problems: z.array(z.string()),
  readme: z.string().optional(),
});
export type PackagePreview = z.infer<typeof PackagePreview>;

/** One plugin a catalog offers. */
export const CatalogEntry = z.object({
  name: z.string(),
  version: SemverVersion,
  description: z.string().default(''),
  author: z.string().optional(),
  category: z.string().default('other'),
  capabilities: z.array(z.string()).default([]),
  permissions: z
    .object({ network: z.array(z.string()).default([]), filesystem: z.array(z.string()).default([]), binaries: z.array(z.string()).default([]), addons: z.boolean().default(false) })
    .default({ network: [], filesystem: [], binaries: [], addons: false }),
  /** Where the .havenplugin is: http(s), file:, or a path relative to the index. */
  url: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/i),
  engines: z.object({ haven: SemverRange }),
});
export type CatalogEntry = z.infer<typeof CatalogEntry>;

export const CatalogIndex = z.object({
  name: z.string().default('Catalog'),
  plugins: z.array(CatalogEntry).max(10_000),
});

export const AvailablePlugin = CatalogEntry.extend({
  catalog: z.string(),
  /** Whether this Haven can run it, and why not. */
  compatible: z.boolean(),
  incompatibleReason: z.string().optional(),
  installedVersion: z.string().optional(),
  /** Installed, and the catalog has a newer version. */
  updateAvailable: z.boolean(),
});
export type AvailablePlugin = z.infer<typeof AvailablePlugin>;
