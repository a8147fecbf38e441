import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../../../electron/core/core';
import { REPO_ROOT, runHaven, tempHome } from '../../../electron/testing/fixtures';
import { pluginCores } from '../../../electron/testing/pluginCores';

const cores = pluginCores([path.join(REPO_ROOT, 'plugins', 'examples')]);
afterEach(() => cores.disposeAll());
const start = (home = tempHome()): Promise<Core> => cores.start(home);

const greet = async (core: Core, name: string) => {
  await core.plugins.start('hello');
  const { result } = await core.plugins.resolve('hello').conn!.client.call('host.callApi', { method: 'greet', args: [name], caller: 'test' });
  return result;
};

describe('HelloPlugin example', () => {
  it('greets with its configured greeting, counts in storage across restarts, and is healthy', async () => {
    const home = tempHome();
    let core = await start(home);
    expect(await greet(core, 'Ada')).toBe('Hello, Ada! (greeting number 1)');
    await core.plugins.setConfig('hello', { greeting: 'Welcome' }, false);
    expect(await greet(core, 'Grace')).toBe('Welcome, Grace! (greeting number 2)');
    expect((await core.plugins.health(['hello']))[0]?.result).toMatchObject({ status: 'pass', output: 'greeting is "Welcome"' });
    await cores.stop(core);
    core = await start(home);
    expect(await greet(core, 'Linus')).toBe('Welcome, Linus! (greeting number 3)');
  });

  it('rejects an empty greeting, naming the field', async () => {
    const core = await start();
    const result = await core.plugins.setConfig('hello', { greeting: '' }, false);
    expect(result).toEqual({ ok: false, issues: [{ path: 'greeting', message: expect.stringMatching(/Too small/) }] });
  });

  it('offers actions to the user: listed, run with their input, refused without it', async () => {
    const env = { HAVEN_HOME: tempHome(), HAVEN_BUILTIN_PLUGINS: path.join(REPO_ROOT, 'plugins', 'examples') };
    const listed = await runHaven(['plugins', 'action', 'hello'], env, 60_000);
    expect(listed.stdout).toMatch(/greet\s+Greet: Greets someone and counts it\.\s+Name/);
    expect(listed.stdout).toMatch(/reset-count\s+Reset the count\s+-/);
    expect((await runHaven(['plugins', 'action', 'hello', 'greet', 'Ada'], env, 60_000)).stdout.trim()).toBe('Hello, Ada! (greeting number 1)');
    expect((await runHaven(['plugins', 'action', 'hello', 'reset-count'], env, 60_000)).stdout.trim()).toBe('The count was 1; it starts again from 0.');
    const missing = await runHaven(['plugins', 'action', 'hello', 'greet'], env, 60_000);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/Greet needs Name/);
    const unknown = await runHaven(['plugins', 'action', 'hello', 'wave'], env, 60_000);
    expect(unknown.stderr).toMatch(/HelloPlugin has no action wave \(it offers: greet, reset-count\)/);
  });
});
