import fs from 'node:fs';
import path from 'node:path';
import { HavenError, checkTools, definePlugin, probe, runTool, type JobHandle, type MediaItem, type ProcessResultInput } from '@haven/sdk';
import { configSchema } from './config';
import { OUTPUT, isSilent, labelFor, measureArgs, normalizeArgs, parseLoudnorm, passPercent, reported, type Target } from './loudnorm';

export { configSchema };

const OUTPUT_NAME = `normalised.${OUTPUT.extension}`;
const FILTERS = ['loudnorm', 'aresample'];
/** ffmpeg's stderr kept: loudnorm prints its figures at the very end of a long log. */
const STDERR_TAIL = 256 * 1024;

export default definePlugin({
  configSchema,
  setup(ctx) {
    async function process(item: MediaItem, job: JobHandle): Promise<ProcessResultInput> {
      const target: Target = { target_lufs: ctx.config.target_lufs, true_peak: ctx.config.true_peak, lra: ctx.config.lra };
      if (!fs.existsSync(item.path)) throw new HavenError('NOT_FOUND', `the archived file is missing: ${item.path}`);
      for (const tool of ['ffmpeg', 'ffprobe'] as const) {
        if (!(await ctx.which(tool))) throw new HavenError('NOT_FOUND', `${tool} is not installed: install ffmpeg (it brings ffprobe) to normalise loudness`);
      }
      fs.mkdirSync(item.derivedDir, { recursive: true });
      const cwd = item.derivedDir;
      job.progress({ phase: 'probing', percent: 0 });
      const info = await probe(ctx, item.path, { signal: job.signal, cwd });
      const audio = info.streams.find((stream) => stream.type === 'audio');
      if (!audio) return { derived: [], skipped: 'the file has no audio stream' };
      const stream = audio.index;
      const duration = item.duration && item.duration > 0 ? item.duration : info.duration;
      const progress = (pass: 1 | 2) => (seconds: number) => {
        const percent = passPercent(pass, seconds, duration);
        job.progress({ phase: pass === 1 ? 'measuring' : 'normalising', ...(percent !== undefined ? { percent } : {}) });
      };

      job.progress({ phase: 'measuring', percent: 0 });
      const first = await runTool(ctx, 'ffmpeg', measureArgs(item.path, target, stream), { signal: job.signal, cwd, onSeconds: progress(1), stderrTail: STDERR_TAIL });
      const measured = parseLoudnorm(first.stderr);
      const input = { input_i: reported(measured.input_i), input_tp: reported(measured.input_tp), input_lra: reported(measured.input_lra), input_thresh: reported(measured.input_thresh) };
      const targets = { target_i: target.target_lufs, target_tp: target.true_peak, target_lra: target.lra };
      if (isSilent(measured)) {
        return { derived: [], skipped: `the audio is silent (integrated loudness ${input.input_i} LUFS): there is nothing to normalise`, metadata: { ...input, ...targets } };
      }

      const final = path.join(item.derivedDir, OUTPUT_NAME);
      const part = `${final}.part`;
      job.progress({ phase: 'normalising', percent: 45 });
      try {
        const second = await runTool(ctx, 'ffmpeg', normalizeArgs(item.path, part, target, measured, stream), { signal: job.signal, cwd, onSeconds: progress(2), stderrTail: STDERR_TAIL });
        if (!fs.existsSync(part) || fs.statSync(part).size === 0) throw new HavenError('INTERNAL', 'ffmpeg wrote no audio');
        const result = parseLoudnorm(second.stderr);
        fs.renameSync(part, final);
        if (result.normalization_type !== 'linear') {
          ctx.logger.info('loudnorm could not reach the target with a constant gain and compressed dynamically', { item: item.id, ...input, ...targets });
        }
        job.progress({ phase: 'done', percent: 100 });
        return {
          derived: [{ path: final, kind: 'audio', mime: OUTPUT.mime, label: labelFor(target) }],
          metadata: {
            ...input,
            ...targets,
            target_offset: reported(measured.target_offset),
            output_i: reported(result.output_i),
            output_tp: reported(result.output_tp),
            output_lra: reported(result.output_lra),
            normalization_type: result.normalization_type,
          },
        };
      } finally {
        fs.rmSync(part, { force: true });
      }
    }

    return {
      healthCheck: () => checkTools(ctx, { filters: FILTERS }, 'loudness', `normalises to ${ctx.config.target_lufs} LUFS (true peak ${ctx.config.true_peak} dBTP, LRA ${ctx.config.lra} LU)`),
      process,
    };
  },
});
