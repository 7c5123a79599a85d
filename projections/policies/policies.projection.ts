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
  /**
   * The policy as its event just left it, kept as one version of its history with the stream
   * revision of that event: evidence derives what a decision ran from the versions in force at
   * the revision the decision names (policyVersionsAt). Copied from the row just written, so a
   * disable (whose event carries only the new version) keeps the rest of what it disabled.
   */
  version: `
    insert into policy_versions (policy_id, version, tenant_id, revision, name, type, mode, scope, params, status, created_at, updated_at, created_position)
    select id, version, tenant_id, $2, name, type, mode, scope, params, status, created_at, updated_at, created_position
      from policies where id = $1
    on conflict (policy_id, version) do nothing`,
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
  create index policies_tenant_created on policies (tenant_id, created_position);
  create table policy_versions (
    policy_id uuid not null,
    version integer not null,
    tenant_id uuid not null,
    revision bigint not null,
    name text not null,
    type text not null,
    mode text not null,
    scope jsonb not null,
    params jsonb not null,
    status text not null,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    created_position numeric(39,0) not null,
    primary key (policy_id, version)
  );
  create index policy_versions_tenant_revision on policy_versions (tenant_id, policy_id, revision);`;

/**
 * Each tenant policy as its latest version says (GET /policies), and every version it had
 * (policy_versions: what evidence derives past decisions from); the write model decides with its own copy.
 */
export const policiesProjection: Projection = {
  name: 'policies',
  // 2: policy_versions.
  version: 2,
  tables: ['policies', 'policy_versions'],
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
      } else {
        continue;
      }
      await tx.query(SQL.version, [(event.data as { policy_id: string }).policy_id, event.revision.toString()]);
    }
  },
};
