import { Pool } from 'pg';
import type { EventStore } from '#event-store/index.js';
import { recordExclusiveDriftCheck } from '#reconciliation/drift/index.js';
import { projectedBalances } from '#projections/reconciliation/projected-balances.js';
import { requireOption } from '../args.js';

/** `reconcile --tenant <id> [--json]`: the drift check of log vs read models, recorded as a run; exit 1 on mismatch, 2 while another check of the tenant runs. */
export async function reconcileCommand(pool: Pool, store: EventStore, options: Record<string, string | true>, out: (line: string) => void): Promise<number> {
  const tenantId = requireOption(options, 'tenant');
  // One drift check per tenant at a time, whoever asks (API, schedule, CLI).
  const outcome = await recordExclusiveDriftCheck(pool, store, projectedBalances, tenantId, 'cli');
  if (outcome.kind === 'running') {
    out(`a drift check of this tenant is running already${outcome.run ? ` (run ${outcome.run.id}, started ${outcome.run.started_at} by ${outcome.run.triggered_by})` : ''}; try again when it ends`);
    return 2;
  }
  const { run_id, report } = outcome;
  if (options.json) out(JSON.stringify({ id: run_id, ...report }, null, 2));
  else {
    out(`run ${run_id}: ${report.status} at position ${report.checked_position} (revision ${report.stream_revision}), ${report.accounts_checked} accounts in ${report.duration_ms} ms`);
    for (const m of report.mismatches) {
      out(`  ${m.account_id}: expected ${JSON.stringify(m.expected)} projected ${JSON.stringify(m.projected)}; ${m.entries_total} entries since position ${m.last_agreeing_position}`);
    }
  }
  return report.status === 'balanced' ? 0 : 1;
}
