import { parseRfc3339 } from '#domain/index.js';
import { Pool } from 'pg';
import type { EventStore } from '#event-store/index.js';
import { replayedAccounts, replayTenant, ReplayUntil, stateHash } from '#write-model/index.js';
import { balancesOf, BALANCE_HISTORY_QUERIES } from '#projections/balance-history/balance-history.queries.js';
import { requireOption, UsageError } from '../args.js';


export function parseUntil(raw: string | true | undefined): ReplayUntil {
  if (raw === undefined) return null;
  if (typeof raw === 'string' && /^[0-9]+$/.test(raw)) return { position: BigInt(raw) };
  const millis = parseRfc3339(raw);
  if (millis !== null) return { time: new Date(millis).toISOString() };
  throw new UsageError('--until takes a log position (digits) or an RFC 3339 time with an offset, years 0001-9999 (e.g. 2030-01-01T00:00:00Z)');
}

interface Difference {
  account_id: string;
  replayed: unknown;
  projected: unknown;
}

/**
 * `replay --tenant <id> [--until <time|position>] [--account <id>] [--json] [--compare]`:
 * balances recomputed from the event store alone; --compare checks the projections' balances
 * at the same log position and exits 1 on any difference.
 */
export async function replayCommand(pool: Pool, store: EventStore, options: Record<string, string | true>, out: (line: string) => void, err: (line: string) => void): Promise<number> {
  const tenantId = requireOption(options, 'tenant');
  const until = parseUntil(options.until);
  const accountFilter = typeof options.account === 'string' ? options.account.toLowerCase() : null;
  const started = Date.now();
  const result = await replayTenant(store, tenantId, until, (events) => {
    if (events > 0 && events % 100_000 === 0) {
      const seconds = (Date.now() - started) / 1000;
      err(`replayed ${events} events (${Math.round(events / seconds)} events/s)`);
    }
  });
  const seconds = (Date.now() - started) / 1000;
  const accounts = replayedAccounts(result.state).filter((a) => !accountFilter || a.account_id === accountFilter);
  const report = {
    tenant_id: tenantId,
    until: until ? ('position' in until ? until.position.toString() : until.time) : null,
    stream_revision: result.state.revision.toString(),
    position: result.position.toString(),
    events: result.events,
    events_per_second: seconds > 0 ? Math.round(result.events / seconds) : result.events,
    state_hash: stateHash(result.state),
    accounts,
  };

  let differences: Difference[] = [];
  if (options.compare) differences = await compareWithProjections(pool, tenantId, result.position, accounts, accountFilter);

  if (options.json) {
    out(JSON.stringify(options.compare ? { ...report, differences } : report, null, 2));
  } else {
    out(`tenant ${tenantId}: ${result.events} events, stream revision ${report.stream_revision}, position ${report.position}`);
    out(`state hash ${report.state_hash}`);
    out(['account_id', 'currency', 'status', 'posted', 'pending_debits', 'pending_credits', 'available'].join('\t'));
    for (const a of accounts) {
      out([a.account_id, a.currency, a.status, a.balances.posted, a.balances.pending_debits, a.balances.pending_credits, a.balances.available].join('\t'));
    }
    if (options.compare) {
      out(differences.length === 0 ? `projections agree for ${accounts.length} accounts` : `${differences.length} accounts differ:`);
      for (const d of differences) out(`  ${d.account_id}: replayed ${JSON.stringify(d.replayed)} projected ${JSON.stringify(d.projected)}`);
    }
  }
  return differences.length > 0 ? 1 : 0;
}

async function compareWithProjections(
  pool: Pool,
  tenantId: string,
  position: bigint,
  accounts: ReturnType<typeof replayedAccounts>,
  accountFilter: string | null,
): Promise<Difference[]> {
  const { rows } = await pool.query(BALANCE_HISTORY_QUERIES.tenantAsOfPosition, [tenantId, position.toString()]);
  const normals = await pool.query(`select id, normal_balance from accounts where tenant_id = $1`, [tenantId]);
  const normalOf = new Map(normals.rows.map((r) => [r.id, r.normal_balance]));
  const projected = new Map(rows.map((r) => [r.account_id, balancesOf(normalOf.get(r.account_id) ?? 'credit', r)]));
  const differences: Difference[] = [];
  for (const account of accounts) {
    const theirs = projected.get(account.account_id) ?? null;
    if (JSON.stringify(theirs) !== JSON.stringify(account.balances)) {
      differences.push({ account_id: account.account_id, replayed: account.balances, projected: theirs });
    }
    projected.delete(account.account_id);
  }
  for (const [accountId, theirs] of projected) {
    if (!accountFilter || accountFilter === accountId) differences.push({ account_id: accountId, replayed: null, projected: theirs });
  }
  return differences;
}
