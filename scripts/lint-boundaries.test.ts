import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The process boundaries of docs/architecture.md are lint rules; this checks that they bite.
const eslint = new ESLint({ cwd: path.resolve(import.meta.dirname, '..') });

async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('import boundaries', () => {
  it.each([
    ['shared/x.ts', "import fs from 'node:fs'; export const a = fs;"],
    ['shared/x.ts', "import { startCore } from '../electron/core/core'; export const a = startCore;"],
    ['shared/x.ts', "import { App } from '../renderer/src/app/App'; export const a = App;"],
    ['renderer/src/x.ts', "import { ipcRenderer } from 'electron'; export const a = ipcRenderer;"],
    ['renderer/src/x.ts', "import { startCore } from '../../electron/core/core'; export const a = startCore;"],
    ['electron/core/x.ts', "import { app } from 'electron'; export const a = app;"],
    ['electron/core/x.ts', "import { mainWindowOptions } from '../main/security'; export const a = mainWindowOptions;"],
    ['electron/cli/x.ts', "import { app } from 'electron'; export const a = app;"],
    ['plugins/demo/src/x.ts', "import { HavenError } from '@shared/ipc/errors'; export const a = HavenError;"],
    ['plugins/demo/src/x.ts', "import { startCore } from '../../../electron/core/core'; export const a = startCore;"],
  ])('%s may not: %s', async (file, code) => {
    expect(await restrictedImports(file, code)).not.toEqual([]);
  });

  it.each([
    ['electron/main/x.ts', "import { app } from 'electron'; export const a = app;"],
    ['electron/preload/x.ts', "import { contextBridge } from 'electron'; export const a = contextBridge;"],
    ['plugins/demo/src/x.ts', "import { definePlugin } from '@haven/sdk'; export const a = definePlugin;"],
    ['electron/core/x.ts', "import { z } from 'zod'; import fs from 'node:fs'; export const a = [z, fs];"],
  ])('%s may: %s', async (file, code) => {
    expect(await restrictedImports(file, code)).toEqual([]);
  });
});
