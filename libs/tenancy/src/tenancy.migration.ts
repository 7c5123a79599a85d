import { MigrationInterface, QueryRunner } from 'typeorm';

/** Tenants and their API keys. Keys are stored only as SHA-256 hashes. */
export class Tenancy1700000000050 implements MigrationInterface {
  name = 'Tenancy1700000000050';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table tenants (
        id uuid primary key,
        name text not null,
        created_at timestamptz not null default now(),
        -- Ed25519: the public key in clear, the private key sealed under LEDGER_MASTER_KEY.
        public_key text not null,
        private_key_sealed text not null
      )`);
    await q.query(`
      create table chain_heads (
        tenant_id uuid not null references tenants (id),
        stream_revision bigint not null,
        position bigint not null,
        hash text not null,
        signature text not null,
        signed_at timestamptz not null default now(),
        primary key (tenant_id, stream_revision)
      )`);
    await q.query(`
      create table api_keys (
        id uuid primary key,
        tenant_id uuid not null references tenants (id),
        role text not null check (role in ('admin', 'service', 'operator', 'auditor')),
        name text,
        key_hash bytea not null unique,
        key_prefix text not null,
        created_at timestamptz not null default now(),
        revoked_at timestamptz
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table chain_heads`);
    await q.query(`drop table api_keys`);
    await q.query(`drop table tenants`);
  }
}
