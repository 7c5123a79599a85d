import { Pool, PoolClient } from 'pg';
import { EventStore } from '#event-store/index.js';
import { projectedBalances } from '#projections/reconciliation/projected-balances.js';
import { recordExclusiveDriftCheck } from '#reconciliation/drift/index.js';
import { ledgerStream } from '#write-model/index.js';

/**
 * Runs the drift check for every tenant with a ledger every N minutes (LEDGER_RECONCILE_INTERVAL_MINUTES,
 * 0 = off). With several API processes, an advisory lock lets one of them run each round.
 */
export class ReconciliationScheduler {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly pool: Pool,
    private readonly store: EventStore,
    private readonly intervalMinutes: number,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  start(): this {
    if (this.intervalMinutes <= 0) return this;
    this.timer = setInterval(() => {
      if (!this.running) this.running = this.round().finally(() => (this.running = null));
    }, this.intervalMinutes * 60_000);
    return this;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** A ledger stream, or read-model accounts without one (drift in itself: checked too). */
  private async hasLedger(client: PoolClient, tenantId: string): Promise<boolean> {
    if ((await this.store.readStream(ledgerStream(tenantId), { maxCount: 1 })).length > 0) return true;
    const { rows } = await client.query(`select exists (select 1 from accounts where tenant_id = $1) as found`, [tenantId]);
    return rows[0].found === true;
  }

  async round(): Promise<void> {
    const client = await this.pool.connect();
    try {
      const { rows } = await client.query(`select pg_try_advisory_lock(hashtext('zentra-reconcile')) as locked`);
      if (!rows[0].locked) return;
      try {
        // Every tenant, from the tenants table (not a read model that may lag behind a new tenant),
        // that has something to check: a tenant that never opened an account would only get an
        // event in its log every round.
        const tenants = await client.query(`select id as tenant_id from tenants order by id`);
        for (const { tenant_id } of tenants.rows) {
          if (!(await this.hasLedger(client, tenant_id))) continue;
          // A tenant whose check is running already (asked for through the API) is not checked twice.
          const run = await recordExclusiveDriftCheck(this.pool, this.store, projectedBalances, tenant_id, 'schedule');
          if (run.kind === 'running') continue;
          if (run.report.status !== 'balanced') this.log(`reconciliation: tenant ${tenant_id} has ${run.report.mismatches.length} mismatching accounts (run ${run.run_id})`);
        }
      } finally {
        await client.query(`select pg_advisory_unlock(hashtext('zentra-reconcile'))`);
      }
    } catch (error) {
      this.log(`scheduled reconciliation failed: ${(error as Error).message}`);
    } finally {
      client.release();
    }
  }
}
