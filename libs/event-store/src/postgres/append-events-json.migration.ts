import { MigrationInterface, QueryRunner } from 'typeorm';
import { APPEND_EVENTS_ARRAYS_SQL } from './event-store.migration.js';

/**
 * `append_events(stream, expected, events jsonb)`: the events of an append as one JSON array of
 * `{id, type, data, metadata}`. The writer already holds each event's data and metadata as JSON
 * text, so the array is built by concatenation; sent as text[] arrays instead, every JSON string
 * had to be escaped into an array literal (a fifth to a third of the bytes the acknowledge path
 * allocated). Same rules as before (see event-store.migration.ts): first write of its
 * transaction, per-stream turns, transaction id and positions taken together, one statement.
 * The array-per-column form stays, as a wrapper of this one.
 */
export class AppendEventsJson1700000001400 implements MigrationInterface {
  name = 'AppendEventsJson1700000001400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create function append_events(p_stream text, p_expected bigint, p_events jsonb)
      returns table (out_position bigint, out_revision bigint)
      language plpgsql as $$
      declare
        current_revision bigint;
        positions bigint[];
        event_count int := jsonb_array_length(p_events);
      begin
        if event_count = 0 then
          raise exception using errcode = '22023', message = 'append_events needs at least one event';
        end if;
        if pg_current_xact_id_if_assigned() is not null then
          raise exception using errcode = 'ZL002',
            message = 'append_events must be the first write of its transaction (one append per transaction)';
        end if;
        perform pg_advisory_xact_lock(8, hashtext(p_stream));
        begin
          perform pg_advisory_xact_lock(7, 1700000000);
          perform pg_current_xact_id();
          select array_agg(p order by p) into positions
            from (select nextval('events_global_position_seq') as p from generate_series(1, event_count)) s;
          raise exception using errcode = 'ZL000';
        exception when sqlstate 'ZL000' then
          null;
        end;
        insert into streams (stream_id, revision) values (p_stream, -1) on conflict (stream_id) do nothing;
        select revision into current_revision from streams where stream_id = p_stream for update;
        if p_expected <> -2 and current_revision <> p_expected then
          raise exception using errcode = 'ZL001', message = 'wrong expected version', detail = current_revision::text;
        end if;
        update streams set revision = current_revision + event_count where stream_id = p_stream;
        perform pg_notify('zentra_events', p_stream);
        return query
          insert into events (global_position, stream_id, stream_revision, event_id, type, data, metadata)
          overriding system value
          select positions[u.ordinal], p_stream, current_revision + u.ordinal, (u.e->>'id')::uuid, u.e->>'type', u.e->'data', u.e->'metadata'
          from jsonb_array_elements(p_events) with ordinality as u(e, ordinal)
          order by u.ordinal
          returning global_position, stream_revision;
      end
      $$`);
    await q.query(`
      create or replace function append_events(
        p_stream text, p_expected bigint, p_ids uuid[], p_types text[], p_data jsonb[], p_metadata jsonb[]
      ) returns table (out_position bigint, out_revision bigint)
      language sql as $$
        select * from append_events(p_stream, p_expected, (
          select coalesce(jsonb_agg(jsonb_build_object('id', u.id, 'type', u.type, 'data', u.data, 'metadata', u.metadata) order by u.ordinal), '[]')
            from unnest(p_ids, p_types, p_data, p_metadata) with ordinality as u(id, type, data, metadata, ordinal)))
      $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop function append_events(text, bigint, uuid[], text[], jsonb[], jsonb[])`);
    await q.query(`drop function append_events(text, bigint, jsonb)`);
    await q.query(APPEND_EVENTS_ARRAYS_SQL);
  }
}
