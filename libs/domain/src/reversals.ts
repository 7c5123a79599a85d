import { Counters, availableBalance, balanceAfter, countersOf, overdraws, withPosting } from './account.js';
import { DecisionContext, ReverseTransaction } from './commands.js';
import { DomainError, domainError } from './errors.js';
import { LedgerEvent, PostedEntry } from './events.js';
import { notActive } from './refusals.js';
import { LedgerState } from './state.js';

/**
 * A reversal is a new transaction with every entry's direction swapped (in reverse order), linked both ways. A
 * transaction is reversed at most once, and the reversal obeys the same rules as any posting:
 * active accounts, and the funds rule at every entry (if the money has moved on, it is refused).
 * Reversing a hold's capture is allowed: it returns the captured money; the hold stays captured.
 */
export function reverseTransaction(state: LedgerState, command: ReverseTransaction, ctx: DecisionContext): LedgerEvent[] | DomainError {
  const original = state.transactions.get(command.transaction_id);
  if (!original) return domainError('not_found', `transaction ${command.transaction_id} not found`, { transaction_id: command.transaction_id });
  if (original.reversed_by) {
    return domainError('already_reversed', `transaction ${original.id} was already reversed`, {
      transaction_id: original.id,
      reversed_by: original.reversed_by,
    });
  }
  for (const [index, entry] of original.entries.entries()) {
    const inactive = notActive(state.accounts.get(entry.account_id)!, { entry_index: index });
    if (inactive) return inactive;
  }
  // Undo in reverse order, retracing each account's balance history backwards: a posting that
  // kept every account non-negative at every step can always be reversed until money moves on.
  const counters = new Map<string, Counters>();
  const entries: PostedEntry[] = [];
  for (const entry of [...original.entries].reverse()) {
    const account = state.accounts.get(entry.account_id)!;
    const current = counters.get(account.id) ?? countersOf(account);
    const direction = entry.direction === 'debit' ? 'credit' : 'debit';
    const next = withPosting(current, direction, entry.amount);
    if (overdraws(account, current, next)) {
      return domainError('insufficient_funds', `account ${account.id} no longer holds the money this reversal takes back`, {
        account_id: account.id,
        available: availableBalance(account.normal_balance, countersOf(account)).toString(),
        required: entry.amount.toString(),
      });
    }
    counters.set(account.id, next);
    entries.push({
      entry_id: ctx.newId(),
      account_id: account.id,
      direction,
      amount: entry.amount.toString(),
      currency: account.currency,
      balance_after: balanceAfter(account.normal_balance, next),
    });
  }
  const reversalId = ctx.newId();
  return [
    {
      type: 'ledger.entry.posted',
      data: {
        transaction_id: reversalId,
        reverses: original.id,
        description: command.reason ?? `reversal of ${original.id}`,
        reference: null,
        metadata: {},
        posted_at: ctx.now,
        entries,
      },
    },
    {
      type: 'ledger.entry.reversed',
      data: { transaction_id: original.id, reversed_by: reversalId, reason: command.reason, reversed_at: ctx.now },
    },
  ];
}
