import { performance } from 'node:perf_hooks';
import { Pool } from 'pg';
import { ClockSkewedError, WriterClock } from '#write-model/index.js';

/** How often this process compares its clock with PostgreSQL's. */
export const CLOCK_SKEW_CHECK_INTERVAL_MS = 2_000;

const SQL = {
  /** The database's clock now (clock_timestamp, not the transaction's start), in ms since the epoch. */
  now: `select (extract(epoch from clock_timestamp()) * 1000)::float8 as database_ms`,
};

/** The clocks a process reads: the wall clock (event times) and a monotonic one (elapsed time). Injectable for tests. */
export interface ProcessClock {
  wallMs(): number;
  monotonicMs(): number;
}

export const SYSTEM_CLOCK: ProcessClock = { wallMs: () => Date.now(), monotonicMs: () => performance.now() };

/** One comparison with the database: the skew then, and both local clocks at that moment. */
export interface ClockSample {
  skew_ms: number;
  wall_ms: number;
  monotonic_ms: number;
}

/**
 * A sample from a round trip: the database read its clock somewhere between sending and
 * answering, taken as halfway (the error is at most half the round trip).
 */
export function sampleOf(before: { wall_ms: number; monotonic_ms: number }, after: { wall_ms: number; monotonic_ms: number }, databaseMs: number): ClockSample {
  const wallMs = (before.wall_ms + after.wall_ms) / 2;
  return { skew_ms: wallMs - databaseMs, wall_ms: wallMs, monotonic_ms: (before.monotonic_ms + after.monotonic_ms) / 2 };
}

/**
 * The skew now: the last sample's, plus how far the wall clock has moved against the monotonic
 * one since. A wall clock that is set or jumps between samples is seen at once, not at the next
 * sample; slow drift of either side is caught by the next sample.
 */
export function skewNowMs(sample: ClockSample, wallNowMs: number, monotonicNowMs: number): number {
  return sample.skew_ms + (wallNowMs - sample.wall_ms) - (monotonicNowMs - sample.monotonic_ms);
}

/**
 * Compares this process's clock with PostgreSQL's every CLOCK_SKEW_CHECK_INTERVAL_MS. While they
 * differ by more than LEDGER_CLOCK_SKEW_MAX_MS, the tenant writers refuse commands (503
 * `unavailable`) and /health reports it, until they agree again: a writer stamps events with
 * max(its clock, the tenant's last occurred_at), so one fast clock would otherwise carry a
 * tenant's log time ahead for good. Skewed either way: a slow clock decides holds' expiry late.
 */
export class ClockSkewMonitor implements WriterClock {
  private sample: ClockSample | null = null;
  private timer: NodeJS.Timeout | null = null;
  private measuring: Promise<void> | null = null;
  /** What was last logged: a line is written when the verdict changes or sampling starts failing, not on every sample. */
  private verdict: 'ok' | 'skewed' = 'ok';
  private failing = false;

  constructor(
    private readonly pool: Pool,
    readonly maxSkewMs: number,
    private readonly clock: ProcessClock = SYSTEM_CLOCK,
    private readonly intervalMs = CLOCK_SKEW_CHECK_INTERVAL_MS,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  /** Measures once now (start-up waits for it), then every interval in the background. */
  async start(): Promise<this> {
    await this.measure();
    this.timer = setInterval(() => void this.measureQuietly(), this.intervalMs);
    this.timer.unref();
    return this;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.measuring;
  }

  nowMs(): number {
    return this.clock.wallMs();
  }

  /** This process's clock minus the database's, in ms (positive: ahead); null before the first sample. */
  skewMs(): number | null {
    return this.sample ? Math.round(skewNowMs(this.sample, this.clock.wallMs(), this.clock.monotonicMs())) : null;
  }

  refusal(): ClockSkewedError | null {
    const skew = this.skewMs();
    return skew !== null && Math.abs(skew) > this.maxSkewMs ? new ClockSkewedError(skew, this.maxSkewMs) : null;
  }

  /** For /health: the skew now, the allowance, and whether commands are decided. */
  status(): { skew_ms: number | null; max_ms: number; ok: boolean } {
    return { skew_ms: this.skewMs(), max_ms: this.maxSkewMs, ok: this.refusal() === null };
  }

  /** One comparison with the database's clock; throws when the database cannot be asked. */
  async measure(): Promise<void> {
    // A connection first: waiting for one from a busy pool is not part of the round trip.
    const client = await this.pool.connect();
    let sample: ClockSample;
    try {
      const before = { wall_ms: this.clock.wallMs(), monotonic_ms: this.clock.monotonicMs() };
      const { rows } = await client.query(SQL.now);
      const after = { wall_ms: this.clock.wallMs(), monotonic_ms: this.clock.monotonicMs() };
      sample = sampleOf(before, after, Number(rows[0].database_ms));
    } finally {
      client.release();
    }
    this.sample = sample;
    this.failing = false;
    const refusal = this.refusal();
    const verdict = refusal ? 'skewed' : 'ok';
    if (verdict === this.verdict) return;
    this.verdict = verdict;
    this.log(refusal ? `clock skewed: ${refusal.message}` : `clock agrees with the database's again (skew ${this.skewMs()} ms)`);
  }

  /** The background sample: a failure keeps the last sample (commands fail on their own while the database is away). */
  private measureQuietly(): Promise<void> {
    if (!this.measuring) {
      this.measuring = this.measure()
        .catch((error) => {
          if (!this.failing) this.log(`could not compare the clock with the database's: ${(error as Error).message}`);
          this.failing = true;
        })
        .finally(() => (this.measuring = null));
    }
    return this.measuring;
  }
}
