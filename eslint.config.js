// Lint: typescript-eslint plus the process boundaries of the architecture (docs/architecture.md).
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const NODE_BUILTINS = [
  'node:*',
  'fs',
  'fs/*',
  'path',
  'os',
  'child_process',
  'http',
  'https',
  'net',
  'crypto',
  'url',
  'util',
  'stream',
  'events',
  'worker_threads',
  'better-sqlite3',
  'ws',
  'conf',
  'electron-store',
];

/** `no-restricted-imports` with patterns and a message per group (a group is globs, or a RegExp source). */
function restrict(...groups) {
  return {
    'no-restricted-imports': [
      'error',
      {
        patterns: groups.map(([group, message]) =>
          typeof group === 'string' ? { regex: group, message } : { group, message },
        ),
      },
    ],
  };
}

const ELECTRON = ['^electron(/.*)?$', 'Only electron/main and electron/preload may import electron.'];

export default tseslint.config(
  {
    ignores: ['out/**', 'dist/**', 'plugins/**/dist/**', 'node_modules/**', 'coverage/**', 'e2e/.results/**', 'bench/.work/**', '**/*.d.ts'],
  },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-console': 'error',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      // Advice for the React Compiler, which this app does not use (TanStack Virtual trips it).
      'react-hooks/incompatible-library': 'off',
      ...restrict(
        ELECTRON,
        [['**/electron/**', '@core/*'], 'The renderer talks to Core only through the contract in shared/ipc.'],
        [NODE_BUILTINS, 'The renderer runs in a browser sandbox: no Node modules.'],
      ),
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: restrict(
      ELECTRON,
      [['**/electron/**', '**/renderer/**', '**/plugins/**'], 'shared/ imports nothing from electron/, renderer/ or plugins/.'],
      [NODE_BUILTINS, 'shared/ runs in Core, plugins and the renderer alike: no Node modules.'],
    ),
  },
  {
    files: ['shared/**/*.test.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['electron/core/**/*.ts', 'electron/cli/**/*.ts'],
    rules: restrict(
      ELECTRON,
      [['**/main/**', '**/preload/**', '**/renderer/**'], 'Core and the CLI must not depend on the Electron shell or the UI.'],
    ),
  },
  {
    files: ['plugins/**/*.ts'],
    rules: restrict(
      ELECTRON,
      [
        ['@shared/*', '**/shared/**', '**/electron/**', '**/renderer/**'],
        'Plugins import only the public SDK: `@haven/sdk`.',
      ],
    ),
  },
  {
    // A plugin's tests run it inside a real Core, so they may use Core and the test helpers.
    files: ['plugins/**/*.test.ts'],
    rules: restrict(ELECTRON),
  },
  {
    files: ['e2e/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.{ts,mjs}', '**/*.test.ts', '*.config.ts'],
    rules: { 'no-console': 'off' },
  },
);
