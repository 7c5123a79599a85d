import { Account, balanceView, canonicalRfc3339, countersOf, Intent, LedgerState, parseRfc3339 } from '#domain/index.js';
import { Pool } from 'pg';
import type { EventStore } from '#event-store/index.js';
import { effectiveSumsFromLog, replayedAccounts, ReplayResult, replayTenant, ReplayUntil, stateHash } from '#write-model/index.js';
import { effectiveSums } from '#projections/entries/entries.queries.js';
import { intentsOfTenant } from '#projections/intents/intents.queries.js';
import { balancesOf, BALANCE_HISTORY_QUERIES } from '#projections/balance-history/balance-history.queries.js';
import { requireOption, UsageError } from '../args.js';
import type { ReplayedAccount } from '#write-model/index.js';


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
  let accounts = replayedAccounts(result.state).filter((a) => !accountFilter || a.account_id === accountFilter);
  const effective = parseEffective(options.effective, until);
  if (effective !== null) accounts = await byEffectiveTime(store, tenantId, effective, result.position, accounts, result.state);
  const report = {
    tenant_id: tenantId,
    until: until ? ('position' in until ? until.position.toString() : until.time) : null,
    ...(effective !== null && { effective_as_of: effective }),
    stream_revision: result.state.revision.toString(),
    position: result.position.toString(),
    events: result.events,
    events_per_second: seconds > 0 ? Math.round(result.events / seconds) : result.events,
    state_hash: stateHash(result.state),
    accounts,
  };

  let differences: Difference[] = [];
  let intentDifferences: IntentDifference[] = [];
  if (options.compare) {
    differences = effective === null
      ? await compareWithProjections(pool, tenantId, result.position, accounts, accountFilter)
      : await compareEffective(pool, accounts, effective, until && 'time' in until ? until.time : null);
    if (!accountFilter) intentDifferences = await compareIntents(pool, tenantId, result);
  }

  if (options.json) {
    out(JSON.stringify(options.compare ? { ...report, differences, intent_differences: intentDifferences } : report, null, 2));
  } else {
    out(`tenant ${tenantId}: ${result.events} events, stream revision ${report.stream_revision}, position ${report.position}`);
    out(`state hash ${report.state_hash}`);
    if (effective !== null) out(`posted and available by effective time: entries effective at or before ${effective}`);
    out(['account_id', 'currency', 'status', 'posted', 'pending_debits', 'pending_credits', 'available'].join('\t'));
    for (const a of accounts) {
      out([a.account_id, a.currency, a.status, a.balances.posted, a.balances.pending_debits, a.balances.pending_credits, a.balances.available].join('\t'));
    }
    if (options.compare) {
      out(differences.length === 0 ? `projections agree for ${accounts.length} accounts` : `${differences.length} accounts differ:`);
      for (const d of differences) out(`  ${d.account_id}: replayed ${JSON.stringify(d.replayed)} projected ${JSON.stringify(d.projected)}`);
      if (!accountFilter) out(intentDifferences.length === 0 ? 'intents agree' : `${intentDifferences.length} intents differ:`);
      for (const d of intentDifferences) out(`  intent ${d.intent_id}: replayed ${JSON.stringify(d.replayed)} projected ${JSON.stringify(d.projected)}`);
    }
  }
  return differences.length > 0 || intentDifferences.length > 0 ? 1 : 0;
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

interface IntentDifference {
  intent_id: string;
  replayed: unknown;
  projected: unknown;
}

/** What replay and the intents read model must agree on for each intent. */
function intentFacts(intent: { status: string; hold_id: string | null; transaction_id: string | null; route_id: string | null }) {
  return { status: intent.status, hold_id: intent.hold_id, transaction_id: intent.transaction_id, route_id: intent.route_id };
}

/**
 * The intents read model against the replayed intents: every intent the log has up to the
 * replay's position, in the state its events leave it. Rows changed after that position (a
 * replay --until an earlier point) are compared only for existence.
 */
async function compareIntents(pool: Pool, tenantId: string, result: ReplayResult): Promise<IntentDifference[]> {
  const rows = await intentsOfTenant(pool, tenantId);
  const replayed = result.state.intents as Map<string, Intent>;
  const differences: IntentDifference[] = [];
  for (const row of rows) {
    if (row.created_position > result.position) continue;
    const mine = replayed.get(row.id);
    const theirs = intentFacts({ status: row.view.status, hold_id: row.view.hold_id, transaction_id: row.view.transaction_id, route_id: row.view.route?.id ?? null });
    if (!mine) differences.push({ intent_id: row.id, replayed: null, projected: theirs });
    else if (row.position <= result.position && JSON.stringify(intentFacts(mine)) !== JSON.stringify(theirs)) {
      differences.push({ intent_id: row.id, replayed: intentFacts(mine), projected: theirs });
    }
  }
  const projected = new Set(rows.map((r) => r.id));
  for (const [id, intent] of replayed) if (!projected.has(id)) differences.push({ intent_id: id, replayed: intentFacts(intent), projected: null });
  return differences;
}

/** `--effective <time>`: balances by effective time (with `--until <time>`: as the log knew them then). */
function parseEffective(raw: string | true | undefined, until: ReplayUntil): string | null {
  if (raw === undefined) return null;
  if (typeof raw !== 'string' || parseRfc3339(raw) === null) throw new UsageError('--effective takes an RFC 3339 time with an offset (e.g. 2030-01-01T00:00:00Z)');
  if (until && 'position' in until) throw new UsageError('--effective goes with --until <time>, not a position (entries are known by their posting time)');
  return canonicalRfc3339(raw);
}

/**
 * The accounts with `posted` (and `available`) by effective time, recomputed from the log: the
 * entries effective by `effective` among the events replayed; pending as the replay left it.
 */
async function byEffectiveTime(store: EventStore, tenantId: string, effective: string, position: bigint, accounts: ReplayedAccount[], state: LedgerState): Promise<ReplayedAccount[]> {
  const sums = await effectiveSumsFromLog(store, tenantId, effective, position);
  return accounts.map((a) => {
    const account = state.accounts.get(a.account_id) as Account;
    const sum = sums.get(a.account_id) ?? { debits: 0n, credits: 0n };
    const counters = { ...countersOf(account), debits_posted: sum.debits, credits_posted: sum.credits };
    return { ...a, balances: balanceView(account.normal_balance, counters) };
  });
}

/** The read model's answer to the same effective-time question (GET /accounts/:id/balances?effective_as_of=), account by account. */
async function compareEffective(pool: Pool, accounts: ReplayedAccount[], effective: string, knownAt: string | null): Promise<Difference[]> {
  const differences: Difference[] = [];
  const { rows } = await pool.query(`select id, normal_balance from accounts where id = any($1::uuid[])`, [accounts.map((a) => a.account_id)]);
  const normalOf = new Map(rows.map((r) => [r.id, r.normal_balance]));
  for (const account of accounts) {
    const sums = await effectiveSums(pool, account.account_id, effective, knownAt);
    const posted = (normalOf.get(account.account_id) ?? 'credit') === 'credit' ? sums.credits - sums.debits : sums.debits - sums.credits;
    if (posted.toString() !== account.balances.posted) differences.push({ account_id: account.account_id, replayed: account.balances.posted, projected: posted.toString() });
  }
  return differences;
}
