/**
 * The trailing window of one velocity limit on one account: how much money (and how many
 * postings and holds) went out of the account within (now - window_seconds, now], by log time.
 *
 * Bounded whatever the traffic: amounts are summed into buckets of `width_seconds`, and only the
 * buckets still inside the window are kept, so one (policy, account) holds at most
 * VELOCITY_BUCKETS_MAX buckets. The width is the smallest whole number of seconds that fits the
 * window into that many buckets: windows up to an hour get one-second buckets and are exact to the
 * second; a 31-day window gets 744-second buckets.
 *
 * Rounding is to the safe side: a bucket counts until its last second has left the window, so a
 * debit is never forgotten early, and may be remembered up to width_seconds - 1 seconds late (never
 * with one-second buckets). Times are whole seconds: a debit at 12:00:00.700 counts as of 12:00:00.
 *
 * Persistent and cheap to update: evolve replaces a window, never mutates one (a writer may fold
 * tentative events into an overlay and throw it away), yet adding a debit costs O(1) amortised:
 * - the newest bucket (`current`) is its own small object, replaced on each debit in its second;
 * - older buckets live in `buffer`, shared between versions and only ever appended to: a version
 *   sees buffer[start, end), and appends in place only when nothing was appended past its `end`
 *   (otherwise it copies its slice first), so no version ever sees another's appends;
 * - expired buckets are dropped by moving `start`; the buffer is copied down to its live part once
 *   VELOCITY_BUCKETS_MAX buckets have expired, so it never holds more than twice the maximum.
 * Running totals make reading the usage O(buckets expired since the last debit), usually none.
 */

/** An hour of one-second buckets plus the second now is in. */
export const VELOCITY_BUCKETS_MAX = 3601;

export interface VelocityBucket {
  /** floor(epoch seconds / width_seconds). */
  readonly index: number;
  readonly amount: bigint;
  readonly count: number;
}

export interface VelocityWindow {
  /** The policy's window_version this window counts for; any other version reads as empty. */
  readonly version: number;
  readonly width_seconds: number;
  /** Shared between versions; this one sees [start, end). Oldest first. */
  readonly buffer: VelocityBucket[];
  readonly start: number;
  readonly end: number;
  /** The newest bucket; null only when the window is empty. */
  readonly current: VelocityBucket | null;
  /** Totals over buffer[start, end) and current. */
  readonly amount: bigint;
  readonly count: number;
}

export interface WindowUsage {
  readonly amount: bigint;
  readonly count: number;
}

const NOTHING_USED: WindowUsage = Object.freeze({ amount: 0n, count: 0 });

export function bucketWidthSeconds(windowSeconds: number): number {
  return Math.max(1, Math.ceil(windowSeconds / (VELOCITY_BUCKETS_MAX - 1)));
}

/** The oldest bucket still (partly) inside the window at `nowSeconds`: the one holding second now - window + 1. */
function firstLiveBucket(nowSeconds: number, windowSeconds: number, width: number): number {
  return Math.floor((nowSeconds - windowSeconds + 1) / width);
}

function matches(window: VelocityWindow | undefined, version: number, width: number): window is VelocityWindow {
  return window !== undefined && window.version === version && window.width_seconds === width;
}

/**
 * What the window held at `nowMillis` (log time of the command being decided), counted for
 * policy window version `version` with a window of `windowSeconds`.
 */
export function windowUsage(window: VelocityWindow | undefined, version: number, windowSeconds: number, nowMillis: number): WindowUsage {
  const width = bucketWidthSeconds(windowSeconds);
  if (!matches(window, version, width) || window.current === null) return NOTHING_USED;
  const first = firstLiveBucket(Math.floor(nowMillis / 1000), windowSeconds, width);
  if (window.current.index < first) return NOTHING_USED;
  // Usually nothing has expired since the last debit: the window's own totals are the usage (no copy).
  if (window.start === window.end || window.buffer[window.start].index >= first) return window;
  let amount = window.amount;
  let count = window.count;
  for (let i = window.start; i < window.end && window.buffer[i].index < first; i++) {
    amount -= window.buffer[i].amount;
    count -= window.buffer[i].count;
  }
  return { amount, count };
}

/** A new window (for policy window version `version`): `window` with `amount` (and `count` postings/holds) going out at `nowMillis`, expired buckets dropped. */
export function windowWithDebit(
  window: VelocityWindow | undefined,
  version: number,
  windowSeconds: number,
  nowMillis: number,
  amount: bigint,
  count: number,
): VelocityWindow {
  const width = bucketWidthSeconds(windowSeconds);
  const nowSeconds = Math.floor(nowMillis / 1000);
  const first = firstLiveBucket(nowSeconds, windowSeconds, width);
  const base = matches(window, version, width) ? window : null;

  let buffer = base?.buffer ?? [];
  let start = base?.start ?? 0;
  let end = base?.end ?? 0;
  let current = base?.current ?? null;
  let totalAmount = base?.amount ?? 0n;
  let totalCount = base?.count ?? 0;
  if (current !== null && current.index < first) {
    // The newest bucket has expired, so every older one has too.
    buffer = [];
    start = end = 0;
    current = null;
    totalAmount = 0n;
    totalCount = 0;
  }
  while (start < end && buffer[start].index < first) {
    totalAmount -= buffer[start].amount;
    totalCount -= buffer[start].count;
    start++;
  }

  // Log time never goes backwards (the writer sees to it); if it did, the debit joins the newest bucket.
  const index = Math.floor(nowSeconds / width);
  if (current !== null && current.index >= index) {
    current = { index: current.index, amount: current.amount + amount, count: current.count + count };
  } else {
    if (current !== null) {
      if (buffer.length !== end || start >= VELOCITY_BUCKETS_MAX) {
        buffer = buffer.slice(start, end);
        end -= start;
        start = 0;
      }
      buffer.push(current);
      end++;
    }
    current = { index, amount, count };
  }
  return { version, width_seconds: width, buffer, start, end, current, amount: totalAmount + amount, count: totalCount + count };
}

/**
 * One account's velocity windows, as the state keeps them (by account id): one per velocity limit
 * that has counted the account, that limit's id at the same index of `policy_ids`, in the order
 * they first counted it. Per account rather than per (limit, account) so that a posting under
 * several limits finds its account's windows with one lookup to decide and one to count, not one
 * per limit each time, and the writer's overlay holds (and commits) one entry per account.
 * Replaced, never mutated, like a window; `policy_ids` is shared between versions until another
 * limit first counts the account. A limit's window stays after the limit is disabled, as it did
 * when windows were kept by (limit, account): at most one per velocity limit the tenant has had.
 */
export interface AccountWindows {
  readonly policy_ids: readonly string[];
  readonly windows: readonly VelocityWindow[];
}

/** The window a limit keeps on an account, if it has counted it. */
export function accountWindow(windows: AccountWindows | undefined, policyId: string): VelocityWindow | undefined {
  if (windows === undefined) return undefined;
  const at = windows.policy_ids.indexOf(policyId);
  return at < 0 ? undefined : windows.windows[at];
}

/** The buckets a window holds, oldest first (for tests and diagnostics). */
export function windowBuckets(window: VelocityWindow): VelocityBucket[] {
  const buckets = window.buffer.slice(window.start, window.end);
  if (window.current !== null) buckets.push(window.current);
  return buckets;
}
