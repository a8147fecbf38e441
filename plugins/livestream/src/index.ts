import { HavenError, definePlugin, z } from '@haven/sdk';

export const configSchema = z.object({
  output_dir: z.string().optional(),
  segment_duration: z.number().int().min(2).max(24 * 3600).default(600).describe('Seconds per recorded file.'),
  watchdog_timeout: z.number().int().min(5).max(3600).default(30).describe('Seconds without new media before reconnecting.'),
  max_duration: z.number().int().min(0).default(0).describe('Stop after this many seconds; 0 means until the stream ends.'),
  remux_on_finish: z.boolean().default(true).describe('Join the segments into one MP4 when the recording ends.'),
  resolver: z.enum(['none', 'streamlink', 'yt-dlp']).default('none').describe('Resolve page URLs to stream URLs with this tool.'),
});

const NOT_YET = 'Live recording is not implemented yet (it lands with the live recording work)';

export default definePlugin({
  configSchema,
  setup(ctx) {
    return {
      async healthCheck() {
        const ffmpeg = await ctx.which('ffmpeg');
        return { status: 'warn', componentId: 'recorder', output: `${NOT_YET}. ffmpeg: ${ffmpeg ?? 'not found'}` };
      },
      record() {
        throw new HavenError('NOT_IMPLEMENTED', NOT_YET);
      },
    };
  },
});
