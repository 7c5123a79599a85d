-- The log: every event of every stream, in one order (global_position), append-only.
--
-- `transaction_id` (xid8) lets readers stop below the oldest transaction still in flight, so an
-- event committed out of position order is never skipped (DESIGN §4). That is only sound if
-- positions follow transaction ids: a committed event must never have a younger transaction id
-- than an event at a lower position that is still in flight. Left to itself, a transaction takes
-- its id at its first write and its positions later, so concurrent appends interleave.
-- `append_events` therefore takes the transaction id and all of its positions together, one
-- append at a time, and only then writes; it must be the first write of its transaction.
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
);

-- Each stream's last revision: the expected-revision check and the per-stream turn.
create table streams (
  stream_id text primary key,
  revision bigint not null
);

-- append_events(stream, expected, events jsonb): the events of an append as one JSON array of
-- {id, type, data, metadata}; returns each event's position, revision, created_at and id as
-- stored. p_expected: -2 any, -1 no stream, otherwise the revision of the stream's last event
-- (ZL001 when it is not). One statement writes every event; NOTIFY wakes subscribers at commit.
create function append_events(p_stream text, p_expected bigint, p_events jsonb)
returns table (out_position bigint, out_revision bigint, out_created_at timestamptz, out_event_id uuid)
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
            from (select nextval('events_global_position_seq') as p from generate_series(1, event_count)) s;
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
        update streams set revision = current_revision + event_count where stream_id = p_stream;
        perform pg_notify('zentra_events', p_stream);
        return query
          insert into events (global_position, stream_id, stream_revision, event_id, type, data, metadata)
          overriding system value
          select positions[u.ordinal], p_stream, current_revision + u.ordinal, (u.e->>'id')::uuid, u.e->>'type', u.e->'data', u.e->'metadata'
          from jsonb_array_elements(p_events) with ordinality as u(e, ordinal)
          order by u.ordinal
          returning global_position, stream_revision, created_at, event_id;
      end
      $$;

-- The first form, one array per column, kept as a wrapper of the JSON one.
create function append_events(
  p_stream text, p_expected bigint, p_ids uuid[], p_types text[], p_data jsonb[], p_metadata jsonb[]
) returns table (out_position bigint, out_revision bigint)
language sql as $$
        select out_position, out_revision from append_events(p_stream, p_expected, (
          select coalesce(jsonb_agg(jsonb_build_object('id', u.id, 'type', u.type, 'data', u.data, 'metadata', u.metadata) order by u.ordinal), '[]')
            from unnest(p_ids, p_types, p_data, p_metadata) with ordinality as u(id, type, data, metadata, ordinal)))
      $$;

-- A tenant's writer finds, in its own stream, the events of one idempotency key, transaction or
-- hold: the write model can forget records and rebuild any of them exactly from the log.
-- Partial: only events that carry the key.
create index events_by_idempotency_key on events (stream_id, (metadata->>'idempotency_key')) where metadata ? 'idempotency_key' and metadata->>'idempotency_key' is not null;
create index events_by_transaction_id on events (stream_id, (data->>'transaction_id')) where data ? 'transaction_id';
create index events_by_hold_id on events (stream_id, (data->>'hold_id')) where data ? 'hold_id';

-- The log is append-only in the database itself: UPDATE, DELETE and TRUNCATE of `events` are
-- refused (ZL003) by a statement-level trigger, whoever runs them (a trigger holds for the
-- table's owner too, unlike revoked privileges). A role that owns the table can still disable
-- it, so the chain-head signer re-verifies the chain before signing. A migration that ever has
-- to rewrite events must say so: `alter table events disable trigger events_append_only`, the
-- rewrite, then enable it again, in one transaction.
create function events_refuse_rewrite() returns trigger language plpgsql as $$
      begin
        raise exception using errcode = 'ZL003',
          message = format('the event log is append-only: %s on %I is refused', tg_op, tg_table_name),
          hint = 'events are never changed or removed; correct with new events (e.g. a reversal)';
      end
      $$;

create trigger events_append_only before update or delete or truncate on events
  for each statement execute function events_refuse_rewrite();
