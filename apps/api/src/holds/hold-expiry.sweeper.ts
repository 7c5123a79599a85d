import { Pool } from 'pg';
import { ClockSkewedError, WriterRegistry } from '#write-model/index.js';
import { holdsDueForExpiry } from '#projections/holds/holds.queries.js';

/** Holds expired per sweep at most; the next sweep takes the rest. */
export const EXPIRY_SWEEP_BATCH_MAX = 500;
export const EXPIRY_SWEEP_INTERVAL_MS_DEFAULT = 1000;

/**
 * Appends expiry for holds whose expires_at has passed. Safe with several processes sweeping:
 * each expiry goes through the tenant's writer, decided at a known stream revision, so a
 * second expiry of the same hold is refused (hold_not_pending) and appends nothing.
 */
export class HoldExpirySweeper {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  expired = 0;

  constructor(
    private readonly pool: Pool,
    private readonly writers: WriterRegistry,
    private readonly intervalMs: number,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  start(): this {
    this.timer = setInterval(() => {
      if (!this.running) this.running = this.sweep().finally(() => (this.running = null));
    }, this.intervalMs);
    return this;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  async sweep(): Promise<number> {
    let expired = 0;
    try {
      const due = await holdsDueForExpiry(this.pool, EXPIRY_SWEEP_BATCH_MAX);
      const outcomes = await Promise.all(
        due.map((hold) =>
          this.writers.submit({
            tenant_id: hold.tenant_id,
            command: { type: 'expire_hold', hold_id: hold.id },
            idempotency_key: null,
            request_hash: null,
            metadata: { actor: 'system:hold-expiry', role: 'system', request_id: `expiry-${hold.id}`, intent_id: null, policy: ['expiry.due'] },
          }),
        ),
      );
      expired = outcomes.filter((o) => o.kind === 'accepted').length;
    } catch (error) {
      // A skewed clock is logged once by the clock's monitor, not on every sweep while it lasts.
      if (!(error instanceof ClockSkewedError)) this.log(`hold expiry sweep failed: ${(error as Error).message}`);
    }
    this.expired += expired;
    return expired;
  }
}
