-- Where each projection stands in the log, written in the same transaction as its rows; a
-- failure records the event it could not apply. Rebuilds keep theirs under `<name>@rebuild`.
-- Positions are numeric(39,0) to hold an EventStoreDB position (see 0002-tenancy).
create table projection_checkpoints (
  name text primary key,
  position numeric(39,0) not null default 0,
  updated_at timestamptz not null default now(),
  last_event_at timestamptz,
  error text,
  error_position numeric(39,0)
);

-- jsonb_column(json array) -> jsonb[] in the array's order: projections send a batch's JSON
-- column as one JSON array (ColumnBatch) and unnest it next to their typed arrays.
create function jsonb_column(p jsonb) returns jsonb[] language sql immutable parallel safe as $$
        select coalesce(array_agg(t.v order by t.i), '{}') from jsonb_array_elements(p) with ordinality as t(v, i)
      $$;
