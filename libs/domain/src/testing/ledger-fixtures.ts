/**
 * Builders for the events and commands the domain specs use. Figures are written out as
 * strings in the specs so that a test states the expected numbers, not a recomputation.
 */
import {
  CaptureHold,
  ChangeAccountStatus,
  EntryInput,
  ExpireHold,
  OpenAccount,
  PlaceHold,
  PostTransaction,
  ReleaseHold,
  ReverseTransaction,
} from '../commands.js';
import {
  AccountCreatedData,
  AccountStatus,
  BalanceAfter,
  BalanceReleasedData,
  Direction,
  EntryReversedData,
  HoldCreatedData,
  LedgerEvent,
  PostedEntry,
  ReleaseReason,
} from '../events.js';

export const USD = 'USD';
export const EUR = 'EUR';
export const CREATED_AT = '2030-01-01T00:00:00.000Z';

/** `account.created` with sensible defaults: a USD, credit-normal customer account. */
export function accountCreated(account_id: string, overrides: Partial<Omit<AccountCreatedData, 'account_id'>> = {}): LedgerEvent {
  return {
    type: 'account.created',
    data: {
      account_id,
      customer: `customer-of-${account_id}`,
      currency: USD,
      account_type: 'customer',
      normal_balance: 'credit',
      allow_negative: false,
      metadata: {},
      created_at: CREATED_AT,
      ...overrides,
    },
  };
}

/** An account's figures; every field not given is '0'. */
export function figures(given: Partial<BalanceAfter> = {}): BalanceAfter {
  return {
    debits_posted: '0',
    credits_posted: '0',
    debits_pending: '0',
    credits_pending: '0',
    posted: '0',
    available: '0',
    ...given,
  };
}

export function statusChanged(account_id: string, from: AccountStatus, to: AccountStatus, balances: BalanceAfter = figures()): LedgerEvent {
  return { type: 'account.status_changed', data: { account_id, from, to, changed_at: CREATED_AT, balances } };
}

export interface RecordedEntry {
  account_id: string;
  direction: Direction;
  amount: string;
  currency?: string;
  balance_after: BalanceAfter;
}

/** A recorded posting; entry ids are `${transaction_id}-entry-${index}`. */
export function posted(transaction_id: string, entries: RecordedEntry[]): LedgerEvent {
  return {
    type: 'ledger.entry.posted',
    data: {
      transaction_id,
      description: null,
      reference: null,
      metadata: {},
      posted_at: CREATED_AT,
      entries: entries.map(
        (entry, index): PostedEntry => ({
          entry_id: `${transaction_id}-entry-${index}`,
          account_id: entry.account_id,
          direction: entry.direction,
          amount: entry.amount,
          currency: entry.currency ?? USD,
          balance_after: entry.balance_after,
        }),
      ),
    },
  };
}

export function openAccount(overrides: Partial<Omit<OpenAccount, 'type'>> = {}): OpenAccount {
  return {
    type: 'open_account',
    customer: 'customer-42',
    currency: USD,
    account_type: 'customer',
    normal_balance: 'credit',
    allow_negative: false,
    metadata: {},
    ...overrides,
  };
}

export function changeStatus(account_id: string, action: ChangeAccountStatus['action']): ChangeAccountStatus {
  return { type: 'change_account_status', account_id, action };
}

export function debit(account_id: string, amount: bigint, currency?: string): EntryInput {
  return currency === undefined ? { account_id, direction: 'debit', amount } : { account_id, direction: 'debit', amount, currency };
}

export function credit(account_id: string, amount: bigint, currency?: string): EntryInput {
  return currency === undefined ? { account_id, direction: 'credit', amount } : { account_id, direction: 'credit', amount, currency };
}

export function postTransaction(entries: EntryInput[], overrides: Partial<Omit<PostTransaction, 'type' | 'entries'>> = {}): PostTransaction {
  return { type: 'post_transaction', entries, description: null, reference: null, metadata: {}, ...overrides };
}

// --- Holds -------------------------------------------------------------------------------

export function placeHold(
  account_id: string,
  destination_account_id: string,
  amount: bigint,
  overrides: Partial<Omit<PlaceHold, 'type' | 'account_id' | 'destination_account_id' | 'amount'>> = {},
): PlaceHold {
  return {
    type: 'place_hold',
    account_id,
    destination_account_id,
    amount,
    expires_at: null,
    reference: null,
    description: null,
    metadata: {},
    ...overrides,
  };
}

/** amount null (the default): capture the full held amount. */
export function captureHold(hold_id: string, amount: bigint | null = null): CaptureHold {
  return { type: 'capture_hold', hold_id, amount };
}

export function releaseHold(hold_id: string, note: string | null = null): ReleaseHold {
  return { type: 'release_hold', hold_id, note };
}

export function expireHold(hold_id: string): ExpireHold {
  return { type: 'expire_hold', hold_id };
}

export interface RecordedHold {
  account_id: string;
  destination_account_id: string;
  amount: string;
  currency?: string;
  expires_at?: string | null;
  source_balance_after: BalanceAfter;
  destination_balance_after: BalanceAfter;
}

/** A recorded `balance.hold.created`, placed at CREATED_AT. */
export function holdCreated(hold_id: string, hold: RecordedHold, overrides: Partial<Omit<HoldCreatedData, 'hold_id'>> = {}): LedgerEvent {
  return {
    type: 'balance.hold.created',
    data: {
      hold_id,
      account_id: hold.account_id,
      destination_account_id: hold.destination_account_id,
      amount: hold.amount,
      currency: hold.currency ?? USD,
      expires_at: hold.expires_at ?? null,
      reference: null,
      description: null,
      metadata: {},
      created_at: CREATED_AT,
      source_balance_after: hold.source_balance_after,
      destination_balance_after: hold.destination_balance_after,
    },
  };
}

/** A recorded capture: a posting carrying `hold_id`; entry ids are `${transaction_id}-entry-${index}`. */
export function holdCaptured(transaction_id: string, hold_id: string, entries: RecordedEntry[]): LedgerEvent {
  const event = posted(transaction_id, entries);
  if (event.type !== 'ledger.entry.posted') throw new Error('unreachable');
  return { type: 'ledger.entry.posted', data: { ...event.data, hold_id, description: `capture of hold ${hold_id}` } };
}

export interface RecordedRelease {
  account_id: string;
  destination_account_id: string;
  amount: string;
  currency?: string;
  note?: string | null;
  source_balance_after: BalanceAfter;
  destination_balance_after: BalanceAfter;
}

/** A recorded `balance.released`, at CREATED_AT. */
export function holdReleased(hold_id: string, reason: ReleaseReason, release: RecordedRelease): LedgerEvent {
  const data: BalanceReleasedData = {
    hold_id,
    reason,
    amount: release.amount,
    currency: release.currency ?? USD,
    account_id: release.account_id,
    destination_account_id: release.destination_account_id,
    note: release.note ?? null,
    released_at: CREATED_AT,
    source_balance_after: release.source_balance_after,
    destination_balance_after: release.destination_balance_after,
  };
  return { type: 'balance.released', data };
}

// --- Reversals ---------------------------------------------------------------------------

export function reverseTransaction(transaction_id: string, reason: string | null = null): ReverseTransaction {
  return { type: 'reverse_transaction', transaction_id, reason };
}

/**
 * A recorded reversal posting: `reverses` the original, described by the reason (or
 * `reversal of ${reverses}`); entry ids are `${transaction_id}-entry-${index}`.
 */
export function reversalPosted(transaction_id: string, reverses: string, entries: RecordedEntry[], reason: string | null = null): LedgerEvent {
  const event = posted(transaction_id, entries);
  if (event.type !== 'ledger.entry.posted') throw new Error('unreachable');
  return { type: 'ledger.entry.posted', data: { ...event.data, reverses, description: reason ?? `reversal of ${reverses}` } };
}

/** A recorded `ledger.entry.reversed`, at CREATED_AT. */
export function entryReversed(transaction_id: string, reversed_by: string, reason: string | null = null): LedgerEvent {
  const data: EntryReversedData = { transaction_id, reversed_by, reason, reversed_at: CREATED_AT };
  return { type: 'ledger.entry.reversed', data };
}
