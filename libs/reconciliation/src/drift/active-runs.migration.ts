import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The drift check running for a tenant right now, if any: its id, so a second request can be
 * answered with it. Coordination, not a fact: the run becomes a fact (an event) when it ends,
 * and its row goes. A row is believed only while its holder_pid holds the tenant's advisory
 * lock (a process that died leaves a row nobody believes).
 */
export class DriftActiveRuns1700000002340 implements MigrationInterface {
  name = 'DriftActiveRuns1700000002340';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table reconciliation_runs_active (
        tenant_id uuid primary key,
        run_id uuid not null,
        triggered_by text not null,
        started_at timestamptz not null,
        holder_pid int not null
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table reconciliation_runs_active`);
  }
}
