import { MigrationInterface, QueryRunner } from 'typeorm';

export class EntriesReadModel1700000000300 implements MigrationInterface {
  name = 'EntriesReadModel1700000000300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table entries (
        id uuid primary key,
        tenant_id uuid not null,
        transaction_id uuid not null,
        account_id uuid not null,
        direction text not null,
        amount numeric not null,
        currency text not null,
        status text not null,
        balance_after_posted numeric not null,
        balance_after_available numeric not null,
        posted_at timestamptz not null,
        position bigint not null,
        entry_index int not null
      )`);
    await q.query(`create index entries_account_order on entries (account_id, position, entry_index)`);
    await q.query(`create index entries_transaction on entries (transaction_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table entries`);
  }
}
