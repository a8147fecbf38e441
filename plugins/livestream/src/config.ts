import { z } from '@haven/sdk';

export const configSchema = z.object({
  output_dir: z.string().optional(),
  segment_duration: z.number().int().min(2).max(24 * 3600).default(600).describe('Seconds per recorded file.'),
  watchdog_timeout: z.number().int().min(3).max(3600).default(30).describe('Seconds without new media before reconnecting.'),
  reconnect_window: z.number().int().min(5).max(24 * 3600).default(300).describe('Seconds a dropped stream is tried again before the recording ends.'),
  max_duration: z.number().int().min(0).default(0).describe('Stop after this many seconds; 0 means until the stream ends.'),
  remux_on_finish: z.boolean().default(true).describe('Join the segments into one MP4 when the recording ends (the segments are removed once it is checked).'),
  chat_url: z
    .string()
    .refine((value) => {
      try {
        return ['ws:', 'wss:'].includes(new URL(value).protocol);
      } catch {
        return false;
      }
    }, 'must be a ws:// or wss:// address')
    .optional()
    .describe('A WebSocket that sends the stream’s chat (JSON messages with author and text); recorded beside the video.'),
  resolver: z.enum(['none', 'streamlink', 'yt-dlp']).default('none').describe('Resolve page URLs to stream URLs with this tool.'),
});

export type LiveStreamConfig = z.output<typeof configSchema>;
