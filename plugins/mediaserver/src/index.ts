import fs from 'node:fs';
import { definePlugin, type JobHandle, type MediaItem, type ProcessResultInput } from '@haven/sdk';
import { configSchema } from './config';
import { exportItem } from './export';
import { realLibrary } from './files';

export { configSchema };

export default definePlugin({
  configSchema,
  setup(ctx) {
    async function process(item: MediaItem, job: JobHandle): Promise<ProcessResultInput> {
      return exportItem(item, ctx.config, {
        signal: job.signal,
        progress: (update) => job.progress(update),
        log: (message, fields) => ctx.logger.info(message, { item: item.id, ...fields }),
        // Haven makes the links: the plugin sandbox does not let a plugin link to an original.
        link: async (source, target, symbolic) => {
          const made = await ctx.linkFile(source, target, { symbolic });
          if (!made.ok) throw Object.assign(new Error(made.message), { code: made.code });
        },
      });
    }

    return {
      async healthCheck() {
        const { library_dir: dir, layout, link_mode: mode } = ctx.config;
        if (!dir?.trim()) return { status: 'warn', componentId: 'mediaserver', output: 'library_dir is not set: only .nfo files are made, nothing is exported' };
        try {
          const real = await realLibrary(dir);
          await fs.promises.access(real, fs.constants.W_OK).catch(() => {
            throw new Error(`Haven may not write in the library folder ${real}`);
          });
          return { status: 'pass', componentId: 'mediaserver', output: `exports to ${real} (${layout}, ${mode})` };
        } catch (error) {
          return { status: 'fail', componentId: 'mediaserver', output: (error as Error).message };
        }
      },
      process,
    };
  },
});
