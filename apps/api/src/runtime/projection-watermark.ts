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

  /**
   * Resolves true once every named projection exists and is at or past the position, false on
   * timeout. A projection exists once its checkpoint does (created with its tables, versions.ts):
   * on a fresh database a process that does not run the projector waits for the one that does,
   * and answers 503 rather than query a table that is not there yet.
   */
  async waitFor(tenantId: string, projections: readonly string[], minPosition: bigint | null): Promise<boolean> {
    const target = [this.lastWritten.get(tenantId) ?? 0n, minPosition ?? 0n].reduce((a, b) => (a > b ? a : b));
    if (this.reached(projections, target)) return true;
    const deadline = Date.now() + this.timeoutMs;
    while (Date.now() < deadline) {
      await this.refresh();
      if (this.reached(projections, target)) return true;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    return false;
  }

  private reached(projections: readonly string[], target: bigint): boolean {
    return projections.every((name) => {
      const position = this.checkpoints.get(name);
      return position !== undefined && position >= target;
    });
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
