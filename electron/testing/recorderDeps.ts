import type { HttpResponse } from '@shared/sdk/types';
import { launchProcess } from '../core/plugins/host/launch';
import type { RecorderDeps } from '../core/plugins/host/recorder/recorder';

/** The recorder's needs met directly (no plugin host, no permission checks), for tests that drive a plugin's recording code in-process. */
export function recorderDeps(events: { name: string; payload: unknown }[] = []): RecorderDeps {
  const launch = (binary: string, args: readonly string[], cwd: string | undefined, extraPipe: boolean) => launchProcess(binary, args, { cwd: cwd ?? process.cwd(), env: process.env, extraPipe });
  const quiet = () => undefined;
  return {
    spawn: (binary, args, options) => launch(binary, args, options?.cwd, false),
    spawnPiped: (binary, args, options) => launch(binary, args, options?.cwd, true),
    http: async (url, init) => (await fetch(url, init)) as unknown as HttpResponse,
    logger: { debug: quiet, info: quiet, warn: quiet, error: quiet },
    emit: (name, payload) => events.push({ name, payload }),
  };
}
