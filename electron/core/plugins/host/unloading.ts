import { HavenError } from '@shared/ipc/errors';

const UNLOADING = 'the plugin is unloading';

/** The reason a job's signal carries when the plugin unloads (Haven quits, the plugin reloads). */
export function unloadingReason(): HavenError {
  return new HavenError('CANCELLED', UNLOADING);
}

export function isUnloading(reason: unknown): boolean {
  return reason instanceof HavenError && reason.message === UNLOADING;
}
