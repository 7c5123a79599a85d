import { Pool } from 'pg';

/** How often a waiting read looks at the projections' checkpoints. */
const POLL_MS = 5;

/**
 * Read-your-writes: remembers the last position this process wrote per tenant and lets a
 * query wait, bounded, until the projections it reads have reached it.
 */
export class ProjectionWatermark {
  private readonly lastWritten = new Map<string, bigint>();
  private checkpoints = new Map<string, bigint>();
  private polling: Promise<void> | null = null;

  constructor(
    private readonly pool: Pool,
    private readonly timeoutMs: number,
  ) {}

  wrote(tenantId: string, position: bigint): void {
    const last = this.lastWritten.get(tenantId) ?? 0n;
    if (position > last) this.lastWritten.set(tenantId, position);
  }

  /** Resolves true once every named projection is at or past the position, false on timeout. */
  async waitFor(tenantId: string, projections: readonly string[], minPosition: bigint | null): Promise<boolean> {
    const target = [this.lastWritten.get(tenantId) ?? 0n, minPosition ?? 0n].reduce((a, b) => (a > b ? a : b));
    if (target === 0n || this.reached(projections, target)) return true;
    const deadline = Date.now() + this.timeoutMs;
    while (Date.now() < deadline) {
      await this.refresh();
      if (this.reached(projections, target)) return true;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    return false;
  }

  private reached(projections: readonly string[], target: bigint): boolean {
    return projections.every((name) => (this.checkpoints.get(name) ?? 0n) >= target);
  }

  /** Concurrent waiters share one query. */
  private refresh(): Promise<void> {
    if (!this.polling) {
      this.polling = this.pool
        .query({ name: 'watermark_checkpoints', text: 'select name, position from projection_checkpoints' })
        .then(({ rows }) => {
          this.checkpoints = new Map(rows.map((r) => [r.name, BigInt(r.position)]));
        })
        .finally(() => {
          this.polling = null;
        });
    }
    return this.polling;
  }
}
