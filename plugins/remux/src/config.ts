import { z } from '@haven/sdk';
import { PRESETS } from './presets';

export const configSchema = z.object({
  preset: z
    .enum(PRESETS)
    .default('mp4-copy')
    .describe(
      'What to make. mp4-copy: the same streams in an MP4 (re-encoded to H.264/AAC when they do not fit MP4); mp4-h264: H.264/AAC MP4 for any player; webm-vp9: VP9/Opus WebM; mkv-copy: the same streams in a Matroska file; audio-m4a: AAC 192k (audio items); audio-opus: Opus 128k (audio items).',
    ),
  speed: z
    .enum(['balanced', 'fastest'])
    .default('balanced')
    .describe('Encoder speed when re-encoding. balanced: x264 veryfast, VP9 good/cpu-used 4; fastest: x264 ultrafast, VP9 realtime/cpu-used 8 (bigger files, less CPU).'),
});

export type RemuxConfig = z.output<typeof configSchema>;
