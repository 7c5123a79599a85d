import { MigrationInterface, QueryRunner } from 'typeorm';

/** Evidence for a hold lists its events from the feed by hold id. */
export class EventFeedHoldIndex1700000001700 implements MigrationInterface {
  name = 'EventFeedHoldIndex1700000001700';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`create index event_feed_hold on event_feed (tenant_id, (data->>'hold_id'), position) where data ? 'hold_id'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop index event_feed_hold`);
  }
}
