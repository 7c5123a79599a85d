import { PoolClient } from 'pg';
import { PolicyCreatedData, PolicyDisabledData, PolicyUpdatedData } from '#domain/index.js';
import { RecordedEvent } from '#event-store/index.js';
import { Projection, tenantOf } from '#projection-runtime/index.js';

/**
 * One statement per policy event: policy changes are rare (a tenant has at most
 * POLICIES_PER_TENANT_MAX active ones), so batching them would buy nothing. Every policy event
 * carries the whole policy as of its version (a disable carries only the new version), so each
 * row is what the latest event says, never a sum of changes.
 */
const SQL = {
  created: `
    insert into policies (id, tenant_id, name, type, mode, scope, params, status, version, created_at, updated_at, created_position, position)
    values ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, 'active', $8, $9, $9, $10, $10)
    on conflict (id) do nothing`,
  updated: `
    update policies
       set name = $2, mode = $3, scope = $4::jsonb, params = $5::jsonb, version = $6, updated_at = $7, position = $8
     where id = $1`,
  disabled: `
    update policies set status = 'disabled', version = $2, updated_at = $3, position = $4 where id = $1`,
};

/** The read model's tables at `version` (a change here is a new version: the model is rebuilt from the log). */
const SCHEMA = `
  create table policies (
    id uuid primary key,
    tenant_id uuid not null,
    name text not null,
    type text not null,
    mode text not null,
    scope jsonb not null,
    params jsonb not null,
    status text not null,
    version integer not null,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    created_position numeric(39,0) not null,
    position numeric(39,0) not null
  );
  create index policies_tenant_created on policies (tenant_id, created_position);`;

/** Each tenant policy as its latest version says (GET /policies); the write model decides with its own copy. */
export const policiesProjection: Projection = {
  name: 'policies',
  version: 1,
  tables: ['policies'],
  schema: SCHEMA,
  async apply(tx: PoolClient, events: RecordedEvent[]): Promise<void> {
    for (const event of events) {
      const position = event.position.toString();
      if (event.type === 'policy.created') {
        const d = event.data as PolicyCreatedData;
        await tx.query(SQL.created, [
          d.policy_id, tenantOf(event), d.name, d.type, d.mode, JSON.stringify(d.scope), JSON.stringify(d.params), d.version, d.created_at, position,
        ]);
      } else if (event.type === 'policy.updated') {
        const d = event.data as PolicyUpdatedData;
        await tx.query(SQL.updated, [d.policy_id, d.name, d.mode, JSON.stringify(d.scope), JSON.stringify(d.params), d.version, d.updated_at, position]);
      } else if (event.type === 'policy.disabled') {
        const d = event.data as PolicyDisabledData;
        await tx.query(SQL.disabled, [d.policy_id, d.version, d.disabled_at, position]);
      }
    }
  },
};
