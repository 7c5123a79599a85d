-- Tenants, their signed chain heads and their API keys. Keys are stored only as SHA-256 hashes.
create table tenants (
  id uuid primary key,
  name text not null,
  created_at timestamptz not null default now(),
  -- Ed25519: the public key in clear, the private key sealed under LEDGER_MASTER_KEY.
  public_key text not null,
  private_key_sealed text not null,
  -- The platform admin can suspend a tenant.
  status text not null default 'active' check (status in ('active', 'suspended'))
);

-- `position` is numeric(39,0): an EventStoreDB position packs {commit, prepare} into one integer
-- below 2^128 (libs/event-store/src/eventstoredb/position.ts), which int8 cannot hold.
create table chain_heads (
  tenant_id uuid not null references tenants (id),
  stream_revision bigint not null,
  position numeric(39,0) not null,
  hash text not null,
  signature text not null,
  signed_at timestamptz not null default now(),
  primary key (tenant_id, stream_revision)
);

-- Keys that can be stopped: who made each key, when it was last used (written coalesced), when
-- it expires.
create table api_keys (
  id uuid primary key,
  tenant_id uuid not null references tenants (id),
  role text not null check (role in ('admin', 'service', 'operator', 'auditor')),
  name text,
  key_hash bytea not null unique,
  key_prefix text not null,
  created_at timestamptz not null default now(),
  revoked_at timestamptz,
  created_by text,
  last_used_at timestamptz,
  expires_at timestamptz
);

-- The last-admin-key check reads the tenant's active admin keys.
create index api_keys_tenant_active on api_keys (tenant_id, role) where revoked_at is null;
