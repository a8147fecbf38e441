import { HavenError, definePlugin, z } from '@haven/sdk';

export const configSchema = z.object({
  stream_ids: z.array(z.string().regex(/^[1-9A-HJ-NP-Za-km-z]{32,44}$/, 'must be a coin mint address')).default([]).describe('Coin mints whose streams to record.'),
  record_chat: z.boolean().default(true),
  segment_duration: z.number().int().min(10).max(24 * 3600).default(600).describe('Seconds per recorded file.'),
  output_dir: z.string().optional(),
  monitor: z.boolean().default(false).describe('Start recording by itself when a listed stream goes live.'),
  poll_interval: z.number().int().min(10).max(3600).default(60).describe('Seconds between live checks when monitoring.'),
  api_base_url: z.url().default('https://frontend-api-v3.pump.fun'),
});

const NOT_YET = 'pump.fun recording is not implemented yet (it lands with the live recording work)';

export default definePlugin({
  configSchema,
  setup() {
    return {
      healthCheck: () => ({ status: 'warn', componentId: 'pump.fun', output: NOT_YET }),
      discoverSources() {
        throw new HavenError('NOT_IMPLEMENTED', NOT_YET);
      },
      record() {
        throw new HavenError('NOT_IMPLEMENTED', NOT_YET);
      },
    };
  },
});
