import { Pool } from 'pg';
import { PolicyMode, PolicyScope, PolicyStatus, PolicyType } from '#domain/index.js';

const COLUMNS = `id, tenant_id, name, type, mode, scope, params, status, version, created_at, updated_at, created_position, position`;

export const POLICY_QUERIES = {
  byId: `select ${COLUMNS} from policies where id = $1`,
  list: `select ${COLUMNS} from policies
          where tenant_id = $1 and ($2::text is null or status = $2) and created_position > $3
          order by created_position limit $4`,
};

/** A policy as GET /policies answers it (created_position is the list's cursor, not shown). */
export interface PolicyView {
  id: string;
  name: string;
  type: PolicyType;
  mode: PolicyMode;
  scope: PolicyScope;
  params: Record<string, unknown>;
  status: PolicyStatus;
  version: number;
  created_at: string;
  updated_at: string;
  /** The position of the policy's latest event. */
  position: string;
  created_position: string;
}

export function policyViewFromRow(row: any): PolicyView {
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    mode: row.mode,
    scope: row.scope,
    params: row.params,
    status: row.status,
    version: row.version,
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
    position: String(row.position),
    created_position: String(row.created_position),
  };
}

/** Returns null for a missing policy and for another tenant's: callers answer 404 alike. */
export async function findPolicy(pool: Pool, id: string): Promise<{ view: PolicyView; tenant_id: string } | null> {
  const { rows } = await pool.query({ name: 'policy_by_id', text: POLICY_QUERIES.byId, values: [id] });
  return rows.length ? { view: policyViewFromRow(rows[0]), tenant_id: rows[0].tenant_id } : null;
}

export async function listPolicies(pool: Pool, tenantId: string, status: PolicyStatus | null, after: bigint, limit: number): Promise<PolicyView[]> {
  const { rows } = await pool.query({ name: 'policies_list', text: POLICY_QUERIES.list, values: [tenantId, status, after.toString(), limit] });
  return rows.map(policyViewFromRow);
}
