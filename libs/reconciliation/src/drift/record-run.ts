import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { EventStore } from '#event-store/index.js';
import { reconStream } from '#event-store/index.js';
import { DriftReport, ProjectedBalances, runDriftCheck } from './drift-check.js';

/** A drift check's outcome, appended to recon-<tenant> (the reconciliation read model projects it). */
export const RUN_COMPLETED = 'reconciliation.run.completed';

export interface RecordedRun {
  run_id: string;
  report: DriftReport;
  position: bigint;
}

/** Runs the drift check and appends its outcome to recon-<tenant>: the run is part of the record. */
export async function recordDriftCheck(
  pool: Pool,
  store: EventStore,
  projected: ProjectedBalances,
  tenantId: string,
  triggeredBy: string,
  runId: string = randomUUID(),
): Promise<RecordedRun> {
  const report = await runDriftCheck(pool, store, projected, tenantId);
  const result = await store.append(
    reconStream(tenantId),
    [{ id: randomUUID(), type: RUN_COMPLETED, data: { run_id: runId, triggered_by: triggeredBy, report }, metadata: { tenant_id: tenantId, actor: triggeredBy, occurred_at: new Date().toISOString() } }],
    'any',
  );
  return { run_id: runId, report, position: result.positions[0] };
}
