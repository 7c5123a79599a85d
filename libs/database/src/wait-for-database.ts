import { isConnectionError } from './errors.js';

/**
 * How long a process that is starting waits for PostgreSQL to accept connections: one restarting
 * under it (the embedded supervisor's restart, WAL recovery) takes seconds. Past this, the start fails.
 */
export const DATABASE_START_WAIT_MS = 60_000;
const DATABASE_START_RETRY_MS = 500;

/** A connection error, or one that wraps it (the event store's start-up ping names its cause). */
function unreachable(error: unknown): boolean {
  return isConnectionError(error) || isConnectionError((error as { cause?: unknown } | undefined)?.cause);
}

/**
 * Runs `work` (a start-up step: migrations, a first connection), again every
 * DATABASE_START_RETRY_MS while it fails because PostgreSQL cannot be reached or is starting up,
 * for at most `waitMs`; any other failure, and the last one, is thrown at once. Logs once that it waits.
 */
export async function whileDatabaseStarts<T>(work: () => Promise<T>, log: (line: string) => void, waitMs = DATABASE_START_WAIT_MS): Promise<T> {
  const deadline = Date.now() + waitMs;
  let waiting = false;
  for (;;) {
    try {
      return await work();
    } catch (error) {
      if (!unreachable(error) || Date.now() + DATABASE_START_RETRY_MS > deadline) throw error;
      if (!waiting) log(`waiting for PostgreSQL (at most ${waitMs} ms): ${(error as Error).message}`);
      waiting = true;
      await new Promise((resolve) => setTimeout(resolve, DATABASE_START_RETRY_MS));
    }
  }
}
