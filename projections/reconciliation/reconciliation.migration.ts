import { MigrationInterface, QueryRunner } from 'typeorm';

export class ReconciliationReadModel1700000001000 implements MigrationInterface {
  name = 'ReconciliationReadModel1700000001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table reconciliation_runs (
        id uuid primary key,
        tenant_id uuid not null,
        status text not null,
        report jsonb not null,
        triggered_by text not null,
        created_at timestamptz not null,
        position bigint not null
      )`);
    await q.query(`create index reconciliation_runs_tenant on reconciliation_runs (tenant_id, position)`);
    await q.query(`
      create table reconciliation_statements (
        id uuid primary key,
        tenant_id uuid not null,
        account_id uuid not null,
        result jsonb not null,
        created_at timestamptz not null,
        position bigint not null
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table reconciliation_statements`);
    await q.query(`drop table reconciliation_runs`);
  }
}
