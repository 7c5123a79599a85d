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
}

export interface AccountStatusChangedData {
  account_id: string;
  from: AccountStatus;
  to: AccountStatus;
  changed_at: string;
  balances: BalanceAfter;
}

export interface PostedEntry {
  entry_id: string;
  account_id: string;
  direction: Direction;
  amount: string;
  currency: string;
  balance_after: BalanceAfter;
}

export interface EntryPostedData {
  transaction_id: string;
  /** Set when the posting is a hold's capture. */
  hold_id?: string;
  /** Set when the posting reverses another transaction. */
  reverses?: string;
  description: string | null;
  reference: string | null;
  metadata: Record<string, unknown>;
  posted_at: string;
  entries: PostedEntry[];
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

export type LedgerEvent =
  | { type: 'account.created'; data: AccountCreatedData }
  | { type: 'account.status_changed'; data: AccountStatusChangedData }
  | { type: 'ledger.entry.posted'; data: EntryPostedData }
  | { type: 'ledger.entry.reversed'; data: EntryReversedData }
  | { type: 'balance.hold.created'; data: HoldCreatedData }
  | { type: 'balance.released'; data: BalanceReleasedData };

export type LedgerEventType = LedgerEvent['type'];

/** Every type a ledger stream holds: a Record, so a new event type that is not listed fails to compile. */
const EVERY_LEDGER_EVENT_TYPE: Record<LedgerEventType, true> = {
  'account.created': true,
  'account.status_changed': true,
  'balance.hold.created': true,
  'ledger.entry.posted': true,
  'ledger.entry.reversed': true,
  'balance.released': true,
};

export const LEDGER_EVENT_TYPES = Object.freeze(Object.keys(EVERY_LEDGER_EVENT_TYPE) as LedgerEventType[]);
