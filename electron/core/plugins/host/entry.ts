// The plugin host process: `out/main/plugin-host.js`. One per running plugin, started by Core
// (child_process.fork under Node, utilityProcess in the desktop app).
import { register } from 'node:module';
import { createClient } from '@shared/ipc/client';
import { IpcRouter } from '../../ipc/router';
import { channel } from './channels';
import { coreContract, hostContract, type CoreContract } from './contracts';
import { parentProtocol } from './parentTransport';
import { PluginHost, errorMessage } from './pluginHost';

// `import ... from '@haven/sdk'` in a plugin resolves to the host's own SDK build next to this file.
register(new URL('./plugin-host-loader.js', import.meta.url), {
  data: { sdkUrl: new URL('./sdk.js', import.meta.url).href, appUrl: import.meta.url },
});

const protocol = parentProtocol();
const core = createClient<CoreContract>(channel(protocol, 'core'), { validateWith: coreContract });
const host = new PluginHost(core);
const router = new IpcRouter(hostContract, host.handlers());
router.connect(channel(protocol, 'host'), 'parent');

let dying = false;
function die(kind: string, error: unknown): void {
  if (dying) return;
  dying = true;
  const message = `${kind}: ${errorMessage(error)}`;
  const stack = error instanceof Error ? error.stack : undefined;
  // Tell Core why, then go: give the message a moment to leave.
  core
    .call('core.fatal', { message: message.slice(0, 8000), ...(stack ? { stack: stack.slice(0, 30000) } : {}) }, { timeoutMs: 1000 })
    .catch(() => undefined)
    .finally(() => process.exit(70));
  setTimeout(() => process.exit(70), 1500).unref();
}

process.on('uncaughtException', (error) => die('uncaught exception', error));
process.on('unhandledRejection', (reason) => die('unhandled promise rejection', reason));
protocol.onClose(() => process.exit(0));
