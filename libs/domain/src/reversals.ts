import { DecisionContext, ReverseTransaction } from './commands.js';
import { DomainError, domainError, isDomainError } from './errors.js';
import { postEntries } from './posting.js';
import { LedgerEvent } from './events.js';
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
  const reversed = [...original.entries].reverse().map((e) => ({ ...e, direction: e.direction === 'debit' ? ('credit' as const) : ('debit' as const) }));
  const reversalId = ctx.newId();
  const entries = postEntries(state, reversalId, reversed, (id) => `account ${id} no longer holds the money this reversal takes back`);
  if (isDomainError(entries)) return entries;
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
