/**
 * Builders for the events and commands the domain specs use. Figures are written out as
 * strings in the specs so that a test states the expected numbers, not a recomputation.
 */
import { ChangeAccountStatus, EntryInput, OpenAccount, PostTransaction } from '../commands.js';
import { AccountCreatedData, AccountStatus, BalanceAfter, Direction, LedgerEvent, PostedEntry } from '../events.js';

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
