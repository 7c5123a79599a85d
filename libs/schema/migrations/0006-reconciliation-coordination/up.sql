-- The drift check running for a tenant right now, if any: its id, so a second request can be
-- answered with it. Coordination, not a fact: the run becomes a fact (an event) when it ends,
-- and its row goes. A row is believed only while its holder_pid holds the tenant's advisory lock.
create table reconciliation_runs_active (
  tenant_id uuid primary key,
  run_id uuid not null,
  triggered_by text not null,
  started_at timestamptz not null,
  holder_pid int not null
);

-- A statement's per-line outcome, and the ledger entries it left unreconciled, written at import
-- before its event is appended (the event carries only the content's SHA-256 and the counts).
-- Not a read model: the lines come from the statement's content, which the log does not hold,
-- so they cannot be rebuilt from it; a rebuild of the reconciliation projection leaves them alone.
create table reconciliation_statement_lines (
  statement_id uuid not null,
  seq int not null,
  line int not null,
  external_id text,
  status text not null,
  rule text,
  entry_ids jsonb not null,
  error text,
  primary key (statement_id, seq)
);
create table reconciliation_statement_unreconciled (
  statement_id uuid primary key,
  entry_ids jsonb not null
);
