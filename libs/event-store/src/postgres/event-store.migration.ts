import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The log. `transaction_id` (xid8) lets readers stop below the oldest transaction still in
 * flight, so an event committed out of position order is never skipped (DESIGN §4).
 * `append_events` checks the expected revision and writes every event of an append in one
 * statement; NOTIFY wakes subscribers at commit.
 */
export class EventStore1700000000000 implements MigrationInterface {
  name = 'EventStore1700000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table events (
        global_position bigint generated always as identity primary key,
        stream_id text not null,
        stream_revision bigint not null,
        event_id uuid not null unique,
        type text not null,
        data jsonb not null,
        metadata jsonb not null,
        created_at timestamptz not null default clock_timestamp(),
        transaction_id xid8 not null default pg_current_xact_id(),
        unique (stream_id, stream_revision)
      )`);
    await q.query(`
      create table streams (
        stream_id text primary key,
        revision bigint not null
      )`);
    await q.query(`
      create function append_events(
        p_stream text, p_expected bigint, p_ids uuid[], p_types text[], p_data jsonb[], p_metadata jsonb[]
      ) returns table (out_position bigint, out_revision bigint)
      language plpgsql as $$
      declare
        current_revision bigint;
      begin
        insert into streams (stream_id, revision) values (p_stream, -1) on conflict (stream_id) do nothing;
        select revision into current_revision from streams where stream_id = p_stream for update;
        -- p_expected: -2 any, -1 no stream, otherwise the revision of the stream's last event.
        if p_expected <> -2 and current_revision <> p_expected then
          raise exception using errcode = 'ZL001', message = 'wrong expected version', detail = current_revision::text;
        end if;
        update streams set revision = current_revision + cardinality(p_ids) where stream_id = p_stream;
        perform pg_notify('zentra_events', p_stream);
        return query
          insert into events (stream_id, stream_revision, event_id, type, data, metadata)
          select p_stream, current_revision + u.ordinal, u.id, u.type, u.data, u.metadata
          from unnest(p_ids, p_types, p_data, p_metadata) with ordinality as u(id, type, data, metadata, ordinal)
          order by u.ordinal
          returning global_position, stream_revision;
      end
      $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop function append_events`);
    await q.query(`drop table streams`);
    await q.query(`drop table events`);
  }
}
