import path from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

const alias = {
  '@shared': path.resolve(import.meta.dirname, 'shared'),
  '@haven/sdk': path.resolve(import.meta.dirname, 'shared/sdk/index.ts'),
};

export default defineConfig({
  main: {
    resolve: { alias },
    build: {
      outDir: 'out/main',
      // The CLI and `haven serve` run this output in plain Node 20 as well as in Electron.
      target: 'node20',
      rollupOptions: {
        input: {
          index: path.resolve(import.meta.dirname, 'electron/main/index.ts'),
          cli: path.resolve(import.meta.dirname, 'electron/cli/index.ts'),
          'plugin-host': path.resolve(import.meta.dirname, 'electron/core/plugins/host/entry.ts'),
          'plugin-host-loader': path.resolve(import.meta.dirname, 'electron/core/plugins/host/loader.ts'),
          sdk: path.resolve(import.meta.dirname, 'shared/sdk/index.ts'),
        },
        // Entries keep their exports (the SDK is imported by plugins).
        preserveEntrySignatures: 'strict',
      },
    },
  },
  preload: {
    resolve: { alias },
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: path.resolve(import.meta.dirname, 'electron/preload/index.ts') },
        // Sandboxed preloads must be CommonJS.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: path.resolve(import.meta.dirname, 'renderer'),
    base: './',
    resolve: { alias },
    plugins: [react()],
    build: {
      outDir: path.resolve(import.meta.dirname, 'out/renderer'),
      minify: true,
      sourcemap: true,
      rollupOptions: { input: path.resolve(import.meta.dirname, 'renderer/index.html') },
    },
  },
});
