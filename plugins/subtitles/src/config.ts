import { z } from '@haven/sdk';

export const configSchema = z.object({
  languages: z
    .array(z.string().regex(/^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$/, 'a language code such as en, de or pt-BR'))
    .max(50)
    .default([])
    .describe('Languages to keep (en, de, pt-BR; en also keeps en-US and eng). Empty: every language. Subtitles of unknown language are always kept.'),
  sidecars: z.boolean().default(true).describe('Also take subtitle files beside the original with its name (video.en.vtt, video.srt, video.de.ass), as yt-dlp writes them.'),
});

export type SubtitlesConfig = z.output<typeof configSchema>;
