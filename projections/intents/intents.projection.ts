import { PoolClient } from 'pg';
import { RecordedEvent } from '#event-store/index.js';
import { Projection, tenantOf } from '#projection-runtime/index.js';
import { foldIntentView, intentIdOfEvent, IntentView } from './intent-view.js';

const SQL = {
  load: `select tenant_id::text, id, view from runtime_intents where (tenant_id, id) in (select * from unnest($1::uuid[], $2::text[]))`,
  upsert: `
    insert into runtime_intents (tenant_id, id, status, view, created_position, position)
    select v.tenant_id, v.id, v.status, v.view, v.created_position, v.position
      from unnest($1::uuid[], $2::text[], $3::text[], $4::jsonb[], $5::numeric[], $6::numeric[])
           as v(tenant_id, id, status, view, created_position, position)
    on conflict (tenant_id, id) do update set status = excluded.status, view = excluded.view, position = excluded.position`,
};

/** The read model's tables at `version` (a change here is a new version: the model is rebuilt from the log). */
const SCHEMA = `
  create table runtime_intents (
    tenant_id uuid not null,
    id text not null,
    status text not null,
    view jsonb not null,
    created_position numeric(39,0) not null,
    position numeric(39,0) not null,
    primary key (tenant_id, id)
  );
  create index runtime_intents_created on runtime_intents (tenant_id, created_position);
  create index runtime_intents_status on runtime_intents (tenant_id, status, created_position);`;

/**
 * Intents created by POST /intents, each row the intent as its events so far show it
 * (foldIntentView). Per batch: the views its events touch are loaded once, folded in memory and
 * written back in one statement. (Traces of commands that only carried an intent id are not
 * events: they stay in the `intents` table, audit/intents.ts.)
 */
export const intentsProjection: Projection = {
  name: 'intents',
  version: 1,
  tables: ['runtime_intents'],
  schema: SCHEMA,
  async apply(tx: PoolClient, events: RecordedEvent[]): Promise<void> {
    const touched = events.map((event) => ({ event, id: intentIdOfEvent(event) })).filter((t): t is { event: RecordedEvent; id: string } => t.id !== null);
    if (touched.length === 0) return;
    const key = (tenantId: string, id: string) => `${tenantId}/${id}`;
    const views = new Map<string, { tenant_id: string; view: IntentView | null }>();
    const toLoad = new Map<string, [string, string]>();
    for (const { event, id } of touched) {
      if (event.type !== 'intent.accepted') toLoad.set(key(tenantOf(event), id), [tenantOf(event), id]);
    }
    if (toLoad.size > 0) {
      const pairs = [...toLoad.values()];
      const { rows } = await tx.query(SQL.load, [pairs.map((p) => p[0]), pairs.map((p) => p[1])]);
      for (const row of rows) views.set(key(row.tenant_id, row.id), { tenant_id: row.tenant_id, view: row.view });
    }
    for (const { event, id } of touched) {
      const k = key(tenantOf(event), id);
      const folded = foldIntentView(views.get(k)?.view ?? null, event);
      if (folded) views.set(k, { tenant_id: tenantOf(event), view: folded });
    }
    const rows = [...views.values()].filter((v): v is { tenant_id: string; view: IntentView } => v.view !== null);
    if (rows.length === 0) return;
    await tx.query(SQL.upsert, [
      rows.map((r) => r.tenant_id),
      rows.map((r) => r.view.id),
      rows.map((r) => r.view.status),
      rows.map((r) => JSON.stringify(r.view)),
      rows.map((r) => r.view.states[0].position),
      rows.map((r) => r.view.position),
    ]);
  },
};
