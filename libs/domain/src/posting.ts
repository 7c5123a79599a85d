import { Counters, availableBalance, balanceAfter, countersOf, overdraws, withPosting } from './account.js';
import { DomainError, domainError } from './errors.js';
import { Direction, PostedEntry } from './events.js';
import { LedgerState } from './state.js';
import { entryIdOf } from './stored-posting.js';

export interface EntryToPost {
  account_id: string;
  direction: Direction;
  amount: bigint;
}

/**
 * Applies entries in the order given, so that each records the balance right after it, and
 * holds the funds rule at every step: the balance history never shows a non-negative account
 * below zero, even for a moment inside one transaction. The accounts exist and are active
 * (the caller checked). `refusal` words the insufficient_funds message. Entry ids are derived
 * from the transaction's (entryIdOf), so the log need not store them.
 */
export function postEntries(
  state: LedgerState,
  transactionId: string,
  entries: readonly EntryToPost[],
  refusal: (accountId: string) => string,
): PostedEntry[] | DomainError {
  const counters = new Map<string, Counters>();
  const posted: PostedEntry[] = [];
  for (const entry of entries) {
    const account = state.accounts.get(entry.account_id)!;
    const current = counters.get(account.id) ?? countersOf(account);
    const next = withPosting(current, entry.direction, entry.amount);
    if (overdraws(account, current, next)) {
      return domainError('insufficient_funds', refusal(account.id), {
        account_id: account.id,
        available: availableBalance(account.normal_balance, countersOf(account)).toString(),
        required: entry.amount.toString(),
      });
    }
    counters.set(account.id, next);
    posted.push({
      entry_id: entryIdOf(transactionId, posted.length),
      account_id: account.id,
      direction: entry.direction,
      amount: entry.amount.toString(),
      currency: account.currency,
      balance_after: balanceAfter(account.normal_balance, next),
    });
  }
  return posted;
}
