import { z } from '@haven/sdk';

export const configSchema = z.object({
  target_lufs: z.number().min(-70).max(-5).default(-16).describe('Integrated loudness to reach, in LUFS (-16 suits podcasts and phones, -23 is EBU R128 broadcast).'),
  true_peak: z.number().min(-9).max(0).default(-1.5).describe('Highest true peak allowed, in dBTP.'),
  lra: z.number().min(1).max(50).default(11).describe('Loudness range target, in LU; a wider input is compressed to it.'),
});

export type LoudnessConfig = z.output<typeof configSchema>;
