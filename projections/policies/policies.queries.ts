import { Pool } from 'pg';
import { Policy, PolicyMode, PolicyRuleData, PolicyScope, PolicyStatus, PolicyType, POLICIES_PER_TENANT_MAX, policyRuleFromData } from '#domain/index.js';

const COLUMNS = `id, tenant_id, name, type, mode, scope, params, status, version, created_at, updated_at, created_position, position`;

export const POLICY_QUERIES = {
  byId: `select ${COLUMNS} from policies where id = $1`,
  list: `select ${COLUMNS} from policies
          where tenant_id = $1 and ($2::text is null or status = $2) and created_position > $3
          order by created_position limit $4`,
  /**
   * The tenant's active policies as the log stood at stream revision $2: each policy's latest
   * version at or before it, the disabled left out, in creation order (the order decisions run
   * them in). At most POLICIES_PER_TENANT_MAX are ever active at once; the limit says so.
   */
  versionsAt: `select policy_id, version, name, type, mode, scope, params, status, created_at, updated_at from (
                 select distinct on (policy_id) policy_id, version, name, type, mode, scope, params, status, created_at, updated_at, created_position
                   from policy_versions
                  where tenant_id = $1 and revision <= $2
                  order by policy_id, revision desc) as latest
                where status = 'active'
                order by created_position limit $3`,
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

/** The policies in force when the log stood at `revision` (the domain's records, for derivePolicyChecks). */
export async function policyVersionsAt(pool: Pool, tenantId: string, revision: bigint): Promise<Policy[]> {
  const { rows } = await pool.query({ name: 'policy_versions_at', text: POLICY_QUERIES.versionsAt, values: [tenantId, revision.toString(), POLICIES_PER_TENANT_MAX] });
  return rows.map((row) => ({
    id: row.policy_id,
    name: row.name,
    mode: row.mode,
    scope: row.scope,
    status: row.status,
    version: row.version,
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
    // Evidence judges no window: what a velocity window held is not derived (see derivePolicyChecks).
    window_version: row.version,
    ...policyRuleFromData({ type: row.type, params: row.params } as PolicyRuleData),
  }));
}
