import { Pool } from 'pg';
import type { EventStore } from '../../../../libs/event-store/src/index.js';
import { recordDriftCheck } from '../../../../libs/reconciliation/src/drift/index.js';
import { requireOption } from '../args.js';

/** `reconcile --tenant <id> [--json]`: the drift check of log vs read models, recorded as a run; exit 1 on mismatch. */
export async function reconcileCommand(pool: Pool, store: EventStore, options: Record<string, string | true>, out: (line: string) => void): Promise<number> {
  const tenantId = requireOption(options, 'tenant');
  const { run_id, report } = await recordDriftCheck(pool, store, tenantId, 'cli');
  if (options.json) out(JSON.stringify({ id: run_id, ...report }, null, 2));
  else {
    out(`run ${run_id}: ${report.status} at position ${report.checked_position} (revision ${report.stream_revision}), ${report.accounts_checked} accounts in ${report.duration_ms} ms`);
    for (const m of report.mismatches) {
      out(`  ${m.account_id}: expected ${JSON.stringify(m.expected)} projected ${JSON.stringify(m.projected)}; ${m.entries_total} entries since position ${m.last_agreeing_position}`);
    }
  }
  return report.status === 'balanced' ? 0 : 1;
}
