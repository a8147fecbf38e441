import fs from 'node:fs';
import path from 'node:path';
import { HavenError, checkTools, definePlugin, probe, runTool, type JobHandle, type MediaItem, type ProcessResultInput } from '@haven/sdk';
import { coverArgs, stripArgs, stripTimes, thumbnailArgs, thumbnailTime } from './args';
import { configSchema } from './config';

export { configSchema };

const THUMBNAIL = 'thumbnail.jpg';
const PREVIEW = 'preview.jpg';
const FILTERS = ['scale', 'setsar', 'thumbnail', 'trim', 'setpts', 'concat', 'tile', 'format'];

export default definePlugin({
  configSchema,
  setup(ctx) {
    /**
     * Runs ffmpeg to write `<name>.part` in the item's folder and renames it to `<name>` when
     * ffmpeg made a picture. False when it made none (a seek past the last frame).
     */
    async function jpeg(item: MediaItem, job: JobHandle, name: string, args: (output: string) => string[]): Promise<string | undefined> {
      const final = path.join(item.derivedDir, name);
      const part = `${final}.part`;
      fs.rmSync(part, { force: true });
      try {
        await runTool(ctx, 'ffmpeg', args(part), { signal: job.signal, cwd: item.derivedDir });
        if (!fs.existsSync(part) || fs.statSync(part).size === 0) return undefined;
        fs.renameSync(part, final);
        return final;
      } finally {
        fs.rmSync(part, { force: true });
      }
    }

    async function process(item: MediaItem, job: JobHandle): Promise<ProcessResultInput> {
      const config = ctx.config;
      if (!fs.existsSync(item.path)) throw new HavenError('NOT_FOUND', `the archived file is missing: ${item.path}`);
      for (const tool of ['ffmpeg', 'ffprobe'] as const) {
        if (!(await ctx.which(tool))) throw new HavenError('NOT_FOUND', `${tool} is not installed: install ffmpeg (it brings ffprobe) to make thumbnails`);
      }
      fs.mkdirSync(item.derivedDir, { recursive: true });
      job.progress({ phase: 'probing', percent: 0 });
      const info = await probe(ctx, item.path, { signal: job.signal, cwd: item.derivedDir });
      const videoStream = info.streams.find((stream) => stream.type === 'video' && !stream.cover);
      const coverStream = info.streams.find((stream) => stream.type === 'video' && stream.cover);

      if (!videoStream) {
        if (!coverStream) {
          return { derived: [], skipped: info.streams.some((stream) => stream.type === 'audio') ? 'audio only, without cover art: there is no picture to make a thumbnail from' : 'the file has no video stream or picture' };
        }
        const cover = coverStream.index;
        job.progress({ phase: 'thumbnail', percent: 20, message: 'cover art' });
        const made = await jpeg(item, job, THUMBNAIL, (output) => coverArgs(item.path, output, { width: config.width, streamIndex: cover }));
        if (!made) throw new HavenError('INTERNAL', 'ffmpeg could not read the cover art of this file');
        job.progress({ phase: 'done', percent: 100 });
        return {
          derived: [{ path: made, kind: 'thumbnail', mime: 'image/jpeg', label: `Cover art (${config.width} px)` }],
          metadata: { thumbnail_from: 'cover art', width: config.width },
        };
      }

      const duration = item.duration && item.duration > 0 ? item.duration : info.duration;
      const video = videoStream.index;
      const derived: NonNullable<ProcessResultInput['derived']> = [];
      const metadata: Record<string, unknown> = { width: config.width };

      let at = thumbnailTime(duration);
      job.progress({ phase: 'thumbnail', percent: 10, message: `frame near ${at} s` });
      let thumbnail = await jpeg(item, job, THUMBNAIL, (output) => thumbnailArgs(item.path, output, { seconds: at, width: config.width, streamIndex: video }));
      if (!thumbnail && at > 0) {
        // The duration was wrong (the seek passed the last frame): take the start instead.
        ctx.logger.warn('no frame at the chosen time, using the start', { item: item.id, seconds: at });
        at = 0;
        thumbnail = await jpeg(item, job, THUMBNAIL, (output) => thumbnailArgs(item.path, output, { seconds: 0, width: config.width, streamIndex: video }));
      }
      if (!thumbnail) throw new HavenError('INTERNAL', 'ffmpeg found no frame it could decode in this video');
      derived.push({ path: thumbnail, kind: 'thumbnail', mime: 'image/jpeg', label: `Thumbnail (${config.width} px)` });
      metadata.thumbnail_seconds = at;

      if (config.preview_frames > 0) {
        const times = stripTimes(duration, config.preview_frames);
        if (times.length === 0) {
          metadata.preview = 'not made: the length of the video is unknown';
        } else {
          job.progress({ phase: 'preview', percent: 50, message: `${times.length} frames` });
          const strip = await jpeg(item, job, PREVIEW, (output) => stripArgs(item.path, output, { times, width: config.preview_width, streamIndex: video }));
          if (strip) {
            derived.push({ path: strip, kind: 'preview', mime: 'image/jpeg', label: `Preview strip (${times.length} frames)` });
            metadata.preview_seconds = times;
          } else {
            ctx.logger.warn('ffmpeg made no preview strip (a frame time past the end?)', { item: item.id, times });
            metadata.preview = 'not made: ffmpeg found no frame at some of the times';
          }
        }
      }
      job.progress({ phase: 'done', percent: 100 });
      return { derived, metadata };
    }

    return {
      healthCheck: () => checkTools(ctx, { filters: FILTERS }, 'thumbnails', `makes ${ctx.config.width} px thumbnails${ctx.config.preview_frames ? ` and ${ctx.config.preview_frames}-frame preview strips` : ''}`),
      process,
    };
  },
});
