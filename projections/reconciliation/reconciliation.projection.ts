import { PoolClient } from 'pg';
import { RecordedEvent } from '#event-store/index.js';
import { Projection, tenantOf } from '#projection-runtime/index.js';
import { RUN_COMPLETED } from '#reconciliation/drift/index.js';
import { STATEMENT_IMPORTED } from '#reconciliation/statement-events.js';

// Reconciliation outcomes are facts too: appended to recon-<tenant> by libs/reconciliation's
// writers, projected here, rebuildable.


const SQL = {
  run: `insert into reconciliation_runs (id, tenant_id, status, report, triggered_by, created_at, position)
        values ($1, $2, $3, $4, $5, $6, $7) on conflict (id) do nothing`,
  statement: `insert into reconciliation_statements (id, tenant_id, account_id, result, created_at, position)
              values ($1, $2, $3, $4, $5, $6) on conflict (id) do nothing`,
  runById: `select id, tenant_id, status, report, triggered_by, created_at from reconciliation_runs where id = $1`,
  runs: `select id, tenant_id, status, report, triggered_by, created_at, position from reconciliation_runs
          where tenant_id = $1 and ($2::text is null or status = $2) and position > $3 order by position limit $4`,
  statementById: `select id, tenant_id, account_id, result, created_at from reconciliation_statements where id = $1`,
};

/** The read model's tables at `version` (a change here is a new version: the model is rebuilt from the log). */
const SCHEMA = `
  create table reconciliation_runs (
    id uuid primary key,
    tenant_id uuid not null,
    status text not null,
    report jsonb not null,
    triggered_by text not null,
    created_at timestamptz not null,
    position numeric(39,0) not null
  );
  create index reconciliation_runs_tenant on reconciliation_runs (tenant_id, position);
  create table reconciliation_statements (
    id uuid primary key,
    tenant_id uuid not null,
    account_id uuid not null,
    result jsonb not null,
    created_at timestamptz not null,
    position numeric(39,0) not null
  );`;

export const reconciliationProjection: Projection = {
  name: 'reconciliation',
  version: 1,
  tables: ['reconciliation_runs', 'reconciliation_statements'],
  schema: SCHEMA,
  async apply(tx: PoolClient, events: RecordedEvent[]): Promise<void> {
    for (const event of events) {
      if (event.type === RUN_COMPLETED) {
        const d = event.data;
        await tx.query(SQL.run, [d.run_id, tenantOf(event), d.report.status, JSON.stringify(d.report), d.triggered_by, d.report.started_at, event.position.toString()]);
      } else if (event.type === STATEMENT_IMPORTED) {
        const d = event.data;
        await tx.query(SQL.statement, [d.statement_id, tenantOf(event), d.account_id, JSON.stringify(d), d.imported_at, event.position.toString()]);
      }
    }
  },
};

export function runView(row: any) {
  return { id: row.id, ...row.report, triggered_by: row.triggered_by };
}

export async function findRun(db: { query: PoolClient['query'] }, id: string) {
  const { rows } = await db.query(SQL.runById, [id]);
  return rows.length ? { view: runView(rows[0]), tenant_id: rows[0].tenant_id as string } : null;
}

export async function listRuns(db: { query: PoolClient['query'] }, tenantId: string, status: string | null, after: bigint, limit: number) {
  const { rows } = await db.query(SQL.runs, [tenantId, status, after.toString(), limit]);
  return rows.map((row: any) => ({ view: runView(row), position: String(row.position) }));
}

export async function findStatement(db: { query: PoolClient['query'] }, id: string) {
  const { rows } = await db.query(SQL.statementById, [id]);
  return rows.length ? { view: rows[0].result, tenant_id: rows[0].tenant_id as string } : null;
}
