import { HavenError, definePlugin, secret, z } from '@haven/sdk';

const endpoint = z
  .string()
  .regex(/^(https?|whep|rtsp|rtsps|rtp|sip):\/?\/?\S+$/i, 'must be a whep://, https://…/whep, sip:, rtp:// or rtsp:// address');

const window = z.object({
  days: z.array(z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'])).default(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']),
  start: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM'),
  end: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM'),
});

export const configSchema = z.object({
  endpoints: z.array(endpoint).default([]).describe('Sources to capture.'),
  record_audio: z.boolean().default(true),
  record_video: z.boolean().default(true),
  output_dir: z.string().optional(),
  credentials: secret(z.record(z.string(), z.object({ username: z.string(), password: z.string() })).default({})).describe(
    'User name and password per endpoint address.',
  ),
  segment_duration: z.number().int().min(10).max(24 * 3600).default(600),
  schedule: z.array(window).default([]).describe('Record only inside these windows; always when empty.'),
});

const NOT_YET = 'WebRTC, SIP and RTSP capture is not implemented yet (it lands with the OpenRing plugin work)';

export default definePlugin({
  configSchema,
  setup() {
    return {
      healthCheck: () => ({ status: 'warn', componentId: 'openring', output: NOT_YET }),
      record() {
        throw new HavenError('NOT_IMPLEMENTED', NOT_YET);
      },
    };
  },
});
