import { PoolClient } from 'pg';
import { RouteCreatedData, RouteStatusChangedData } from '#domain/index.js';
import { RecordedEvent } from '#event-store/index.js';
import { occurredAt, Projection, tenantOf } from '#projection-runtime/index.js';

/** One statement per route event: routes change rarely (at most ROUTES_PER_TENANT_MAX per tenant). */
const SQL = {
  created: `
    insert into routes (id, tenant_id, name, currency, corridor, settlement_account_id, priority, status, created_at, updated_at, created_position, position)
    values ($1, $2, $3, $4, $5, $6, $7, 'enabled', $8, $8, $9, $9)
    on conflict (id) do nothing`,
  statusChanged: `update routes set status = $2, updated_at = $3, position = $4 where id = $1`,
};

/** The read model's tables at `version` (a change here is a new version: the model is rebuilt from the log). */
const SCHEMA = `
  create table routes (
    id uuid primary key,
    tenant_id uuid not null,
    name text not null,
    currency text not null,
    corridor text not null,
    settlement_account_id uuid not null,
    priority integer not null,
    status text not null,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    created_position numeric(39,0) not null,
    position numeric(39,0) not null
  );
  create index routes_tenant_created on routes (tenant_id, created_position);`;

/** Each tenant route as its latest event says (GET /routes); the write model routes with its own copy. */
export const routesProjection: Projection = {
  name: 'routes',
  version: 1,
  tables: ['routes'],
  schema: SCHEMA,
  async apply(tx: PoolClient, events: RecordedEvent[]): Promise<void> {
    for (const event of events) {
      const position = event.position.toString();
      if (event.type === 'route.created') {
        const d = event.data as RouteCreatedData;
        await tx.query(SQL.created, [d.route_id, tenantOf(event), d.name, d.currency, d.corridor, d.settlement_account_id, d.priority, d.created_at, position]);
      } else if (event.type === 'route.status_changed') {
        const d = event.data as RouteStatusChangedData;
        await tx.query(SQL.statusChanged, [d.route_id, d.to, occurredAt(event), position]);
      }
    }
  },
};
