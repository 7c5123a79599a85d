import { Account, countersFrom } from './account.js';
import { BalanceCounters, Direction, LedgerEvent } from './events.js';
import { countersTouched } from './counters-touched.js';
import { foldIntent, Intent } from './intents.js';
import { foldRoute, Route } from './routes.js';
import { ActivePolicies, NO_ACTIVE_POLICIES, Policy } from './policies.js';
import { countVelocity, foldPolicyCreated, foldPolicyDisabled, foldPolicyUpdated } from './policy-state.js';
import { AccountWindows } from './velocity-window.js';

/** What a command's idempotency key resolved to: the request's hash and its events' revisions. */
export interface IdempotencyRecord {
  request_hash: string;
  first_revision: bigint;
  event_count: number;
}

/** Metadata the write model reads back from the log (the rest is evidence). */
export interface EventEnvelopeMeta {
  idempotency_key?: string | null;
  request_hash?: string | null;
  occurred_at?: string;
  hash?: string;
}

/**
 * The write model of one tenant: everything decide() needs, rebuilt from the tenant's
 * stream. `revision` is the stream revision of the last event folded in (-1 for none).
 */
export type HoldStatus = 'pending' | 'captured' | 'released' | 'expired';

/** A hold as the write model needs it to decide capture, release and expiry. */
export interface Hold {
  id: string;
  account_id: string;
  destination_account_id: string;
  amount: bigint;
  currency: string;
  expires_at: string | null;
  status: HoldStatus;
  captured_amount: bigint;
  released_amount: bigint;
  reference: string | null;
  description: string | null;
  metadata: Record<string, unknown>;
  created_at: string;
  /** The intent this hold reserves for: it ends only through the intent. */
  intent_id?: string;
}

/** What a reversal needs of a posted transaction. */
export interface PostedTransaction {
  id: string;
  entries: { account_id: string; direction: Direction; amount: bigint }[];
  reversed_by: string | null;
}

export interface LedgerState {
  revision: bigint;
  /** occurred_at of the last event: the writer never lets a tenant's log time go backwards. */
  last_occurred_at: string | null;
  /** hash of the last event: the next event's prev_hash (the tenant's hash chain). */
  chain_head: string | null;
  accounts: KeyValue<Account>;
  transactions: KeyValue<PostedTransaction>;
  holds: KeyValue<Hold>;
  idempotency: KeyValue<IdempotencyRecord>;
  /** Every tenant policy by id, active or disabled (for update, disable and reads); policies.ts. */
  policies: KeyValue<Policy>;
  /** The active ones, indexed for deciding; immutable, replaced on each policy event. */
  active_policies: ActivePolicies;
  /** Velocity usage by account id: each velocity limit's window on the account (AccountWindows). */
  velocity_windows: KeyValue<AccountWindows>;
  /** Every route of the tenant in creation order (at most ROUTES_PER_TENANT_MAX); immutable, replaced on each route event. */
  routes: readonly Route[];
  /** Intents by intent_id: records like holds (a writer keeps the recent ones and recalls the rest from the log). */
  intents: KeyValue<Intent>;
  /** Account id by path: paths are unique per tenant (kept like the accounts: never forgotten). */
  account_paths: KeyValue<string>;
}

/** The part of Map the domain uses, so a writer can decide against a copy-on-write overlay. */
export interface KeyValue<V> {
  get(key: string): V | undefined;
  set(key: string, value: V): unknown;
}

export function initialState(): LedgerState {
  return {
    revision: -1n,
    last_occurred_at: null,
    chain_head: null,
    accounts: new Map(),
    transactions: new Map(),
    holds: new Map(),
    idempotency: new Map(),
    policies: new Map(),
    active_policies: NO_ACTIVE_POLICIES,
    velocity_windows: new Map(),
    routes: [],
    intents: new Map(),
    account_paths: new Map(),
  };
}

/**
 * Folds one recorded event into the state. The maps are updated in place (a tenant's state
 * can hold millions of keys; copying them per event is not an option) but account records (and
 * holds, transactions, policies, the policy index and velocity windows) are replaced, never
 * mutated, so a writer can fold tentative events into an overlay and throw it away. Deterministic: the same events always give the same state.
 */
export function evolve(state: LedgerState, event: LedgerEvent, revision: bigint, meta: EventEnvelopeMeta = {}): LedgerState {
  switch (event.type) {
    case 'account.created': {
      const d = event.data;
      state.accounts.set(d.account_id, {
        id: d.account_id,
        customer: d.customer,
        currency: d.currency,
        account_type: d.account_type,
        normal_balance: d.normal_balance,
        allow_negative: d.allow_negative,
        status: 'active',
        metadata: d.metadata,
        created_at: d.created_at,
        debits_posted: 0n,
        credits_posted: 0n,
        debits_pending: 0n,
        credits_pending: 0n,
        lock_version: 0,
        path: d.path ?? null,
      });
      if (d.path !== undefined) state.account_paths.set(d.path, d.account_id);
      break;
    }
    case 'account.status_changed': {
      const account = state.accounts.get(event.data.account_id);
      if (account) state.accounts.set(account.id, { ...account, status: event.data.to });
      break;
    }
    case 'ledger.entry.posted': {
      // Once per account, with the figures its last entry left (lock_version moves once per event).
      for (const [accountId, after] of countersTouched(event)) setCounters(state, accountId, after);
      state.transactions.set(event.data.transaction_id, {
        id: event.data.transaction_id,
        entries: event.data.entries.map((e) => ({ account_id: e.account_id, direction: e.direction, amount: BigInt(e.amount) })),
        reversed_by: null,
      });
      const holdId = event.data.hold_id;
      const hold = holdId ? state.holds.get(holdId) : undefined;
      if (hold) {
        const captured = BigInt(event.data.entries[0].amount);
        state.holds.set(hold.id, { ...hold, status: 'captured', captured_amount: captured });
      }
      countVelocity(state, event);
      break;
    }
    case 'ledger.entry.reversed': {
      const original = state.transactions.get(event.data.transaction_id);
      if (original) state.transactions.set(original.id, { ...original, reversed_by: event.data.reversed_by });
      break;
    }
    case 'balance.hold.created': {
      const d = event.data;
      setCounters(state, d.account_id, d.source_balance_after);
      setCounters(state, d.destination_account_id, d.destination_balance_after);
      state.holds.set(d.hold_id, {
        id: d.hold_id,
        account_id: d.account_id,
        destination_account_id: d.destination_account_id,
        amount: BigInt(d.amount),
        currency: d.currency,
        expires_at: d.expires_at,
        status: 'pending',
        captured_amount: 0n,
        released_amount: 0n,
        reference: d.reference,
        description: d.description,
        metadata: d.metadata,
        created_at: d.created_at,
        ...(d.intent_id !== undefined ? { intent_id: d.intent_id } : {}),
      });
      foldIntent(state, event);
      countVelocity(state, event);
      break;
    }
    case 'balance.released': {
      const d = event.data;
      setCounters(state, d.account_id, d.source_balance_after);
      setCounters(state, d.destination_account_id, d.destination_balance_after);
      const hold = state.holds.get(d.hold_id);
      if (hold) {
        // A capture's remainder keeps the hold `captured`; a release or expiry ends it as such.
        const status = d.reason === 'captured_remainder' ? hold.status : d.reason;
        state.holds.set(hold.id, { ...hold, status, released_amount: hold.released_amount + BigInt(d.amount) });
      }
      break;
    }
    case 'policy.created':
      foldPolicyCreated(state, event.data);
      break;
    case 'policy.updated':
      foldPolicyUpdated(state, event.data);
      break;
    case 'policy.disabled':
      foldPolicyDisabled(state, event.data);
      break;
    case 'route.created':
    case 'route.status_changed':
      foldRoute(state, event);
      break;
    case 'intent.accepted':
    case 'intent.routed':
    case 'intent.refused':
    case 'intent.settled':
    case 'intent.canceled':
      foldIntent(state, event);
      break;
    case 'balance.monitor.triggered':
      // A notice, not state: a monitor fires on a crossing, which the balances before and after show.
      break;
    default: {
      const _exhaustive: never = event;
      throw new Error(`unknown event ${JSON.stringify(_exhaustive)}`);
    }
  }
  rememberIdempotencyKey(state, revision, meta);
  if (meta.occurred_at) state.last_occurred_at = meta.occurred_at;
  if (meta.hash) state.chain_head = meta.hash;
  state.revision = revision;
  return state;
}

function setCounters(state: LedgerState, accountId: string, after: BalanceCounters): void {
  const account = state.accounts.get(accountId);
  if (account) state.accounts.set(accountId, { ...account, ...countersFrom(after), lock_version: account.lock_version + 1 });
}

function rememberIdempotencyKey(state: LedgerState, revision: bigint, meta: EventEnvelopeMeta): void {
  if (!meta.idempotency_key || !meta.request_hash) return;
  const seen = state.idempotency.get(meta.idempotency_key);
  if (seen && seen.request_hash === meta.request_hash && seen.first_revision + BigInt(seen.event_count) === revision) {
    state.idempotency.set(meta.idempotency_key, { ...seen, event_count: seen.event_count + 1 });
    return;
  }
  if (!seen) {
    state.idempotency.set(meta.idempotency_key, { request_hash: meta.request_hash, first_revision: revision, event_count: 1 });
  }
}
