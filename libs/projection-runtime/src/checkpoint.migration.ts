import { MigrationInterface, QueryRunner } from 'typeorm';

export class ProjectionCheckpoints1700000000100 implements MigrationInterface {
  name = 'ProjectionCheckpoints1700000000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table projection_checkpoints (
        name text primary key,
        position bigint not null default 0,
        updated_at timestamptz not null default now(),
        last_event_at timestamptz,
        error text,
        error_position bigint
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table projection_checkpoints`);
  }
}
