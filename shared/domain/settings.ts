import { z } from 'zod';

export const Theme = z.enum(['system', 'light', 'dark']);
export type Theme = z.infer<typeof Theme>;

/** App preferences (electron-store / conf), validated on every read and write. */
export const AppSettings = z.object({
  theme: Theme.default('system'),
  /** Extra folders searched for plugins, besides the built-in and the user's plugin folders. */
  pluginDirs: z.array(z.string().min(1).max(4096)).max(32).default([]),
  maxConcurrentJobs: z.number().int().min(1).max(64).default(3),
  maxConcurrentJobsPerPlugin: z.number().int().min(1).max(64).default(2),
  /** Plugin catalogs (index URLs or files) besides the one that ships with Haven. */
  catalogs: z.array(z.string().min(1).max(4096)).max(32).default([]),
  /** Heap limit of each plugin process in MiB, unless its manifest sets maxMemoryMb. */
  pluginMemoryMb: z.number().int().min(64).max(16384).default(1024),
});
export type AppSettings = z.infer<typeof AppSettings>;

export const AppSettingsPatch = AppSettings.partial().strict();
export type AppSettingsPatch = z.infer<typeof AppSettingsPatch>;
