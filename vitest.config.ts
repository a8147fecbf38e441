import path from 'node:path';
import { defineConfig } from 'vitest/config';

const alias = {
  '@shared': path.resolve(import.meta.dirname, 'shared'),
  '@haven/sdk': path.resolve(import.meta.dirname, 'shared/sdk/index.ts'),
};

const sources = ['shared', 'electron', 'renderer', 'plugins', 'scripts'];

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          include: sources.map((dir) => `${dir}/**/*.test.{ts,tsx}`),
          exclude: ['**/*.int.test.ts', '**/*.fault.test.ts', '**/node_modules/**'],
          environment: 'node',
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'integration',
          include: sources.map((dir) => `${dir}/**/*.int.test.ts`),
          exclude: ['**/*.fault.test.ts', '**/node_modules/**'],
          environment: 'node',
          pool: 'forks',
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        // Faults (issue 12): killed processes, broken servers, a full disk, floods. Same settings
        // as integration: real Core, real plugin hosts, the built app (`npm run build` first).
        resolve: { alias },
        test: {
          name: 'faults',
          include: sources.map((dir) => `${dir}/**/*.fault.test.ts`),
          exclude: ['**/node_modules/**'],
          environment: 'node',
          pool: 'forks',
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
