-- Webhook endpoints: configuration written by the API, not a read model (the log does not hold
-- it). Deliveries are the webhook_outbox projection's table; no foreign key between the two: a
-- rebuild swaps in a new webhook_deliveries table.
create table webhook_endpoints (
  id uuid primary key,
  tenant_id uuid not null,
  url text not null,
  events text[] not null,
  description text,
  status text not null check (status in ('enabled', 'disabled', 'deleted')),
  secret_sealed text not null,
  previous_secret_sealed text,
  previous_secret_expires_at timestamptz,
  created_at timestamptz not null default clock_timestamp(),
  updated_at timestamptz not null default clock_timestamp(),
  deleted_at timestamptz,
  dispatch_lease_id uuid,
  dispatch_lease_until timestamptz
);
create index webhook_endpoints_tenant on webhook_endpoints (tenant_id, created_at, id);
