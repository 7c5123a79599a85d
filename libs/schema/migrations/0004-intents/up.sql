-- The runtime trace of each intent: the states a request went through, with timestamps.
create table intents (
  tenant_id uuid not null,
  id text not null,
  states jsonb not null,
  updated_at timestamptz not null default now(),
  primary key (tenant_id, id)
);
