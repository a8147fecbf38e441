import { z } from '@haven/sdk';

export const configSchema = z.object({
  width: z.number().int().min(32).max(3840).default(320).describe('Width of the thumbnail in pixels; the height keeps the picture’s proportions.'),
  preview_frames: z.number().int().min(0).max(30).default(10).describe('Frames in the preview strip, side by side; 0 makes no strip.'),
  preview_width: z.number().int().min(32).max(1280).default(160).describe('Width of each frame of the preview strip in pixels.'),
});

export type ThumbnailsConfig = z.output<typeof configSchema>;
