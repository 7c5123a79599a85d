/** No retry waits longer than this, however many attempts came before. */
export const BACKOFF_CAP_MS = 60 * 60 * 1000;

/**
 * How long to wait after the `attempt`-th failed attempt (1-based): exponential from `baseMs`,
 * capped, with full jitter (uniform in [0, ceiling)) so that receivers coming back after an
 * outage are not hit by every retry at the same instant.
 */
export function nextAttemptDelay(attempt: number, baseMs: number, random: () => number = Math.random, capMs: number = BACKOFF_CAP_MS): number {
  if (!Number.isInteger(attempt) || attempt < 1) throw new Error(`attempt must be a positive integer, got ${attempt}`);
  if (!(baseMs >= 0)) throw new Error(`baseMs must be >= 0, got ${baseMs}`);
  // 2 ** 1100 is Infinity; min() still gives the cap.
  const ceiling = Math.min(capMs, baseMs * 2 ** (attempt - 1));
  const fraction = Math.min(Math.max(random(), 0), 1);
  return Math.floor(fraction * ceiling);
}
