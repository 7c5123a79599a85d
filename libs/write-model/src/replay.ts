import { createHash } from 'node:crypto';
import { balanceView, BalanceView, canonicalJson, countersOf, evolve, initialState, LedgerEvent, LedgerState } from '../../domain/src/index.js';
import { EventStore } from '../../event-store/src/index.js';
import { ledgerStream } from './command-envelope.js';

export const REPLAY_PAGE = 10_000;

/** Where a replay stops: after a log position, or after the last event at or before an instant. */
export type ReplayUntil = { position: bigint } | { time: string } | null;

export interface ReplayResult {
  state: LedgerState;
  events: number;
  /** Global position of the last event folded (0 when none). */
  position: bigint;
}

/**
 * Folds a tenant's stream, read straight from the event store, with the domain's evolve: the
 * auditor's independent recomputation of every balance. A tenant's log time never goes
 * backwards, so stopping at the first event past `until` is "the log up to that instant".
 */
export async function replayTenant(
  store: EventStore,
  tenantId: string,
  until: ReplayUntil,
  onProgress: (events: number) => void = () => undefined,
): Promise<ReplayResult> {
  const state = initialState();
  const untilTime = until && 'time' in until ? Date.parse(until.time) : null;
  let events = 0;
  let position = 0n;
  for (;;) {
    const page = await store.readStream(ledgerStream(tenantId), { fromRevision: state.revision + 1n, maxCount: REPLAY_PAGE });
    for (const event of page) {
      if (until && 'position' in until && event.position > until.position) return { state, events, position };
      if (untilTime !== null && Date.parse(event.metadata.occurred_at) > untilTime) return { state, events, position };
      evolve(state, { type: event.type, data: event.data } as LedgerEvent, event.revision, event.metadata);
      events++;
      position = event.position;
    }
    onProgress(events);
    if (page.length < REPLAY_PAGE) return { state, events, position };
  }
}

export interface ReplayedAccount {
  account_id: string;
  currency: string;
  status: string;
  balances: BalanceView;
}

export function replayedAccounts(state: LedgerState): ReplayedAccount[] {
  const accounts = [...(state.accounts as Map<string, any>).values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  return accounts.map((account) => ({
    account_id: account.id,
    currency: account.currency,
    status: account.status,
    balances: balanceView(account.normal_balance, countersOf(account)),
  }));
}

/** SHA-256 over the canonical JSON of every account's counters and status and every hold's outcome. */
export function stateHash(state: LedgerState): string {
  const accounts = [...(state.accounts as Map<string, any>).values()]
    .map((a) => ({ id: a.id, status: a.status, ...countersOf(a) }))
    .sort((a, b) => (a.id < b.id ? -1 : 1));
  const holds = [...(state.holds as Map<string, any>).values()]
    .map((h) => ({ id: h.id, status: h.status, amount: h.amount, captured: h.captured_amount, released: h.released_amount }))
    .sort((a, b) => (a.id < b.id ? -1 : 1));
  return createHash('sha256').update(canonicalJson({ accounts, holds, revision: state.revision })).digest('hex');
}
