import { Pool, PoolClient } from 'pg';
import { inTransaction } from '#database/database.js';

// Webhook endpoints are tenant configuration (plain rows, not a read model of the log); the
// deliveries they receive are the webhook_deliveries outbox, projected from the log.

const ENDPOINT_COLUMNS = `id, tenant_id, url, events, description, status, created_at,
  case when previous_secret_expires_at > now() then previous_secret_expires_at end as previous_secret_expires_at`;

const SQL = {
  // The count guard bounds endpoints per tenant (two racing creates may overshoot by one).
  insertEndpoint: `
    insert into webhook_endpoints (id, tenant_id, url, events, description, status, secret_sealed)
    select $1, $2, $3, $4, $5, 'enabled', $6
     where (select count(*) from webhook_endpoints where tenant_id = $2 and status <> 'deleted') < $7
    returning ${ENDPOINT_COLUMNS}`,
  endpointById: `select ${ENDPOINT_COLUMNS} from webhook_endpoints where id = $1 and status <> 'deleted'`,
  endpoints: `select ${ENDPOINT_COLUMNS} from webhook_endpoints where tenant_id = $1 and status <> 'deleted' order by created_at, id limit $2`,
  setStatus: `update webhook_endpoints set status = $2, updated_at = clock_timestamp() where id = $1 and status <> 'deleted' returning ${ENDPOINT_COLUMNS}`,
  // The old secret keeps signing until the grace period ends; a second rotation within it drops the oldest.
  rotateSecret: `
    update webhook_endpoints
       set previous_secret_sealed = secret_sealed, previous_secret_expires_at = now() + make_interval(secs => $3),
           secret_sealed = $2, updated_at = clock_timestamp()
     where id = $1 and status <> 'deleted'
    returning ${ENDPOINT_COLUMNS}`,
  deleteEndpoint: `
    update webhook_endpoints
       set status = 'deleted', deleted_at = clock_timestamp(), updated_at = clock_timestamp(),
           secret_sealed = '', previous_secret_sealed = null, previous_secret_expires_at = null
     where id = $1 and status <> 'deleted'
    returning ${ENDPOINT_COLUMNS}`,
  // Outstanding deliveries of a deleted endpoint end without another attempt.
  abandonDeliveries: `
    update webhook_deliveries set status = 'failed', next_attempt_at = null, dispatch_lease_id = null
     where endpoint_id = $1 and status in ('pending', 'retrying')`,
};

type Db = Pool | PoolClient;

function iso(value: unknown): string | null {
  return value ? new Date(value as string).toISOString() : null;
}

export interface EndpointView {
  id: string;
  url: string;
  events: string[];
  status: 'enabled' | 'disabled' | 'deleted';
  description: string | null;
  created_at: string;
  /** While set, deliveries are signed with the previous secret too. */
  previous_secret_expires_at: string | null;
}

export function endpointView(row: any): EndpointView {
  return {
    id: row.id,
    url: row.url,
    events: row.events,
    status: row.status,
    description: row.description,
    created_at: iso(row.created_at)!,
    previous_secret_expires_at: iso(row.previous_secret_expires_at),
  };
}

export interface NewEndpoint {
  id: string;
  tenant_id: string;
  url: string;
  events: string[];
  description: string | null;
  secret_sealed: string;
}

/** The new endpoint, or null when the tenant already has `max` of them. */
export async function insertEndpoint(db: Db, endpoint: NewEndpoint, max: number): Promise<EndpointView | null> {
  const { rows } = await db.query(SQL.insertEndpoint, [
    endpoint.id, endpoint.tenant_id, endpoint.url, endpoint.events, endpoint.description, endpoint.secret_sealed, max,
  ]);
  return rows.length ? endpointView(rows[0]) : null;
}

export async function findEndpoint(db: Db, id: string): Promise<{ view: EndpointView; tenant_id: string } | null> {
  const { rows } = await db.query(SQL.endpointById, [id]);
  return rows.length ? { view: endpointView(rows[0]), tenant_id: rows[0].tenant_id } : null;
}

export async function listEndpoints(db: Db, tenantId: string, limit: number): Promise<EndpointView[]> {
  const { rows } = await db.query(SQL.endpoints, [tenantId, limit]);
  return rows.map(endpointView);
}

export async function setEndpointStatus(db: Db, id: string, status: 'enabled' | 'disabled'): Promise<EndpointView | null> {
  const { rows } = await db.query(SQL.setStatus, [id, status]);
  return rows.length ? endpointView(rows[0]) : null;
}

export async function rotateEndpointSecret(db: Db, id: string, secretSealed: string, graceSeconds: number): Promise<EndpointView | null> {
  const { rows } = await db.query(SQL.rotateSecret, [id, secretSealed, graceSeconds]);
  return rows.length ? endpointView(rows[0]) : null;
}

/** Marks the endpoint deleted (its secrets are wiped) and ends its outstanding deliveries, in one transaction. */
export async function deleteEndpoint(pool: Pool, id: string): Promise<EndpointView | null> {
  return inTransaction(pool, async (tx) => {
    const { rows } = await tx.query(SQL.deleteEndpoint, [id]);
    if (rows.length) await tx.query(SQL.abandonDeliveries, [id]);
    return rows.length ? endpointView(rows[0]) : null;
  });
}
