-- One snapshot per tenant of its writer's state (libs/write-model/src/state-snapshot.ts), so a
-- writer starting cold reads the stream only after `stream_revision` instead of from the start.
-- A cache, never evidence: a snapshot is used only when its format version is the code's, its
-- bytes hash to `state_sha256` and the event at `stream_revision` carries `chain_head`; anything
-- else falls back to a full replay of the log. Rows may be deleted at any time.
create table write_model_snapshots (
  tenant_id text primary key,
  format_version integer not null check (format_version > 0),
  stream_revision bigint not null check (stream_revision >= 0),
  -- The hash of the event at stream_revision: the snapshot belongs to this stream, not to a log restored or rewritten since.
  chain_head text not null,
  state bytea not null,
  state_sha256 text not null,
  taken_at timestamptz not null default now()
);
