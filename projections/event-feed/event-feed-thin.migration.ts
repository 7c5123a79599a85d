import { MigrationInterface, QueryRunner } from 'typeorm';
import { refillFromLogWhen } from '../../libs/projection-runtime/src/refill.migration.js';

/**
 * The event feed keeps where each event is (position, stream revision, hold) instead of a copy
 * of the event: GET /events reads the events from the log by stream revision. That copy (id,
 * type, time and the whole data as jsonb) was the costliest row a posting wrote into the read
 * models.
 *
 * Existing rows take their stream revision from the log where the log is in this database
 * (PostgreSQL); the table is rewritten once. Without it (EventStoreDB), the feed is emptied and
 * its checkpoint set back to the start, so the projector rebuilds it from the log when it starts.
 */
export class EventFeedThin1700000002000 implements MigrationInterface {
  name = 'EventFeedThin1700000002000';

  async up(q: QueryRunner): Promise<void> {
    // One pass into a new table, swapped in: an update in place would leave a dead copy of every
    // row (and the dropped data) behind until a VACUUM FULL.
    await q.query(`
      create table event_feed_thin as
        select f.position, f.tenant_id, e.stream_revision,
               case when jsonb_typeof(f.data->'hold_id') = 'string' then f.data->>'hold_id' end as hold_id
          from event_feed f left join events e on e.global_position = f.position`);
    await q.query(`drop table event_feed`);
    await q.query(`alter table event_feed_thin rename to event_feed`);
    await q.query(refillFromLogWhen(`exists (select 1 from event_feed where stream_revision is null)`, 'event_feed', 'event_feed'));
    await q.query(`
      alter table event_feed alter column position set not null, alter column tenant_id set not null,
                             alter column stream_revision set not null, add primary key (position)`);
    await q.query(`create index event_feed_tenant on event_feed (tenant_id, position)`);
    await q.query(`create index event_feed_hold on event_feed (tenant_id, hold_id, position) where hold_id is not null`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`alter table event_feed add column id uuid, add column type text, add column occurred_at timestamptz, add column data jsonb`);
    await q.query(`
      update event_feed f
         set id = e.event_id, type = e.type, data = e.data,
             occurred_at = coalesce((e.metadata->>'occurred_at')::timestamptz, e.created_at)
        from events e
       where e.global_position = f.position`);
    await q.query(refillFromLogWhen(`exists (select 1 from event_feed where id is null)`, 'event_feed', 'event_feed'));
    await q.query(`drop index event_feed_hold`);
    await q.query(`
      alter table event_feed drop column stream_revision, drop column hold_id,
                             alter column id set not null, alter column type set not null,
                             alter column occurred_at set not null, alter column data set not null`);
    await q.query(`create index event_feed_hold on event_feed (tenant_id, (data->>'hold_id'), position) where data ? 'hold_id'`);
  }
}
