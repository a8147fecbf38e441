import { z } from '@haven/sdk';

const feedRule = z.object({
  feed: z.url().optional().describe('Apply to this feed only; all feeds when empty.'),
  must_contain: z.string().default('').describe('Words the title must contain (space-separated).'),
  must_not_contain: z.string().default('').describe('Words that rule an item out (space-separated).'),
  regex: z
    .string()
    .refine((value) => {
      try {
        new RegExp(value, 'i');
        return true;
      } catch {
        return false;
      }
    }, 'must be a valid regular expression')
    .optional()
    .describe('A regular expression the title must match.'),
  episode_filter: z
    .string()
    .regex(/^(\d+x\d+(-\d*)?(;\d+x\d+(-\d*)?)*;?)?$/, 'must look like 1x1-12;2x1- (season x episodes)')
    .default('')
    .describe('Episodes to take, such as 1x1-12;2x1-'),
  ignore_days: z.number().int().min(0).default(0).describe('After a match, ignore further matches for this many days.'),
  add_paused: z.boolean().default(false).describe('Add what this rule takes as paused jobs, to start by hand.'),
});

export const configSchema = z.object({
  rss_feeds: z.array(z.url()).default([]).describe('RSS or Atom feeds with .torrent enclosures or magnet links.'),
  max_torrents: z.number().int().min(1).max(100).default(5).describe('Torrents active at once; the rest wait.'),
  output_dir: z.string().optional(),
  max_bandwidth_up: z.number().int().min(0).default(0).describe('KiB/s; 0 means unlimited.'),
  max_bandwidth_down: z.number().int().min(0).default(0).describe('KiB/s; 0 means unlimited.'),
  feed_rules: z.array(feedRule).default([]),
  seed_after_download: z.boolean().default(true).describe('Keep sharing a finished torrent from output_dir until a seeding limit is reached.'),
  seed_ratio_limit: z.number().min(0).default(1).describe('Stop seeding at this upload/download ratio; 0 means never stop by ratio.'),
  seed_time_limit: z.number().int().min(0).default(0).describe('Stop seeding after this many minutes; 0 means no limit.'),
  watch_folder: z.string().optional().describe('Add .torrent files dropped into this folder.'),
  dht: z.boolean().default(true).describe('Find peers through the DHT (off for private trackers).'),
  local_peer_discovery: z.boolean().default(true).describe('Find peers on the local network.'),
  port_forwarding: z.boolean().default(true).describe('Ask the router to forward the port (UPnP and NAT-PMP).'),
  utp: z.boolean().default(true).describe('Also connect over uTP.'),
  trackers: z.array(z.url()).default([]).describe('Extra announce URLs for every torrent.'),
  port: z.number().int().min(0).max(65535).default(6881),
  max_connections: z.number().int().min(1).max(1000).default(55),
});

export type BitTorrentConfig = z.output<typeof configSchema>;
