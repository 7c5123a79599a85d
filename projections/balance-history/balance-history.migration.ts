import { MigrationInterface, QueryRunner } from 'typeorm';

/** Every account's counters after every event that touched it: point-in-time balances. */
export class BalanceHistoryReadModel1700000000800 implements MigrationInterface {
  name = 'BalanceHistoryReadModel1700000000800';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table balance_history (
        account_id uuid not null,
        position bigint not null,
        tenant_id uuid not null,
        occurred_at timestamptz not null,
        debits_posted numeric not null,
        credits_posted numeric not null,
        debits_pending numeric not null,
        credits_pending numeric not null,
        primary key (account_id, position)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table balance_history`);
  }
}
