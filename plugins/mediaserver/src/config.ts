import { z } from '@haven/sdk';

export const LAYOUTS = ['by-source', 'movies', 'shows'] as const;
export type Layout = (typeof LAYOUTS)[number];
export const LINK_MODES = ['hardlink', 'symlink', 'copy'] as const;
export type LinkMode = (typeof LINK_MODES)[number];

export const configSchema = z.object({
  library_dir: z
    .string()
    .max(1024)
    .optional()
    .describe('The library folder Jellyfin, Plex or Kodi scans (it must exist). Without it only the .nfo is made, in Haven’s own folder, and nothing is exported.'),
  layout: z
    .enum(LAYOUTS)
    .default('by-source')
    .describe('by-source: <channel>/<title> [<id>].ext; movies: <title> (<year>)/<title> (<year>).ext; shows: <channel>/Season <year>/<channel> - S<year>E<mmdd><nn> - <title>.ext.'),
  link_mode: z
    .enum(LINK_MODES)
    .default('hardlink')
    .describe('hardlink: no second copy (copies instead when the library is on another filesystem); symlink: a link to the archived file; copy: an independent copy.'),
});

export type MediaServerConfig = z.output<typeof configSchema>;
