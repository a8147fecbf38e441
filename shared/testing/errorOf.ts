import { HavenError } from '../ipc/errors';

/** The HavenError a promise rejects with; anything else (or success) fails the test. */
export async function errorOf(promise: Promise<unknown>): Promise<HavenError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof HavenError) return error;
    throw error;
  }
  throw new Error('expected a HavenError, but the promise resolved');
}
