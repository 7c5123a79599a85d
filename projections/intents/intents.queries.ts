import { Pool } from 'pg';
import { IntentStatus } from '#domain/index.js';
import { IntentView } from './intent-view.js';

export const INTENT_QUERIES = {
  byId: `select view, created_position::text as cursor_position from runtime_intents where tenant_id = $1 and id = $2`,
  ofTenant: `select id, position::text as last_position, created_position::text as cursor_position, view from runtime_intents where tenant_id = $1`,
  list: `select view, created_position::text as cursor_position from runtime_intents
          where tenant_id = $1 and ($2::text is null or status = $2) and created_position > $3
          order by created_position limit $4`,
};

/** An intent of the tenant, or null (intent ids are the tenant's own names, so the key is the pair). */
export async function findIntent(pool: Pool, tenantId: string, id: string): Promise<IntentView | null> {
  const { rows } = await pool.query({ name: 'intent_by_id', text: INTENT_QUERIES.byId, values: [tenantId, id] });
  return rows.length ? rows[0].view : null;
}

export async function listIntents(pool: Pool, tenantId: string, status: IntentStatus | null, after: bigint, limit: number): Promise<(IntentView & { created_position: string })[]> {
  const { rows } = await pool.query({ name: 'intents_list', text: INTENT_QUERIES.list, values: [tenantId, status, after.toString(), limit] });
  return rows.map((r) => ({ ...r.view, created_position: r.cursor_position }));
}

/** Every intent of a tenant with where it was created and last changed (the auditor's replay --compare). */
export async function intentsOfTenant(pool: Pool, tenantId: string): Promise<{ id: string; created_position: bigint; position: bigint; view: IntentView }[]> {
  const { rows } = await pool.query({ name: 'intents_of_tenant', text: INTENT_QUERIES.ofTenant, values: [tenantId] });
  return rows.map((r) => ({ id: r.id, created_position: BigInt(r.cursor_position), position: BigInt(r.last_position), view: r.view }));
}
