import fs from 'node:fs';
import path from 'node:path';
import { HavenError, checkTools, definePlugin, percentOf, probe, runTool, type JobHandle, type MediaItem, type ProcessResultInput } from '@haven/sdk';
import { configSchema } from './config';
import { PRESET_INFO, ffmpegArgs, outputName, planFor } from './presets';

export { configSchema };

export default definePlugin({
  configSchema,
  setup(ctx) {
    async function process(item: MediaItem, job: JobHandle): Promise<ProcessResultInput> {
      const { preset, speed } = ctx.config;
      if (!fs.existsSync(item.path)) throw new HavenError('NOT_FOUND', `the archived file is missing: ${item.path}`);
      if (fs.statSync(item.path).isDirectory()) return { derived: [], skipped: 'the item is a folder, not one media file' };
      for (const tool of ['ffmpeg', 'ffprobe'] as const) {
        if (!(await ctx.which(tool))) throw new HavenError('NOT_FOUND', `${tool} is not installed: install ffmpeg (it brings ffprobe) to remux`);
      }
      fs.mkdirSync(item.derivedDir, { recursive: true });
      const cwd = item.derivedDir;
      job.progress({ phase: 'probing', percent: 0 });
      const info = await probe(ctx, item.path, { signal: job.signal, cwd });
      const plan = planFor(preset, info);
      if ('skipped' in plan) return { derived: [], skipped: plan.skipped };
      if (plan.fallback) ctx.logger.info(`mp4-copy re-encodes to H.264/AAC: ${plan.fallback}`, { item: item.id });

      const duration = item.duration && item.duration > 0 ? item.duration : info.duration;
      const final = path.join(item.derivedDir, outputName(item.path, plan.info.extension));
      const part = `${final}.part`;
      const phase = plan.preset.endsWith('-copy') ? 'remuxing' : 'encoding';
      job.progress({ phase, percent: 0, message: plan.label });
      try {
        await runTool(ctx, 'ffmpeg', ffmpegArgs(item.path, part, plan, speed), {
          signal: job.signal,
          cwd,
          onSeconds: (seconds) => {
            const percent = percentOf(seconds, duration);
            job.progress({ phase, ...(percent !== undefined ? { percent } : {}) });
          },
        });
        if (!fs.existsSync(part) || fs.statSync(part).size === 0) throw new HavenError('INTERNAL', 'ffmpeg wrote nothing');
        fs.renameSync(part, final);
      } finally {
        fs.rmSync(part, { force: true });
      }
      job.progress({ phase: 'done', percent: 100 });
      return {
        derived: [{ path: final, kind: plan.info.kind, mime: plan.info.mime, label: plan.label }],
        metadata: {
          preset: plan.preset,
          ...(plan.preset !== plan.requested ? { requested_preset: plan.requested, fallback_reason: plan.fallback } : {}),
          streams: plan.streams.map((stream) => `${stream.type} ${stream.codec}`),
          ...(plan.dropped.length ? { dropped: plan.dropped } : {}),
          size: fs.statSync(final).size,
        },
      };
    }

    return {
      healthCheck: () => checkTools(ctx, { encoders: PRESET_INFO[ctx.config.preset].encoders }, 'remux', `makes ${PRESET_INFO[ctx.config.preset].label} (${ctx.config.preset})`),
      process,
    };
  },
});
