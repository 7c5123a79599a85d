import { WrongExpectedVersionError } from '#event-store/index.js';

/** Another writer appended first this many times in a row: give up and report unavailable. */
export const CONFLICT_RETRIES_MAX = 20;

/**
 * Another writer (another process) appended to the tenant's stream first on every attempt, more
 * than the retry limit allows. Nothing of the commands was appended (each conflicting append was
 * refused whole), so the caller may retry them as they are, with the same idempotency keys.
 */
export class WriterContendedError extends Error {
  constructor(
    readonly tenantId: string,
    readonly attempts: number,
  ) {
    super(`tenant ${tenantId}: another writer appended first on each of ${attempts} attempts`);
  }
}

/**
 * Optimistic concurrency: runs `attempt` (decide against the cached state, append with its
 * revision) again each time another writer appended first, after `onConflict` (which marks the
 * cache behind, so the next attempt catches up from the stream first), at most `retriesMax`
 * times more; then fails with WriterContendedError (the API's 503 unavailable) rather than the
 * store's conflict. Any other error ends it at once.
 */
export async function retryOnConflict<T>(tenantId: string, retriesMax: number, attempt: () => Promise<T>, onConflict: () => void): Promise<T> {
  for (let retries = 0; ; retries++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw error;
      if (retries >= retriesMax) throw new WriterContendedError(tenantId, retries + 1);
      onConflict();
    }
  }
}
