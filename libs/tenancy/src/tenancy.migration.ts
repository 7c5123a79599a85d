import { MigrationInterface, QueryRunner } from 'typeorm';

/** Tenants and their API keys. Keys are stored only as SHA-256 hashes. */
export class Tenancy1700000000050 implements MigrationInterface {
  name = 'Tenancy1700000000050';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table tenants (
        id uuid primary key,
        name text not null,
        created_at timestamptz not null default now()
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
    await q.query(`drop table api_keys`);
    await q.query(`drop table tenants`);
  }
}
