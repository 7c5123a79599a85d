import { Pool } from 'pg';
import { RouteStatus } from '#domain/index.js';

const COLUMNS = `id, tenant_id, name, currency, corridor, settlement_account_id, priority, status, created_at, updated_at, created_position, position`;

export const ROUTE_QUERIES = {
  byId: `select ${COLUMNS} from routes where id = $1`,
  list: `select ${COLUMNS} from routes
          where tenant_id = $1 and ($2::text is null or status = $2) and ($3::text is null or currency = $3)
            and ($4::text is null or corridor = $4) and created_position > $5
          order by created_position limit $6`,
};

/** A route as GET /routes answers it (created_position is the list's cursor, not shown). */
export interface RouteView {
  id: string;
  name: string;
  currency: string;
  corridor: string;
  settlement_account_id: string;
  priority: number;
  status: RouteStatus;
  created_at: string;
  updated_at: string;
  position: string;
  created_position: string;
}

function routeViewFromRow(row: any): RouteView {
  return {
    id: row.id,
    name: row.name,
    currency: row.currency,
    corridor: row.corridor,
    settlement_account_id: row.settlement_account_id,
    priority: row.priority,
    status: row.status,
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
    position: String(row.position),
    created_position: String(row.created_position),
  };
}

/** Returns null for a missing route and for another tenant's: callers answer 404 alike. */
export async function findRoute(pool: Pool, id: string): Promise<{ view: RouteView; tenant_id: string } | null> {
  const { rows } = await pool.query({ name: 'route_by_id', text: ROUTE_QUERIES.byId, values: [id] });
  return rows.length ? { view: routeViewFromRow(rows[0]), tenant_id: rows[0].tenant_id } : null;
}

export interface RouteFilter {
  status: RouteStatus | null;
  currency: string | null;
  corridor: string | null;
}

export async function listRoutes(pool: Pool, tenantId: string, filter: RouteFilter, after: bigint, limit: number): Promise<RouteView[]> {
  const values = [tenantId, filter.status, filter.currency, filter.corridor, after.toString(), limit];
  const { rows } = await pool.query({ name: 'routes_list', text: ROUTE_QUERIES.list, values });
  return rows.map(routeViewFromRow);
}
