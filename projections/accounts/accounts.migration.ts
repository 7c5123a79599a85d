import { MigrationInterface, QueryRunner } from 'typeorm';

export class AccountsReadModel1700000000200 implements MigrationInterface {
  name = 'AccountsReadModel1700000000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table accounts (
        id uuid primary key,
        tenant_id uuid not null,
        customer text not null,
        currency text not null,
        account_type text not null,
        normal_balance text not null,
        allow_negative boolean not null,
        status text not null,
        metadata jsonb not null,
        created_at timestamptz not null,
        debits_posted numeric not null default 0,
        credits_posted numeric not null default 0,
        debits_pending numeric not null default 0,
        credits_pending numeric not null default 0,
        created_position bigint not null,
        position bigint not null
      )`);
    await q.query(`create index accounts_tenant_created on accounts (tenant_id, created_position)`);
    await q.query(`create index accounts_tenant_customer on accounts (tenant_id, customer, created_position)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table accounts`);
  }
}
