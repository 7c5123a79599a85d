import { MigrationInterface, QueryRunner } from 'typeorm';
import { APPEND_EVENTS_ARRAYS_SQL, appendTurnsSql } from './event-store.migration.js';

/**
 * The JSON form of `append_events` (see AppendEventsJson below). `returnsStored`: the later form,
 * which also returns each event's created_at and event id as stored (AppendReturnsStored); false
 * gives this migration's code as released (its text has since gained appendTurnsSql's comment
 * lines), which is history and must not change: append-history.spec locks both.
 */
export function appendEventsJsonSql(returnsStored: boolean): string {
  return `
      create function append_events(p_stream text, p_expected bigint, p_events jsonb)
      returns table (out_position bigint, out_revision bigint${returnsStored ? ', out_created_at timestamptz, out_event_id uuid' : ''})
      language plpgsql as $$
      declare
        current_revision bigint;
        positions bigint[];
        event_count int := jsonb_array_length(p_events);
      begin
        if event_count = 0 then
          raise exception using errcode = '22023', message = 'append_events needs at least one event';
        end if;
${appendTurnsSql('event_count')}        return query
          insert into events (global_position, stream_id, stream_revision, event_id, type, data, metadata)
          overriding system value
          select positions[u.ordinal], p_stream, current_revision + u.ordinal, (u.e->>'id')::uuid, u.e->>'type', u.e->'data', u.e->'metadata'
          from jsonb_array_elements(p_events) with ordinality as u(e, ordinal)
          order by u.ordinal
          returning global_position, stream_revision${returnsStored ? ', created_at, event_id' : ''};
      end
      $$`;
}

/** The array-per-column form as a wrapper of the JSON one, selecting `columns` of it (history for '*'). */
export function appendEventsArraysWrapperSql(columns: string): string {
  return `
      create or replace function append_events(
        p_stream text, p_expected bigint, p_ids uuid[], p_types text[], p_data jsonb[], p_metadata jsonb[]
      ) returns table (out_position bigint, out_revision bigint)
      language sql as $$
        select ${columns} from append_events(p_stream, p_expected, (
          select coalesce(jsonb_agg(jsonb_build_object('id', u.id, 'type', u.type, 'data', u.data, 'metadata', u.metadata) order by u.ordinal), '[]')
            from unnest(p_ids, p_types, p_data, p_metadata) with ordinality as u(id, type, data, metadata, ordinal)))
      $$`;
}

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
    await q.query(appendEventsJsonSql(false));
    await q.query(appendEventsArraysWrapperSql('*'));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop function append_events(text, bigint, uuid[], text[], jsonb[], jsonb[])`);
    await q.query(`drop function append_events(text, bigint, jsonb)`);
    await q.query(APPEND_EVENTS_ARRAYS_SQL);
  }
}
