import { MigrationInterface, QueryRunner } from 'typeorm';

export class TransactionsReadModel1700000000400 implements MigrationInterface {
  name = 'TransactionsReadModel1700000000400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table transactions (
        id uuid primary key,
        tenant_id uuid not null,
        status text not null,
        hold_id uuid,
        reverses uuid,
        reversed_by uuid,
        description text,
        reference text,
        metadata jsonb not null,
        entries jsonb not null,
        posted_at timestamptz not null,
        position bigint not null
      )`);
    await q.query(`create index transactions_tenant_reference on transactions (tenant_id, reference)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table transactions`);
  }
}
