import { z } from '@haven/sdk';

export const MINT = /^[1-9A-HJ-NP-Za-km-z]{32,44}$/;

export const configSchema = z.object({
  stream_ids: z.array(z.string().regex(MINT, 'must be a coin mint address')).default([]).describe('Coin mints whose streams to record.'),
  record_chat: z.boolean().default(true),
  segment_duration: z.number().int().min(10).max(24 * 3600).default(600).describe('Seconds per recorded file.'),
  output_dir: z.string().optional(),
  monitor: z.boolean().default(false).describe('Start recording by itself when a listed stream goes live.'),
  poll_interval: z.number().int().min(10).max(3600).default(60).describe('Seconds between live checks when monitoring.'),
  max_duration: z.number().int().min(0).default(0).describe('Stop a recording after this many seconds; 0 means until the stream ends.'),
  api_base_url: z.url().default('https://frontend-api-v3.pump.fun').describe('pump.fun’s coin API (the list of live streams).'),
  livestream_api_base_url: z.url().default('https://livestream-api.pump.fun').describe('pump.fun’s livestream API (a stream’s state, viewer tokens).'),
  livekit_url: z.string().regex(/^wss?:\/\//, 'must be a ws:// or wss:// address').default('wss://pump-prod-tg2x8veh.livekit.cloud').describe('The LiveKit server, when the join answer does not name one.'),
  chat_url: z.string().regex(/^wss?:\/\//, 'must be a ws:// or wss:// address').default('wss://livechat.pump.fun').describe('pump.fun’s chat server (socket.io).'),
});

export type PumpFunConfig = z.output<typeof configSchema>;
