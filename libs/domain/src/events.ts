/**
 * The ledger's public event types and their data. Event data is wire-ready JSON:
 * amounts and counters are strings of digits, never numbers.
 */
export type NormalBalance = 'credit' | 'debit';
export type AccountStatus = 'active' | 'frozen' | 'closed';
export type Direction = 'debit' | 'credit';

/** TigerBeetle-style counters of one account, as decimal strings. */
export interface BalanceCounters {
  debits_posted: string;
  credits_posted: string;
  debits_pending: string;
  credits_pending: string;
}

/** The account's figures right after an entry: counters plus the derived balances. */
export interface BalanceAfter extends BalanceCounters {
  posted: string;
  available: string;
}

export interface AccountCreatedData {
  account_id: string;
  customer: string;
  currency: string;
  account_type: string;
  normal_balance: NormalBalance;
  allow_negative: boolean;
  metadata: Record<string, unknown>;
  created_at: string;
  /** Present only for an account opened with a path. */
  path?: string;
}

export interface AccountStatusChangedData {
  account_id: string;
  from: AccountStatus;
  to: AccountStatus;
  changed_at: string;
  balances: BalanceAfter;
}

/** An entry as readers see it (the full form: postingOf, stored-posting.ts). */
export interface PostedEntry {
  entry_id: string;
  account_id: string;
  direction: Direction;
  amount: string;
  currency: string;
  balance_after: BalanceAfter;
}

/** A posting as readers see it, every field present (the full form: postingOf, stored-posting.ts). */
export interface EntryPostedData {
  transaction_id: string;
  /**
   * Set when the posting is a hold's capture: its first entry (the source's debit) and its last (the
   * destination's credit) move the hold from pending to posted; entries between (an intent's
   * settlement legs, intents.ts) are posted only.
   */
  hold_id?: string;
  /** Set when the posting reverses another transaction. */
  reverses?: string;
  description: string | null;
  reference: string | null;
  metadata: Record<string, unknown>;
  posted_at: string;
  /** Present only when the posting was given an effective time other than its posting time. */
  effective_at?: string;
  entries: PostedEntry[];
}

/**
 * A `ledger.entry.posted` event's data as the log holds it, in any form it was ever written:
 * the full form (every field, as events were written until 2026-12-05) or the lean form new
 * events take, which leaves out what a reader can derive from the event itself:
 *
 * - `description` and `reference` when null, `metadata` when empty;
 * - an entry's `entry_id` when it is the derived one (entryIdOf: the transaction id and the
 *   entry's index name it);
 * - each entry's `currency` when every entry has the same one: it is then said once, at the top.
 *
 * Readers never read these fields from the stored form: they read the full form, postingOf. An
 * old event's stored fields are read as stored (its ids were random and stay its ids), so old
 * logs replay, project and show exactly as before, and their hashes, over what they store, hold.
 */
export interface StoredPostedEntry {
  entry_id?: string;
  account_id: string;
  direction: Direction;
  amount: string;
  currency?: string;
  balance_after: BalanceAfter;
}

export interface StoredEntryPostedData {
  transaction_id: string;
  hold_id?: string;
  reverses?: string;
  description?: string | null;
  reference?: string | null;
  metadata?: Record<string, unknown>;
  /** The currency of every entry, when they share one and do not say it each (the lean form). */
  currency?: string;
  posted_at: string;
  effective_at?: string;
  entries: StoredPostedEntry[];
}

export interface HoldCreatedData {
  hold_id: string;
  account_id: string;
  destination_account_id: string;
  amount: string;
  currency: string;
  expires_at: string | null;
  reference: string | null;
  description: string | null;
  metadata: Record<string, unknown>;
  created_at: string;
  source_balance_after: BalanceAfter;
  destination_balance_after: BalanceAfter;
  /** Set when the hold is an intent's reservation: it then ends only through the intent (settle, cancel, expiry). */
  intent_id?: string;
}

export type ReleaseReason = 'captured_remainder' | 'released' | 'expired';

export interface BalanceReleasedData {
  hold_id: string;
  reason: ReleaseReason;
  /** What went back from pending to available. */
  amount: string;
  currency: string;
  account_id: string;
  destination_account_id: string;
  /** Free text an operator gave with a release. */
  note: string | null;
  released_at: string;
  source_balance_after: BalanceAfter;
  destination_balance_after: BalanceAfter;
}

export interface EntryReversedData {
  /** The original transaction, now reversed. */
  transaction_id: string;
  reversed_by: string;
  reason: string | null;
  reversed_at: string;
}

// --- Policies (tenant controls; see policies.ts) -----------------------------------------

export type PolicyType = 'amount_limit' | 'velocity_limit' | 'currency_allowlist' | 'balance_monitor';
/** enforce: a violation refuses the command; observe: the command goes through and the evidence records the violation. */
export type PolicyMode = 'enforce' | 'observe';
/** Which way a balance monitor watches: `below` fires when available drops under the threshold, `above` when it rises over it. */
export type MonitorDirection = 'below' | 'above';

/** Which accounts a policy applies to: every field given must match the account; {} is every account. */
export interface PolicyScope {
  account_id?: string;
  account_type?: string;
  currency?: string;
}

export interface AmountLimitParamsData {
  currency: string;
  max_amount: string;
}

export interface VelocityLimitParamsData {
  currency: string;
  max_amount: string;
  window_seconds: number;
  /** Present only when the policy also limits how many postings and holds the window may hold. */
  max_count?: number;
}

export interface CurrencyAllowlistParamsData {
  currencies: string[];
}

export interface BalanceMonitorParamsData {
  currency: string;
  /** May be zero or negative. */
  threshold: string;
  when: MonitorDirection;
}

/** A policy's type and params as the log and the API carry them (money as decimal strings). */
export type PolicyRuleData =
  | { type: 'amount_limit'; params: AmountLimitParamsData }
  | { type: 'velocity_limit'; params: VelocityLimitParamsData }
  | { type: 'currency_allowlist'; params: CurrencyAllowlistParamsData }
  | { type: 'balance_monitor'; params: BalanceMonitorParamsData };

/** The whole policy as of this version, so a reader of one event needs no other. */
export type PolicyCreatedData = PolicyRuleData & {
  policy_id: string;
  name: string;
  mode: PolicyMode;
  scope: PolicyScope;
  version: number;
  created_at: string;
};

/** The whole policy after the change (type and name never change), version + 1. */
export type PolicyUpdatedData = PolicyRuleData & {
  policy_id: string;
  name: string;
  mode: PolicyMode;
  scope: PolicyScope;
  version: number;
  updated_at: string;
};

export interface PolicyDisabledData {
  policy_id: string;
  version: number;
  disabled_at: string;
}

/** A balance monitor saw an account's available balance cross its threshold (appended after the command's own events). */
export interface BalanceMonitorTriggeredData {
  policy_id: string;
  policy_version: number;
  name: string;
  account_id: string;
  currency: string;
  threshold: string;
  when: MonitorDirection;
  /** Available balance after the command. */
  balance: string;
  /** Available balance before the command. */
  balance_before: string;
  triggered_at: string;
}

// --- Routes and intents (the runtime; see routes.ts and intents.ts) ------------------------

export type RouteStatus = 'enabled' | 'disabled';

/** A tenant route: money of `currency` moving through `corridor` settles through this account. */
export interface RouteCreatedData {
  route_id: string;
  name: string;
  currency: string;
  corridor: string;
  settlement_account_id: string;
  /** Lower first. */
  priority: number;
  created_at: string;
}

export interface RouteStatusChangedData {
  route_id: string;
  from: RouteStatus;
  to: RouteStatus;
  changed_at: string;
}

/** The intent's contract as accepted (the request, normalised). */
export interface IntentAcceptedData {
  intent_id: string;
  scope: string;
  money_model: string;
  primitives: string[];
  amount: string;
  currency: string;
  source_account_id: string;
  destination_account_id: string;
  corridor: string;
  expires_at: string | null;
  metadata: Record<string, unknown>;
  accepted_at: string;
}

export interface IntentRoutedData {
  intent_id: string;
  hold_id: string;
  route_id: string;
  route_name: string;
  settlement_account_id: string;
  routed_at: string;
}

/** The stage that refused, and why (the API's error code, message and details). */
export type IntentRefusalStage = 'controlled' | 'ledgered' | 'routed';

export interface IntentRefusedData {
  intent_id: string;
  stage: IntentRefusalStage;
  code: string;
  message: string;
  details: Record<string, unknown>;
  /** The reservation released in the same decision (refused at routed). */
  hold_id: string | null;
  refused_at: string;
}

export interface IntentSettledData {
  intent_id: string;
  hold_id: string;
  transaction_id: string;
  route_id: string;
  settled_at: string;
}

export type IntentCancelReason = 'canceled' | 'expired';

export interface IntentCanceledData {
  intent_id: string;
  hold_id: string;
  reason: IntentCancelReason;
  /** Free text the caller gave with a cancel. */
  note: string | null;
  canceled_at: string;
}

export type LedgerEvent =
  | { type: 'account.created'; data: AccountCreatedData }
  | { type: 'account.status_changed'; data: AccountStatusChangedData }
  | { type: 'ledger.entry.posted'; data: StoredEntryPostedData }
  | { type: 'ledger.entry.reversed'; data: EntryReversedData }
  | { type: 'balance.hold.created'; data: HoldCreatedData }
  | { type: 'balance.released'; data: BalanceReleasedData }
  | { type: 'policy.created'; data: PolicyCreatedData }
  | { type: 'policy.updated'; data: PolicyUpdatedData }
  | { type: 'policy.disabled'; data: PolicyDisabledData }
  | { type: 'balance.monitor.triggered'; data: BalanceMonitorTriggeredData }
  | { type: 'route.created'; data: RouteCreatedData }
  | { type: 'route.status_changed'; data: RouteStatusChangedData }
  | { type: 'intent.accepted'; data: IntentAcceptedData }
  | { type: 'intent.routed'; data: IntentRoutedData }
  | { type: 'intent.refused'; data: IntentRefusedData }
  | { type: 'intent.settled'; data: IntentSettledData }
  | { type: 'intent.canceled'; data: IntentCanceledData };

export type LedgerEventType = LedgerEvent['type'];

/** Every type a ledger stream holds: a Record, so a new event type that is not listed fails to compile. */
const EVERY_LEDGER_EVENT_TYPE: Record<LedgerEventType, true> = {
  'account.created': true,
  'account.status_changed': true,
  'balance.hold.created': true,
  'ledger.entry.posted': true,
  'ledger.entry.reversed': true,
  'balance.released': true,
  'policy.created': true,
  'policy.updated': true,
  'policy.disabled': true,
  'balance.monitor.triggered': true,
  'route.created': true,
  'route.status_changed': true,
  'intent.accepted': true,
  'intent.routed': true,
  'intent.refused': true,
  'intent.settled': true,
  'intent.canceled': true,
};

export const LEDGER_EVENT_TYPES = Object.freeze(Object.keys(EVERY_LEDGER_EVENT_TYPE) as LedgerEventType[]);
