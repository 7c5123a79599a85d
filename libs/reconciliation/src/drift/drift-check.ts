import { Pool, PoolClient } from 'pg';
import { BalanceCounters, countersOf, countersTouched, LedgerState, postingOf, StoredEntryPostedData } from '#domain/index.js';
import { EventStore, RecordedEvent } from '#event-store/index.js';
import { ledgerStream, REPLAY_PAGE, ReplayResult, replayTenant, stateHash } from '#write-model/index.js';

/** Entries listed per mismatching account (the count says how many there were). */
export const MISMATCH_ENTRIES_MAX = 100;

type Figures = { debits_posted: string; credits_posted: string; debits_pending: string; credits_pending: string };

export interface MismatchEntry {
  id: string;
  transaction_id: string;
  direction: string;
  amount: string;
  position: string;
}

export interface Mismatch {
  account_id: string;
  expected: Figures | null;
  projected: Figures | null;
  /** The latest log position at which the projection agreed with the log for this account (0: never). */
  last_agreeing_position: string;
  entries: MismatchEntry[];
  entries_total: number;
}

export interface DriftReport {
  tenant_id: string;
  status: 'balanced' | 'mismatched';
  checked_position: string;
  stream_revision: string;
  /** Hash of the last event at the checked position: the head of the tenant's hash chain (null for an empty log). */
  chain_head: string | null;
  state_hash: string;
  accounts_checked: number;
  mismatches: Mismatch[];
  trial_balance: { currency: string; posted_balanced: boolean; pending_balanced: boolean; projected_agrees: boolean }[];
  started_at: string;
  duration_ms: number;
}

function figuresOf(c: { debits_posted: unknown; credits_posted: unknown; debits_pending: unknown; credits_pending: unknown }): Figures {
  return {
    debits_posted: String(c.debits_posted),
    credits_posted: String(c.credits_posted),
    debits_pending: String(c.debits_pending),
    credits_pending: String(c.credits_pending),
  };
}

const same = (a: Figures | null, b: Figures | null) => JSON.stringify(a) === JSON.stringify(b);

/** An account's counters as a read model holds them (numeric columns as pg returns them). */
export interface ProjectedCounters {
  debits_posted: string;
  credits_posted: string;
  debits_pending: string;
  credits_pending: string;
}

/** What the read models say of a tenant, each with the log position it stands at, read in one snapshot. */
export interface ProjectedFigures {
  accountsCheckpoint: bigint;
  totalsCheckpoint: bigint;
  accounts: (ProjectedCounters & { id: string })[];
  totals: (ProjectedCounters & { currency: string })[];
}

/**
 * Reads the read models the check compares with the log. The read models' tables belong to
 * projections/, which this library does not import: the process that runs the check hands it
 * the reader (projections/reconciliation/projected-balances.ts).
 */
export type ProjectedBalances = (snapshot: Pick<PoolClient, 'query'>, tenantId: string) => Promise<ProjectedFigures>;

/**
 * Recomputes every account of a tenant from the event log and compares it with the read
 * models at the same log position (one snapshot of the projections, the log replayed up to
 * the projections' checkpoint). For every account that differs it names the expected and
 * projected figures and the ledger entries since the last point where they agreed.
 */
export async function runDriftCheck(
  pool: Pool,
  store: EventStore,
  projected: ProjectedBalances,
  tenantId: string,
  now: () => Date = () => new Date(),
): Promise<DriftReport> {
  const startedAt = now();
  const snapshot = await pool.connect();
  // Each read model is compared with the log at its own checkpoint, read in one snapshot.
  let read: ProjectedFigures;
  try {
    await snapshot.query('begin isolation level repeatable read');
    read = await projected(snapshot, tenantId);
    await snapshot.query('commit');
  } finally {
    snapshot.release();
  }
  const { accountsCheckpoint: checkpoint, totalsCheckpoint, accounts: projectedRows, totals: projectedTotals } = read;

  // One pass over the stream for both read models: the replay stops at the lower checkpoint, what
  // is compared there is taken, and it carries on to the higher one (folding into the same state).
  let accounts!: ReturnType<typeof accountsAt>;
  let trialBalance!: DriftReport['trial_balance'];
  const checks = [
    { at: checkpoint, take: (state: LedgerState) => (accounts = accountsAt(state)) },
    { at: totalsCheckpoint, take: (state: LedgerState) => (trialBalance = trialBalanceCheck(state, projectedTotals)) },
  ].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  let replay: ReplayResult | null = null;
  for (const [i, check] of checks.entries()) {
    if (!replay || check.at !== checks[i - 1].at) replay = await replayTenant(store, tenantId, { position: check.at }, undefined, replay);
    check.take(replay.state);
  }
  const { expected } = accounts;

  const projectedById = new Map(projectedRows.map((r) => [r.id, figuresOf(r)]));
  const mismatching = [...new Set([...expected.keys(), ...projectedById.keys()])]
    .filter((id) => !same(expected.get(id) ?? null, projectedById.get(id) ?? null))
    .sort();
  const mismatches = mismatching.length ? await explain(store, tenantId, checkpoint, mismatching, expected, projectedById) : [];

  return {
    tenant_id: tenantId,
    status: mismatches.length ? 'mismatched' : 'balanced',
    checked_position: checkpoint.toString(),
    stream_revision: accounts.stream_revision,
    chain_head: accounts.chain_head,
    state_hash: accounts.state_hash,
    accounts_checked: expected.size,
    mismatches,
    trial_balance: trialBalance,
    started_at: startedAt.toISOString(),
    duration_ms: now().getTime() - startedAt.getTime(),
  };
}

/** What the accounts read model is compared with: every account's figures, and what identifies the state. */
function accountsAt(state: LedgerState) {
  const expected = new Map<string, Figures>();
  for (const account of (state.accounts as Map<string, any>).values()) expected.set(account.id, figuresOf(countersOf(account)));
  return { expected, stream_revision: state.revision.toString(), chain_head: state.chain_head, state_hash: stateHash(state) };
}

/** Per currency: do debits equal credits in the log, and does the trial-balance projection agree? */
function trialBalanceCheck(state: LedgerState, projectedTotals: ProjectedFigures['totals']): DriftReport['trial_balance'] {
  const sums = new Map<string, { debits_posted: bigint; credits_posted: bigint; debits_pending: bigint; credits_pending: bigint }>();
  for (const account of (state.accounts as Map<string, any>).values()) {
    const s = sums.get(account.currency) ?? { debits_posted: 0n, credits_posted: 0n, debits_pending: 0n, credits_pending: 0n };
    s.debits_posted += account.debits_posted;
    s.credits_posted += account.credits_posted;
    s.debits_pending += account.debits_pending;
    s.credits_pending += account.credits_pending;
    sums.set(account.currency, s);
  }
  const projectedBy = new Map(projectedTotals.map((r) => [r.currency, figuresOf(r)]));
  return [...sums.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([currency, s]) => {
      const mine = figuresOf(s);
      const theirs = projectedBy.get(currency);
      // Currencies with no movement yet have no trial-balance row: all zeros agree with that.
      const zero = Object.values(mine).every((v) => v === '0');
      return {
        currency,
        posted_balanced: s.debits_posted === s.credits_posted,
        pending_balanced: s.debits_pending === s.credits_pending,
        projected_agrees: theirs ? same(mine, theirs) : zero,
      };
    });
}

/** A second pass over the log for the mismatching accounts only: their history, point by point. */
async function explain(
  store: EventStore,
  tenantId: string,
  until: bigint,
  accountIds: string[],
  expected: Map<string, Figures>,
  projected: Map<string, Figures>,
): Promise<Mismatch[]> {
  const wanted = new Set(accountIds);
  const history = new Map<string, { position: bigint; figures: Figures; entries: MismatchEntry[] }[]>(accountIds.map((id) => [id, []]));
  let fromRevision = 0n;
  for (;;) {
    const page: RecordedEvent[] = await store.readStream(ledgerStream(tenantId), { fromRevision, maxCount: REPLAY_PAGE });
    for (const event of page) {
      if (event.position > until) break;
      const touched = countersTouched(event);
      for (const [accountId, counters] of touched) {
        if (!wanted.has(accountId)) continue;
        const entries: MismatchEntry[] =
          event.type === 'ledger.entry.posted'
            ? postingOf(event.data as StoredEntryPostedData).entries
                .filter((e) => e.account_id === accountId)
                .map((e) => ({ id: e.entry_id, transaction_id: event.data.transaction_id, direction: e.direction, amount: e.amount, position: event.position.toString() }))
            : [];
        history.get(accountId)!.push({ position: event.position, figures: figuresOf(counters as BalanceCounters), entries });
      }
    }
    if (page.length < REPLAY_PAGE || (page.length && page[page.length - 1].position > until)) break;
    fromRevision = page[page.length - 1].revision + 1n;
  }
  return accountIds.map((accountId) => {
    const points = history.get(accountId)!;
    const theirs = projected.get(accountId) ?? null;
    // The projection's figures equal the log's at some earlier point: everything after it is what it missed.
    let agreeing = -1;
    for (let i = points.length - 1; i >= 0; i--) {
      if (same(points[i].figures, theirs)) {
        agreeing = i;
        break;
      }
    }
    const since = points.slice(agreeing + 1).flatMap((p) => p.entries);
    return {
      account_id: accountId,
      expected: expected.get(accountId) ?? null,
      projected: theirs,
      last_agreeing_position: agreeing >= 0 ? points[agreeing].position.toString() : '0',
      entries: since.slice(0, MISMATCH_ENTRIES_MAX),
      entries_total: since.length,
    };
  });
}
