import { MigrationInterface, QueryRunner } from 'typeorm';

export class HoldsReadModel1700000000700 implements MigrationInterface {
  name = 'HoldsReadModel1700000000700';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table holds (
        id uuid primary key,
        tenant_id uuid not null,
        account_id uuid not null,
        destination_account_id uuid not null,
        amount numeric not null,
        currency text not null,
        status text not null,
        expires_at timestamptz,
        reference text,
        description text,
        metadata jsonb not null,
        request_id text,
        created_at timestamptz not null,
        captured_amount numeric not null default 0,
        released_amount numeric not null default 0,
        capture_transaction_id uuid,
        capture_entry_ids uuid[],
        release_reason text,
        release_note text,
        released_at timestamptz,
        created_position bigint not null,
        position bigint not null
      )`);
    await q.query(`create index holds_tenant_created on holds (tenant_id, created_position)`);
    await q.query(`create index holds_tenant_account on holds (tenant_id, account_id, created_position)`);
    await q.query(`create index holds_pending_expiry on holds (expires_at) where status = 'pending'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table holds`);
  }
}
