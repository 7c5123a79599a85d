/**
 * This process's clock disagrees with the database's by more than it may: commands are refused
 * until it agrees again (a fast clock would otherwise move its tenants' log time ahead for good).
 */
export class ClockSkewedError extends Error {
  constructor(
    readonly skew_ms: number,
    readonly max_ms: number,
  ) {
    super(`this process's clock is ${Math.abs(skew_ms)} ms ${skew_ms > 0 ? 'ahead of' : 'behind'} the database's (at most ${max_ms} ms allowed); commands are refused until it agrees again`);
    this.name = 'ClockSkewedError';
  }
}

/** The wall clock a tenant's writer stamps events with (`occurred_at`), and whether to trust it now. */
export interface WriterClock {
  /** Milliseconds since the epoch, as this process reads them. */
  nowMs(): number;
  /** Null while this process's clock agrees with the database's; otherwise why commands are refused. */
  refusal(): ClockSkewedError | null;
}

/** The process's own clock, never refused (tools and tests that run no skew check). */
export const UNCHECKED_CLOCK: WriterClock = { nowMs: () => Date.now(), refusal: () => null };
