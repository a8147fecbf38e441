import { startCore, type Core, type CoreOptions } from '../core/core';
import { PLUGIN_HOST_ENTRY, tempHome } from './fixtures';

/**
 * Starts real Cores over given plugin folders for a plugin's integration tests, and disposes them
 * (`disposeAll` in `afterEach`). Plugins start on demand; the rest of `CoreOptions` can be added.
 */
export function pluginCores(pluginRoots: string[], defaults: Partial<CoreOptions> = {}) {
  const cores: Core[] = [];
  return {
    async start(home = tempHome(), options: Partial<CoreOptions> = {}): Promise<Core> {
      const core = await startCore({
        home,
        host: 'test',
        builtinPluginRoots: pluginRoots,
        pluginHostEntry: PLUGIN_HOST_ENTRY,
        stderrLogLevel: 'off',
        autoStartPlugins: false,
        ...defaults,
        ...options,
      });
      cores.push(core);
      return core;
    },
    /** Stops one Core now (a restart in the middle of a test). */
    async stop(core: Core): Promise<void> {
      cores.splice(cores.indexOf(core), 1);
      await core.dispose();
    },
    async disposeAll(): Promise<void> {
      for (const core of cores.splice(0)) await core.dispose();
    },
  };
}
