import { z } from 'zod';

export const Theme = z.enum(['system', 'light', 'dark']);
export type Theme = z.infer<typeof Theme>;

/** One step of a pipeline: a PROCESS plugin, by name. */
export const PipelineStep = z.strictObject({
  plugin: z.string().min(1).max(64),
  enabled: z.boolean().default(true),
});
export type PipelineStep = z.infer<typeof PipelineStep>;

/** Steps run in order after an item of the source plugin is archived. */
export const Pipeline = z.array(PipelineStep).max(16);

/** What `pipelines.dryRun` answers: each step, whether it would run on the item, and why. */
export const PipelineDryRun = z.object({
  source: z.string(),
  item: z.object({ id: z.number().int(), title: z.string(), mime: z.string().optional() }).optional(),
  steps: z.array(
    z.object({
      plugin: z.string(),
      runs: z.boolean(),
      reason: z.string(),
      produces: z.array(z.string()),
    }),
  ),
});
export type PipelineDryRun = z.infer<typeof PipelineDryRun>;

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
  /** Desktop app: closing the window keeps Haven running in the system tray. */
  closeToTray: z.boolean().default(true),
  /** Set once the "Haven is still running in the tray" notice has been shown. */
  closeToTrayNoticeShown: z.boolean().default(false),
  /** Desktop app: start with the window hidden, in the tray. */
  startMinimized: z.boolean().default(false),
  /** Desktop app: start Haven when the user logs in (hidden, in the tray). */
  launchAtLogin: z.boolean().default(false),
  /** Desktop app: system notifications for finished and failed jobs and for live streams. */
  notifications: z.boolean().default(true),
  /** Desktop app: keep notifications quiet without turning them off. */
  doNotDisturb: z.boolean().default(false),
  /**
   * Desktop app: the release feed electron-updater reads (a generic-provider URL); empty: never
   * check. https only: an update is code that runs, and a deb update installs as root.
   */
  updateFeedUrl: z.union([z.literal(''), z.url({ protocol: /^https$/ }).max(2048)]).default(''),
  /** Post-processing per source plugin (by name): processors run in order after each archive. */
  pipelines: z
    .record(z.string().min(1).max(64), Pipeline)
    .refine((pipelines) => Object.keys(pipelines).length <= 64, 'at most 64 pipelines')
    .default({}),
});
export type AppSettings = z.infer<typeof AppSettings>;

export const AppSettingsPatch = AppSettings.partial().strict();
export type AppSettingsPatch = z.infer<typeof AppSettingsPatch>;
