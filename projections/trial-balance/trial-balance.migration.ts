import { MigrationInterface, QueryRunner } from 'typeorm';

export class TrialBalanceReadModel1700000000900 implements MigrationInterface {
  name = 'TrialBalanceReadModel1700000000900';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table trial_balance (
        tenant_id uuid not null,
        currency text not null,
        debits_posted numeric not null default 0,
        credits_posted numeric not null default 0,
        debits_pending numeric not null default 0,
        credits_pending numeric not null default 0,
        position bigint not null,
        primary key (tenant_id, currency)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table trial_balance`);
  }
}
