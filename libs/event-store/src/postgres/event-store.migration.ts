import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The log. `transaction_id` (xid8) lets readers stop below the oldest transaction still in
 * flight, so an event committed out of position order is never skipped (DESIGN §4).
 * `append_events` checks the expected revision and writes every event of an append in one
 * statement; NOTIFY wakes subscribers at commit.
 *
 * Stopping below the oldest transaction in flight is only sound if positions follow
 * transaction ids: a committed event must never have a younger transaction id than an event
 * at a lower position that is still in flight, or a reader passes that position before it
 * commits and skips it for good. Left to itself, a transaction takes its id at its first write
 * and its positions later, so concurrent appends interleave (two multi-event appends take
 * alternating positions). `append_events` therefore takes the transaction id and all of its
 * positions together, one append at a time, and only then writes; it must be the first write
 * of its transaction.
 */
/**
 * What every form of append_events does before it inserts: refuse to be anything but the first
 * write of its transaction, take the stream's turn, take the transaction id and the positions
 * together, check and move the stream's revision, and notify. `count` is the SQL expression for
 * the number of events; `positions` and `current_revision` must be declared by the caller.
 * Frozen: it is part of this migration's text (and of AppendEventsJson1700000001400's), so an
 * edit would change what a fresh database gets (append-history.spec fails); a change belongs in
 * a new migration.
 */
export function appendTurnsSql(count: string): string {
  return `        if pg_current_xact_id_if_assigned() is not null then
          raise exception using errcode = 'ZL002',
            message = 'append_events must be the first write of its transaction (one append per transaction)';
        end if;
        -- Appends to one stream take turns until commit, before anything else: a later append
        -- to the stream can then only get later positions, so a stream's revisions and its
        -- global positions always run in the same order. (An advisory lock assigns no
        -- transaction id, so the rule below still holds.)
        perform pg_advisory_xact_lock(8, hashtext(p_stream));
        -- Transaction id and positions, together and one append at a time. The lock is held
        -- only for this block: a transaction-level lock taken in a subtransaction is released
        -- when the subtransaction rolls back, which keeps the transaction id and the sequence
        -- values (neither is undone by a rollback) and, unlike a session lock, cannot leak.
        begin
          perform pg_advisory_xact_lock(7, 1700000000);
          perform pg_current_xact_id();
          select array_agg(p order by p) into positions
            from (select nextval('events_global_position_seq') as p from generate_series(1, ${count})) s;
          raise exception using errcode = 'ZL000';
        exception when sqlstate 'ZL000' then
          null;
        end;
        insert into streams (stream_id, revision) values (p_stream, -1) on conflict (stream_id) do nothing;
        select revision into current_revision from streams where stream_id = p_stream for update;
        -- p_expected: -2 any, -1 no stream, otherwise the revision of the stream's last event.
        if p_expected <> -2 and current_revision <> p_expected then
          raise exception using errcode = 'ZL001', message = 'wrong expected version', detail = current_revision::text;
        end if;
        update streams set revision = current_revision + ${count} where stream_id = p_stream;
        perform pg_notify('zentra_events', p_stream);
`;
}

/** The first append function: one array per column (kept as a wrapper of the JSON one). */
export const APPEND_EVENTS_ARRAYS_SQL = `
      create function append_events(
        p_stream text, p_expected bigint, p_ids uuid[], p_types text[], p_data jsonb[], p_metadata jsonb[]
      ) returns table (out_position bigint, out_revision bigint)
      language plpgsql as $$
      declare
        current_revision bigint;
        positions bigint[];
      begin
${appendTurnsSql('cardinality(p_ids)')}        return query
          insert into events (global_position, stream_id, stream_revision, event_id, type, data, metadata)
          overriding system value
          select positions[u.ordinal], p_stream, current_revision + u.ordinal, u.id, u.type, u.data, u.metadata
          from unnest(p_ids, p_types, p_data, p_metadata) with ordinality as u(id, type, data, metadata, ordinal)
          order by u.ordinal
          returning global_position, stream_revision;
      end
      $$`;

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
    await q.query(APPEND_EVENTS_ARRAYS_SQL);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop function append_events`);
    await q.query(`drop table streams`);
    await q.query(`drop table events`);
  }
}
