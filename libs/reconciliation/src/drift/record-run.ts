import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { EventStore } from '../../../event-store/src/index.js';
import { reconStream } from '../../../event-store/src/index.js';
import { RUN_COMPLETED } from '../../../../projections/reconciliation/reconciliation.projection.js';
import { DriftReport, runDriftCheck } from './drift-check.js';

export interface RecordedRun {
  run_id: string;
  report: DriftReport;
  position: bigint;
}

/** Runs the drift check and appends its outcome to recon-<tenant>: the run is part of the record. */
export async function recordDriftCheck(pool: Pool, store: EventStore, tenantId: string, triggeredBy: string, runId: string = randomUUID()): Promise<RecordedRun> {
  const report = await runDriftCheck(pool, store, tenantId);
  const result = await store.append(
    reconStream(tenantId),
    [{ id: randomUUID(), type: RUN_COMPLETED, data: { run_id: runId, triggered_by: triggeredBy, report }, metadata: { tenant_id: tenantId, actor: triggeredBy, occurred_at: new Date().toISOString() } }],
    'any',
  );
  return { run_id: runId, report, position: result.positions[0] };
}
