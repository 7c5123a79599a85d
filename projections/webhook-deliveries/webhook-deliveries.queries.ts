import { Pool, PoolClient } from 'pg';
import { Attempt } from '#webhooks/webhook-dispatcher.js';

const DELIVERY_COLUMNS = `id, tenant_id, endpoint_id, event_id, event_type, event_position, status, attempts, next_attempt_at, created_at, delivered_at`;

export const WEBHOOK_QUERIES = {
  deliveryById: `select ${DELIVERY_COLUMNS}, payload from webhook_deliveries where id = $1`,
  deliveries: `
    select ${DELIVERY_COLUMNS} from webhook_deliveries
     where tenant_id = $1 and ($2::uuid is null or endpoint_id = $2) and ($3::text is null or status = $3)
       and ($4::uuid is null or event_id = $4) and (event_position, endpoint_id) > ($5::numeric, $6::uuid)
     order by event_position, endpoint_id limit $7`,
  /*
   * A replay sends the same payload (same event id) again with a fresh signature and grants a
   * new round of attempts; it never touches the log. A result still in flight for the delivery
   * no longer counts (its lease is dropped).
   */
  replay: `
    update webhook_deliveries
       set status = 'pending', next_attempt_at = now(), attempts_before_replay = jsonb_array_length(attempts),
           delivered_at = null, dispatch_lease_id = null
     where id = $1
    returning ${DELIVERY_COLUMNS}`,
  replayFailed: `
    update webhook_deliveries
       set status = 'pending', next_attempt_at = now(), attempts_before_replay = jsonb_array_length(attempts), dispatch_lease_id = null
     where id in (select id from webhook_deliveries
                   where tenant_id = $1 and endpoint_id = $2 and status = 'failed' and created_at >= $3 and created_at < $4
                   order by created_at limit $5)`,
};

type Db = Pool | PoolClient;

function iso(value: unknown): string | null {
  return value ? new Date(value as string).toISOString() : null;
}

export interface DeliveryView {
  id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  status: 'pending' | 'retrying' | 'delivered' | 'failed';
  attempts: Attempt[];
  next_attempt_at: string | null;
  created_at: string;
  delivered_at: string | null;
  payload?: unknown;
}

export function deliveryView(row: any): DeliveryView {
  return {
    id: row.id,
    endpoint_id: row.endpoint_id,
    event_id: row.event_id,
    event_type: row.event_type,
    status: row.status,
    attempts: row.attempts.map((a: Attempt) => ('status_code' in a ? { at: a.at, status_code: a.status_code, duration_ms: a.duration_ms } : { at: a.at, error: a.error, duration_ms: a.duration_ms })),
    next_attempt_at: iso(row.next_attempt_at),
    created_at: iso(row.created_at)!,
    delivered_at: iso(row.delivered_at),
    ...(row.payload !== undefined ? { payload: row.payload } : {}),
  };
}

export async function findDelivery(db: Db, id: string): Promise<{ view: DeliveryView; tenant_id: string } | null> {
  const { rows } = await db.query(WEBHOOK_QUERIES.deliveryById, [id]);
  return rows.length ? { view: deliveryView(rows[0]), tenant_id: rows[0].tenant_id } : null;
}

export interface DeliveryFilter {
  endpoint_id: string | null;
  status: string | null;
  event_id: string | null;
}

/** Where a page of deliveries continues: after this (event position, endpoint). */
export interface DeliveryCursor {
  event_position: bigint;
  endpoint_id: string;
}

const CURSOR_START: DeliveryCursor = { event_position: 0n, endpoint_id: '00000000-0000-0000-0000-000000000000' };

/** A page of deliveries in log order (per event, by endpoint). */
export async function listDeliveries(
  db: Db,
  tenantId: string,
  filter: DeliveryFilter,
  after: DeliveryCursor | null,
  limit: number,
): Promise<{ cursor: DeliveryCursor; view: DeliveryView }[]> {
  const from = after ?? CURSOR_START;
  const { rows } = await db.query(WEBHOOK_QUERIES.deliveries, [
    tenantId, filter.endpoint_id, filter.status, filter.event_id, from.event_position.toString(), from.endpoint_id, limit,
  ]);
  return rows.map((row) => ({ cursor: { event_position: BigInt(row.event_position), endpoint_id: row.endpoint_id }, view: deliveryView(row) }));
}

export async function replayDelivery(db: Db, id: string): Promise<DeliveryView | null> {
  const { rows } = await db.query(WEBHOOK_QUERIES.replay, [id]);
  return rows.length ? deliveryView(rows[0]) : null;
}

/** Replays up to `max` failed deliveries of the endpoint created in [from, to); returns how many. */
export async function replayFailedDeliveries(db: Db, tenantId: string, endpointId: string, from: Date, to: Date, max: number): Promise<number> {
  const { rowCount } = await db.query(WEBHOOK_QUERIES.replayFailed, [tenantId, endpointId, from, to, max]);
  return rowCount ?? 0;
}
