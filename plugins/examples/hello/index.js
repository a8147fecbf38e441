// A plugin needs no build step: plain JavaScript that imports the SDK. Read docs/plugins.md.
import { definePlugin, z } from '@haven/sdk';

export default definePlugin({
  configSchema: z.object({
    greeting: z.string().min(1).default('Hello').describe('How to greet.'),
  }),

  setup(ctx) {
    return {
      async initialize() {
        ctx.logger.info(`${ctx.name} ready`, { greeting: ctx.config.greeting });
      },

      healthCheck() {
        return { status: 'pass', componentId: ctx.name, output: `greeting is "${ctx.config.greeting}"` };
      },

      api: {
        // Other plugins that list HelloPlugin under "dependencies" may call this.
        async greet(name) {
          const count = ((await ctx.storage.get('greeted')) ?? 0) + 1;
          await ctx.storage.set('greeted', count);
          return `${ctx.config.greeting}, ${name}! (greeting number ${count})`;
        },
      },
    };
  },
});
