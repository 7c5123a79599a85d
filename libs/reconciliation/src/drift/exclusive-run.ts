import { randomUUID } from 'node:crypto';
import { Pool, PoolClient } from 'pg';
import { EventStore } from '#event-store/index.js';
import type { ProjectedBalances } from './drift-check.js';
import { recordDriftCheck, RecordedRun } from './record-run.js';

/**
 * One drift check per tenant at a time, across processes: a session advisory lock keyed by
 * (DRIFT_RUN_LOCK_NAMESPACE, hashtext(tenant)) is held on a connection of its own for the whole
 * run (PostgreSQL frees it if the process dies). Each run replays the tenant's whole log, so a
 * second one started alongside would only double the work and report the same thing.
 */
export const DRIFT_RUN_LOCK_NAMESPACE = `hashtext('zentra-drift-run')`;
/** A busy lock whose holder has not written its row yet (a moment): how long to look for it. */
export const ACTIVE_RUN_LOOKUP_MS = 2_000;
const ACTIVE_RUN_LOOKUP_STEP_MS = 20;

const SQL = {
  // One statement: the lock and the row that names the run, so the row never claims a lock not held.
  start: `with lock as (select pg_try_advisory_lock(${DRIFT_RUN_LOCK_NAMESPACE}, hashtext($1::uuid::text)) as locked)
          insert into reconciliation_runs_active (tenant_id, run_id, triggered_by, started_at, holder_pid)
          select $1::uuid, $2, $3, $4, pg_backend_pid() from lock where locked
          on conflict (tenant_id) do update
            set run_id = excluded.run_id, triggered_by = excluded.triggered_by, started_at = excluded.started_at, holder_pid = excluded.holder_pid
          returning run_id`,
  finish: `delete from reconciliation_runs_active where tenant_id = $1 and run_id = $2`,
  unlock: `select pg_advisory_unlock(${DRIFT_RUN_LOCK_NAMESPACE}, hashtext($1::uuid::text)) as unlocked`,
  // The row is believed only while its holder holds the lock (pg_locks: the two-key form has objsubid 2).
  active: `select a.run_id, a.triggered_by, a.started_at
             from reconciliation_runs_active a
             join pg_locks l on l.pid = a.holder_pid and l.locktype = 'advisory' and l.granted and l.objsubid = 2
                            and l.classid = (${DRIFT_RUN_LOCK_NAMESPACE})::oid and l.objid = (hashtext(a.tenant_id::text))::oid
            where a.tenant_id = $1`,
};

export interface ActiveRun {
  id: string;
  status: 'running';
  triggered_by: string;
  started_at: string;
}

export type ExclusiveRunOutcome = ({ kind: 'completed' } & RecordedRun) | { kind: 'running'; run: ActiveRun | null };

/** The drift check running for this tenant now, or null. */
export async function findActiveRun(db: Pick<Pool, 'query'>, tenantId: string): Promise<ActiveRun | null> {
  const { rows } = await db.query(SQL.active, [tenantId]);
  if (rows.length === 0) return null;
  return { id: rows[0].run_id, status: 'running', triggered_by: rows[0].triggered_by, started_at: new Date(rows[0].started_at).toISOString() };
}

/**
 * Runs and records the tenant's drift check unless one is running already (in any process);
 * then it starts nothing and answers the running one (null in the rare case it cannot be
 * named: two tenants whose ids hash alike, or a run that ended while we looked).
 */
export async function recordExclusiveDriftCheck(
  pool: Pool,
  store: EventStore,
  projected: ProjectedBalances,
  tenantId: string,
  triggeredBy: string,
): Promise<ExclusiveRunOutcome> {
  const runId = randomUUID();
  const lockHolder = await pool.connect();
  let broken: Error | undefined;
  try {
    const started = await lockHolder.query(SQL.start, [tenantId, runId, triggeredBy, new Date().toISOString()]);
    if (started.rowCount === 0) return { kind: 'running', run: await lookUpRunning(pool, tenantId) };
    try {
      return { kind: 'completed', ...(await recordDriftCheck(pool, store, projected, tenantId, triggeredBy, runId)) };
    } finally {
      broken = await release(lockHolder, tenantId, runId);
    }
  } catch (error) {
    broken ??= error as Error;
    throw error;
  } finally {
    // A connection that may still hold the lock is closed, not handed back to the pool.
    lockHolder.release(broken);
  }
}

async function release(lockHolder: PoolClient, tenantId: string, runId: string): Promise<Error | undefined> {
  try {
    await lockHolder.query(SQL.finish, [tenantId, runId]);
    const { rows } = await lockHolder.query(SQL.unlock, [tenantId]);
    return rows[0].unlocked === true ? undefined : new Error('the drift run lock was not held');
  } catch (error) {
    return error as Error;
  }
}

/** The holder writes its row in the statement that takes the lock; a moment may pass before it is visible. */
async function lookUpRunning(pool: Pool, tenantId: string): Promise<ActiveRun | null> {
  const deadline = Date.now() + ACTIVE_RUN_LOOKUP_MS;
  for (;;) {
    const run = await findActiveRun(pool, tenantId);
    if (run || Date.now() >= deadline) return run;
    await new Promise((resolve) => setTimeout(resolve, ACTIVE_RUN_LOOKUP_STEP_MS));
  }
}
