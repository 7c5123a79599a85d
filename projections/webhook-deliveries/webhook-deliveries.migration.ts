import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhook endpoints (configuration, written by the API) and deliveries (an outbox filled by the
 * webhook_outbox projection, then worked by the dispatcher). No foreign key between them: a
 * projection rebuild swaps in a copy of webhook_deliveries, and copies do not carry foreign keys.
 */
export class WebhookReadModel1700000001200 implements MigrationInterface {
  name = 'WebhookReadModel1700000001200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
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
      )`);
    await q.query(`create index webhook_endpoints_tenant on webhook_endpoints (tenant_id, created_at, id)`);
    await q.query(`
      create table webhook_deliveries (
        id uuid primary key,
        tenant_id uuid not null,
        endpoint_id uuid not null,
        event_id uuid not null,
        event_type text not null,
        event_position bigint not null,
        payload jsonb not null,
        status text not null check (status in ('pending', 'retrying', 'delivered', 'failed')),
        attempts jsonb not null default '[]',
        attempts_before_replay integer not null default 0,
        next_attempt_at timestamptz,
        created_at timestamptz not null,
        delivered_at timestamptz,
        dispatch_lease_id uuid,
        unique (endpoint_id, event_id)
      )`);
    await q.query(`create index webhook_deliveries_tenant on webhook_deliveries (tenant_id, event_position, endpoint_id)`);
    await q.query(`create index webhook_deliveries_event on webhook_deliveries (tenant_id, event_id)`);
    await q.query(`create index webhook_deliveries_due on webhook_deliveries (endpoint_id, next_attempt_at) where status in ('pending', 'retrying')`);
    await q.query(`create index webhook_deliveries_endpoint on webhook_deliveries (endpoint_id, created_at) where status = 'failed'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table webhook_deliveries`);
    await q.query(`drop table webhook_endpoints`);
  }
}
