import { MigrationInterface, QueryRunner } from 'typeorm';

/** The runtime trace of each intent: the states a request went through, with timestamps. */
export class Intents1700000001100 implements MigrationInterface {
  name = 'Intents1700000001100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table intents (
        tenant_id uuid not null,
        id text not null,
        states jsonb not null,
        updated_at timestamptz not null default now(),
        primary key (tenant_id, id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table intents`);
  }
}
