// A plugin needs no build step: plain JavaScript that imports the SDK. Read docs/plugins.md.
import { definePlugin, z } from '@haven/sdk';

export default definePlugin({
  configSchema: z.object({
    greeting: z.string().min(1).default('Hello').describe('How to greet.'),
  }),

  setup(ctx) {
    async function greet(name) {
      const count = ((await ctx.storage.get('greeted')) ?? 0) + 1;
      await ctx.storage.set('greeted', count);
      return `${ctx.config.greeting}, ${name}! (greeting number ${count})`;
    }

    return {
      async initialize() {
        ctx.logger.info(`${ctx.name} ready`, { greeting: ctx.config.greeting });
      },

      healthCheck() {
        return { status: 'pass', componentId: ctx.name, output: `greeting is "${ctx.config.greeting}"` };
      },

      api: {
        // Other plugins that list HelloPlugin under "dependencies" may call this.
        greet,
      },

      // Buttons on the plugin's page (and `haven plugins action hello …`).
      actions: {
        greet: {
          label: 'Greet',
          description: 'Greets someone and counts it.',
          input: { label: 'Name', placeholder: 'Ada', required: true },
          run: (name) => greet(name),
        },
        'reset-count': {
          label: 'Reset the count',
          async run() {
            const before = (await ctx.storage.get('greeted')) ?? 0;
            await ctx.storage.set('greeted', 0);
            return `The count was ${before}; it starts again from 0.`;
          },
        },
      },
    };
  },
});
