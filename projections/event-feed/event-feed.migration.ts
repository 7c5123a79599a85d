import { MigrationInterface, QueryRunner } from 'typeorm';

export class EventFeedReadModel1700000000500 implements MigrationInterface {
  name = 'EventFeedReadModel1700000000500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table event_feed (
        position bigint primary key,
        tenant_id uuid not null,
        id uuid not null,
        type text not null,
        occurred_at timestamptz not null,
        data jsonb not null
      )`);
    await q.query(`create index event_feed_tenant on event_feed (tenant_id, position)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table event_feed`);
  }
}
