import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Keys that can be stopped: who made each key, when it was last used (written coalesced),
 * when it expires; tenants that the platform admin can suspend.
 */
export class KeyLifecycle1700000002310 implements MigrationInterface {
  name = 'KeyLifecycle1700000002310';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table api_keys add column created_by text, add column last_used_at timestamptz, add column expires_at timestamptz`);
    // The last-admin-key check reads the tenant's active admin keys.
    await q.query(`create index api_keys_tenant_active on api_keys (tenant_id, role) where revoked_at is null`);
    await q.query(`alter table tenants add column status text not null default 'active' check (status in ('active', 'suspended'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`alter table tenants drop column status`);
    await q.query(`drop index api_keys_tenant_active`);
    await q.query(`alter table api_keys drop column created_by, drop column last_used_at, drop column expires_at`);
  }
}
