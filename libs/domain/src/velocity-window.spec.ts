// The bucketed trailing window of a velocity limit: its edges to the second, its bound on memory
// whatever the traffic, and that deriving a new window never changes an old one.
import { VELOCITY_BUCKETS_MAX, VelocityWindow, bucketWidthSeconds, windowBuckets, windowUsage, windowWithDebit } from './velocity-window.js';

const T0 = Date.parse('2030-01-02T03:00:00.000Z');
const SECOND = 1000;
const HOUR = 3600;
const DAY = 24 * HOUR;
const VERSION = 1;

/** The window after debits [secondsAfterT0, amount] for a policy with `windowSeconds`. */
function windowOf(windowSeconds: number, debits: [number, bigint][]): VelocityWindow | undefined {
  let window: VelocityWindow | undefined;
  for (const [at, amount] of debits) window = windowWithDebit(window, VERSION, windowSeconds, T0 + at * SECOND, amount, 1);
  return window;
}

/** The usage's figures only: windowUsage may answer with the window itself, whose totals are the usage. */
const usage = (window: VelocityWindow | undefined, version: number, windowSeconds: number, nowMillis: number) => {
  const { amount, count } = windowUsage(window, version, windowSeconds, nowMillis);
  return { amount, count };
};

const usedAt = (window: VelocityWindow | undefined, windowSeconds: number, secondsAfterT0: number) => usage(window, VERSION, windowSeconds, T0 + secondsAfterT0 * SECOND);

describe('bucketWidthSeconds', () => {
  it.each([
    [1, 1],
    [60, 1],
    [HOUR, 1],
    [HOUR + 1, 2],
    [DAY, 24],
    [31 * DAY, 744],
  ])('a %i s window has %i s buckets', (windowSeconds, width) => {
    expect(bucketWidthSeconds(windowSeconds)).toBe(width);
  });

  it('fits every window up to 31 days into VELOCITY_BUCKETS_MAX buckets', () => {
    for (const windowSeconds of [1, 59, HOUR, HOUR + 1, 7 * DAY + 13, 31 * DAY]) {
      expect(Math.ceil(windowSeconds / bucketWidthSeconds(windowSeconds)) + 1).toBeLessThanOrEqual(VELOCITY_BUCKETS_MAX);
    }
  });
});

describe('windowUsage', () => {
  it('is nothing for no window', () => {
    expect(usedAt(undefined, 60, 0)).toEqual({ amount: 0n, count: 0 });
  });

  it('sums the debits inside the window and counts them', () => {
    const window = windowOf(60, [[0, 10n], [0, 5n], [30, 7n]]);
    expect(usedAt(window, 60, 30)).toEqual({ amount: 22n, count: 3 });
  });

  // A debit at second T of a 60 s window counts while now < T + 60: (now - 60, now].
  it('counts a debit until one second before it leaves the window', () => {
    const window = windowOf(60, [[0, 10n], [30, 7n]]);
    expect(usedAt(window, 60, 59)).toEqual({ amount: 17n, count: 2 });
  });

  it('stops counting a debit exactly when it leaves the window', () => {
    const window = windowOf(60, [[0, 10n], [30, 7n]]);
    expect(usedAt(window, 60, 60)).toEqual({ amount: 7n, count: 1 });
    expect(usedAt(window, 60, 61)).toEqual({ amount: 7n, count: 1 });
    expect(usedAt(window, 60, 90)).toEqual({ amount: 0n, count: 0 });
  });

  it('goes by whole seconds: a debit at .999 leaves with the one at .000 of its second', () => {
    let window = windowWithDebit(undefined, VERSION, 60, T0 + 999, 10n, 1);
    window = windowWithDebit(window, VERSION, 60, T0 + 1000, 1n, 1);
    expect(usage(window, VERSION, 60, T0 + 59_999)).toEqual({ amount: 11n, count: 2 });
    expect(usage(window, VERSION, 60, T0 + 60_000)).toEqual({ amount: 1n, count: 1 });
  });

  it('errs to the safe side with wide buckets: a debit counts until its whole bucket has left', () => {
    // A 2-hour window has 2 s buckets [2k, 2k+2): a debit at second 0 shares its bucket with second 1.
    const windowSeconds = 2 * HOUR;
    const window = windowOf(windowSeconds, [[0, 10n]]);
    expect(usedAt(window, windowSeconds, windowSeconds - 1)).toEqual({ amount: 10n, count: 1 });
    expect(usedAt(window, windowSeconds, windowSeconds)).toEqual({ amount: 10n, count: 1 });
    expect(usedAt(window, windowSeconds, windowSeconds + 1)).toEqual({ amount: 0n, count: 0 });
  });

  it('reads a window of another policy version (or window length) as empty', () => {
    const window = windowOf(60, [[0, 10n]]);
    expect(usage(window, VERSION + 1, 60, T0)).toEqual({ amount: 0n, count: 0 });
    expect(usage(window, VERSION, HOUR + 1, T0)).toEqual({ amount: 0n, count: 0 });
  });
});

describe('windowWithDebit', () => {
  it('drops the buckets that have left the window', () => {
    const window = windowOf(60, [[0, 10n], [30, 7n], [70, 1n]]);
    expect(windowBuckets(window!).map((b) => [b.index - T0 / SECOND, b.amount])).toEqual([[30, 7n], [70, 1n]]);
    expect(window!.amount).toBe(8n);
    expect(window!.count).toBe(2);
  });

  it('starts again empty when every bucket has expired', () => {
    const window = windowOf(60, [[0, 10n], [1, 2n], [500, 3n]]);
    expect(windowBuckets(window!)).toEqual([{ index: T0 / SECOND + 500, amount: 3n, count: 1 }]);
    expect(window!.amount).toBe(3n);
  });

  it('starts a new window for a new policy version, whatever the old one held', () => {
    const old = windowOf(60, [[0, 10n]]);
    const fresh = windowWithDebit(old, VERSION + 1, 60, T0 + SECOND, 4n, 1);
    expect(fresh.version).toBe(VERSION + 1);
    expect(usage(fresh, VERSION + 1, 60, T0 + SECOND)).toEqual({ amount: 4n, count: 1 });
  });

  it('never changes a window it derives from, even when two derive from the same one', () => {
    const base = windowOf(60, [[0, 10n], [1, 20n]])!;
    // A tentative branch (a writer's overlay) adds to second 1, moves on to second 2, and is thrown
    // away; then the base goes on another way. Both append after the same shared bucket.
    const branch = windowWithDebit(windowWithDebit(base, VERSION, 60, T0 + 1 * SECOND, 5n, 1), VERSION, 60, T0 + 2 * SECOND, 100n, 1);
    const other = windowWithDebit(base, VERSION, 60, T0 + 2 * SECOND, 1n, 1);
    const later = windowWithDebit(branch, VERSION, 60, T0 + 3 * SECOND, 1000n, 1);

    expect(windowBuckets(base).map((b) => b.amount)).toEqual([10n, 20n]);
    expect(windowBuckets(branch).map((b) => b.amount)).toEqual([10n, 25n, 100n]);
    expect(windowBuckets(other).map((b) => b.amount)).toEqual([10n, 20n, 1n]);
    expect(windowBuckets(later).map((b) => b.amount)).toEqual([10n, 25n, 100n, 1000n]);
    expect(usedAt(base, 60, 3)).toEqual({ amount: 30n, count: 2 });
    expect(usedAt(branch, 60, 3)).toEqual({ amount: 135n, count: 4 });
    expect(usedAt(other, 60, 3)).toEqual({ amount: 31n, count: 3 });
    // Expiry subtracts what each version itself holds.
    expect(usedAt(other, 60, 61)).toEqual({ amount: 1n, count: 1 });
    expect(usedAt(branch, 60, 61)).toEqual({ amount: 100n, count: 1 });
  });

  it.each([
    ['an hour, a debit every second for three hours', HOUR, 1, 3 * HOUR],
    ['31 days, a debit every 100 s for 40 days', 31 * DAY, 100, 40 * DAY],
  ])('keeps at most VELOCITY_BUCKETS_MAX buckets whatever the traffic: %s', (_name, windowSeconds, everySeconds, forSeconds) => {
    let window: VelocityWindow | undefined;
    let largestBuffer = 0;
    let mostBuckets = 0;
    for (let at = 0; at < forSeconds; at += everySeconds) {
      window = windowWithDebit(window, VERSION, windowSeconds, T0 + at * SECOND, 1n, 1);
      largestBuffer = Math.max(largestBuffer, window.buffer.length);
      mostBuckets = Math.max(mostBuckets, window.end - window.start + (window.current === null ? 0 : 1));
    }
    expect(mostBuckets).toBeLessThanOrEqual(VELOCITY_BUCKETS_MAX);
    expect(mostBuckets).toBeGreaterThan(VELOCITY_BUCKETS_MAX / 2);
    expect(largestBuffer).toBeLessThanOrEqual(2 * VELOCITY_BUCKETS_MAX);
    // The totals agree with the buckets: every debit still in the window, counted once.
    const buckets = windowBuckets(window!);
    expect(window!.amount).toBe(buckets.reduce((sum, b) => sum + b.amount, 0n));
    expect(window!.count).toBe(buckets.reduce((sum, b) => sum + b.count, 0));
  });

  it('an exact one-hour window holds exactly the last hour of one-per-second debits', () => {
    const window = windowOf(HOUR, Array.from({ length: 2 * HOUR }, (_, at): [number, bigint] => [at, 1n]));
    // At second 7199 the window is (3599, 7199]: seconds 3600..7199.
    expect(usedAt(window, HOUR, 2 * HOUR - 1)).toEqual({ amount: BigInt(HOUR), count: HOUR });
    expect(usedAt(window, HOUR, 2 * HOUR)).toEqual({ amount: BigInt(HOUR - 1), count: HOUR - 1 });
  });
});
