import { PoolClient } from 'pg';
import { dataForConsumers } from '#domain/index.js';
import { RecordedEvent } from '#event-store/index.js';
import { ColumnBatch, isLedgerEvent, occurredAt, Projection, tenantOf } from '#projection-runtime/index.js';
import { DeliveryPayload, isPublicEventType } from '#webhooks/webhook-events.js';

const COLUMNS = `id, tenant_id, endpoint_id, event_id, event_type, event_position, payload, status, attempts, attempts_before_replay,
  next_attempt_at, created_at, delivered_at`;

const SQL = {
  // Tenants that have (or had) an endpoint; the others are skipped without building payloads.
  tenantsWithEndpoints: `select distinct tenant_id from webhook_endpoints where tenant_id = any($1::uuid[])`,
  /*
   * Rebuilds only (into shadow tables, which come first on the search path): the live rows of
   * these events are copied as they stand, delivery state included, so a rebuild neither sends
   * everything again nor loses the history of endpoints disabled or deleted since. Live, the
   * source is the target and these events have no rows yet: it inserts nothing. The source is
   * the live model at the version it was built at: a version that changes this table's columns
   * must select what the previous version has here.
   */
  carryOver: `
    insert into webhook_deliveries (${COLUMNS})
    select ${COLUMNS} from public.webhook_deliveries
     where tenant_id = any($1::uuid[]) and event_id = any($2::uuid[])
    on conflict (endpoint_id, event_id) do nothing`,
  /*
   * One pending delivery per (enabled endpoint of the event's tenant, event) when the endpoint
   * subscribes to the type and existed when the event was appended. The id is derived from the
   * pair, so a rebuild names the same delivery. Endpoints are read unqualified: always the live
   * configuration.
   */
  enqueue: `
    insert into webhook_deliveries (id, tenant_id, endpoint_id, event_id, event_type, event_position, payload, status, next_attempt_at, created_at, traceparent)
    select md5(e.id::text || ':' || x.event_id::text)::uuid, x.tenant_id, e.id, x.event_id, x.event_type, x.event_position, x.payload,
           'pending', now(), now(), x.traceparent
      from unnest($1::uuid[], $2::uuid[], $3::text[], $4::numeric[], $5::timestamptz[], jsonb_column($6), $7::text[])
           as x(tenant_id, event_id, event_type, event_position, appended_at, payload, traceparent)
      join webhook_endpoints e
        on e.tenant_id = x.tenant_id and e.status = 'enabled'
       and date_trunc('milliseconds', e.created_at) <= x.appended_at
       and ('*' = any(e.events) or x.event_type = any(e.events))
    on conflict (endpoint_id, event_id) do nothing`,
};

export function payloadOf(event: RecordedEvent): DeliveryPayload {
  return { id: event.id, type: event.type, created_at: occurredAt(event), tenant_id: tenantOf(event), data: dataForConsumers(event.type, event.data) };
}

function traceparentOf(event: RecordedEvent): string | null {
  const traceparent = (event.metadata as { traceparent?: unknown }).traceparent;
  return typeof traceparent === 'string' ? traceparent : null;
}

/** The read model's tables at `version` (a change here is a new version: the model is rebuilt from the log). */
const SCHEMA = `
  create table webhook_deliveries (
    id uuid primary key,
    tenant_id uuid not null,
    endpoint_id uuid not null,
    event_id uuid not null,
    event_type text not null,
    event_position numeric(39,0) not null,
    payload jsonb not null,
    status text not null check (status in ('pending', 'retrying', 'delivered', 'failed')),
    attempts jsonb not null default '[]',
    attempts_before_replay integer not null default 0,
    next_attempt_at timestamptz,
    created_at timestamptz not null,
    delivered_at timestamptz,
    dispatch_lease_id uuid,
    -- The trace of the request that appended the event (its metadata.traceparent, when tracing was
    -- on): the dispatcher's attempt spans join it. Never sent to the receiver.
    traceparent text,
    unique (endpoint_id, event_id)
  );
  create index webhook_deliveries_tenant on webhook_deliveries (tenant_id, event_position, endpoint_id);
  create index webhook_deliveries_event on webhook_deliveries (tenant_id, event_id);
  create index webhook_deliveries_due on webhook_deliveries (endpoint_id, next_attempt_at) where status in ('pending', 'retrying');
  create index webhook_deliveries_endpoint on webhook_deliveries (endpoint_id, created_at) where status = 'failed';`;

/**
 * The webhook outbox: for each public event of a tenant's ledger stream, one pending delivery
 * per enabled endpoint of that tenant subscribed to its type ('*' or the type), written in the
 * transaction that advances this projection's checkpoint. A crash before the commit loses
 * neither the event nor its deliveries (the batch is applied again); after it, nothing is
 * applied twice, and `on conflict do nothing` keeps one row per (endpoint, event) regardless.
 *
 * Unlike the other read models this is not a pure function of the log: endpoints are
 * configuration (not event-sourced), read inside the transaction, and the dispatcher updates
 * each row's status and attempts. So:
 * - an endpoint receives the events appended after it was created, if it is enabled when the
 *   projection reaches them. Rebuilding does not create deliveries for events older than an
 *   endpoint (an endpoint created later gets no history).
 * - A rebuild copies the live rows with their delivery state, and adds a pending delivery only
 *   where the live table has none: an endpoint enabled now that was disabled when an event
 *   was projected receives that event after a rebuild. A delivery updated by the dispatcher
 *   during the rebuild may be sent once more (delivery is at least once; receivers deduplicate
 *   by event id).
 * - `projections verify webhook_outbox` is therefore not a determinism proof: the rebuilt side
 *   is copied from the live one. DIFFERENT can be legitimate (attempts in flight, endpoints
 *   enabled since); identical only says no delivery is missing or extra.
 */
export const webhookOutboxProjection: Projection = {
  name: 'webhook_outbox',
  // 2: traceparent (the request's trace, for the dispatcher's spans).
  version: 2,
  tables: ['webhook_deliveries'],
  schema: SCHEMA,
  async apply(tx: PoolClient, events: RecordedEvent[]): Promise<void> {
    const ledger = events.filter((e) => isLedgerEvent(e) && isPublicEventType(e.type));
    if (ledger.length === 0) return;
    // Most tenants have no endpoint: spare them the payloads.
    const { rows } = await tx.query(SQL.tenantsWithEndpoints, [[...new Set(ledger.map(tenantOf))]]);
    const tenants = new Set(rows.map((r) => r.tenant_id as string));
    const candidates = ledger.filter((e) => tenants.has(tenantOf(e)));
    if (candidates.length === 0) return;
    await tx.query(SQL.carryOver, [[...tenants], candidates.map((e) => e.id)]);
    const deliveries = new ColumnBatch(7, [5]);
    for (const e of candidates) deliveries.add([tenantOf(e), e.id, e.type, e.position.toString(), e.created_at, payloadOf(e), traceparentOf(e)]);
    await deliveries.flush(tx, SQL.enqueue);
  },
};
