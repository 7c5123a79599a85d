import { Account, Counters, availableBalance, balanceAfter, countersOf, overdraws } from './account.js';
import { CaptureHold, DecisionContext, ExpireHold, PlaceHold, ReleaseHold } from './commands.js';
import { DomainError, domainError } from './errors.js';
import { LedgerEvent, ReleaseReason } from './events.js';
import { entryIdOf } from './stored-posting.js';
import { accountNotFound, Decision, notActive } from './refusals.js';
import type { Hold, LedgerState } from './state.js';

/**
 * Two-phase transfers. A hold reserves `amount` from the source toward the destination
 * (source debits_pending += amount, destination credits_pending += amount), then ends exactly
 * once: captured (fully or partly; the remainder is released in the same decision), released,
 * or expired. Time comes from ctx.now, the command's accepted time, so replay decides alike.
 */
export function placeHold(state: LedgerState, command: PlaceHold, ctx: DecisionContext): Decision {
  const source = state.accounts.get(command.account_id);
  if (!source) return accountNotFound(command.account_id, { field: 'account_id' });
  const destination = state.accounts.get(command.destination_account_id);
  if (!destination) return accountNotFound(command.destination_account_id, { field: 'destination_account_id' });
  for (const account of [source, destination]) {
    const inactive = notActive(account);
    if (inactive) return inactive;
  }
  if (source.id === destination.id) {
    return domainError('invalid_hold', 'a hold needs two different accounts', { account_id: source.id, field: 'destination_account_id' });
  }
  if (source.currency !== destination.currency) {
    return domainError('currency_mismatch', `source is ${source.currency}, destination is ${destination.currency}`, {
      account_id: destination.id,
      account_currency: destination.currency,
      source_currency: source.currency,
    });
  }
  if (command.expires_at !== null && Date.parse(command.expires_at) <= Date.parse(ctx.now)) {
    return domainError('invalid_hold', 'expires_at must be in the future', { expires_at: command.expires_at, now: ctx.now });
  }
  const sourceAfter = { ...countersOf(source), debits_pending: source.debits_pending + command.amount };
  const destinationAfter = { ...countersOf(destination), credits_pending: destination.credits_pending + command.amount };
  // Both sides obey the funds rule: a pending credit lowers a debit-normal account's available.
  for (const [account, after] of [[source, sourceAfter], [destination, destinationAfter]] as const) {
    if (overdraws(account, countersOf(account), after)) {
      return domainError('insufficient_funds', `account ${account.id} has insufficient available balance`, {
        account_id: account.id,
        available: availableBalance(account.normal_balance, countersOf(account)).toString(),
        required: command.amount.toString(),
      });
    }
  }
  return [
    {
      type: 'balance.hold.created',
      data: {
        hold_id: ctx.newId(),
        account_id: source.id,
        destination_account_id: destination.id,
        amount: command.amount.toString(),
        currency: source.currency,
        expires_at: command.expires_at,
        reference: command.reference,
        description: command.description,
        metadata: command.metadata,
        created_at: ctx.now,
        source_balance_after: balanceAfter(source.normal_balance, sourceAfter),
        destination_balance_after: balanceAfter(destination.normal_balance, destinationAfter),
      },
    },
  ];
}

export function captureHold(state: LedgerState, command: CaptureHold, ctx: DecisionContext): Decision {
  const found = pendingHold(state, command.hold_id, ctx);
  if ('kind' in found) return found;
  const owned = ownedByIntent(found.hold);
  if (owned) return owned;
  const { hold, source, destination } = found;
  const amount = command.amount ?? hold.amount;
  if (amount > hold.amount) {
    return domainError('capture_exceeds_hold', `capture of ${amount} exceeds the held ${hold.amount}`, {
      hold_id: hold.id,
      held: hold.amount.toString(),
      requested: amount.toString(),
    });
  }
  for (const account of [source, destination]) {
    const inactive = notActive(account);
    if (inactive) return inactive;
  }
  // The captured part moves from pending to posted on both sides; available does not change.
  const sourceCaptured: Counters = {
    ...countersOf(source),
    debits_pending: source.debits_pending - amount,
    debits_posted: source.debits_posted + amount,
  };
  const destinationCaptured: Counters = {
    ...countersOf(destination),
    credits_pending: destination.credits_pending - amount,
    credits_posted: destination.credits_posted + amount,
  };
  const transactionId = ctx.newId();
  const events: LedgerEvent[] = [
    {
      type: 'ledger.entry.posted',
      data: {
        transaction_id: transactionId,
        hold_id: hold.id,
        description: `capture of hold ${hold.id}`,
        reference: null,
        metadata: {},
        posted_at: ctx.now,
        entries: [
          {
            entry_id: entryIdOf(transactionId, 0),
            account_id: source.id,
            direction: 'debit',
            amount: amount.toString(),
            currency: hold.currency,
            balance_after: balanceAfter(source.normal_balance, sourceCaptured),
          },
          {
            entry_id: entryIdOf(transactionId, 1),
            account_id: destination.id,
            direction: 'credit',
            amount: amount.toString(),
            currency: hold.currency,
            balance_after: balanceAfter(destination.normal_balance, destinationCaptured),
          },
        ],
      },
    },
  ];
  const remainder = hold.amount - amount;
  if (remainder > 0n) {
    events.push(released(hold, 'captured_remainder', remainder, null, source, sourceCaptured, destination, destinationCaptured, ctx));
  }
  return events;
}

export function releaseHold(state: LedgerState, command: ReleaseHold, ctx: DecisionContext): Decision {
  const found = pendingHold(state, command.hold_id, ctx);
  if ('kind' in found) return found;
  const owned = ownedByIntent(found.hold);
  if (owned) return owned;
  const { hold, source, destination } = found;
  return [released(hold, 'released', hold.amount, command.note, source, countersOf(source), destination, countersOf(destination), ctx)];
}

export function expireHold(state: LedgerState, command: ExpireHold, ctx: DecisionContext): Decision {
  const hold = state.holds.get(command.hold_id);
  if (!hold) return domainError('not_found', `hold ${command.hold_id} not found`, { hold_id: command.hold_id });
  if (hold.status !== 'pending') return notPending(hold, hold.status);
  if (hold.expires_at === null || Date.parse(ctx.now) < Date.parse(hold.expires_at)) {
    return domainError('hold_not_pending', `hold ${hold.id} has not expired yet`, { hold_id: hold.id, status: hold.status, expires_at: hold.expires_at });
  }
  const source = state.accounts.get(hold.account_id)!;
  const destination = state.accounts.get(hold.destination_account_id)!;
  const expired = released(hold, 'expired', hold.amount, null, source, countersOf(source), destination, countersOf(destination), ctx);
  // An intent's reservation expires with its intent: the intent is canceled in the same decision
  // (its hold is pending exactly while the intent is open, so the hold alone tells).
  if (hold.intent_id === undefined) return [expired];
  return [expired, { type: 'intent.canceled', data: { intent_id: hold.intent_id, hold_id: hold.id, reason: 'expired', note: null, canceled_at: ctx.now } }];
}

/** An intent's reservation ends only through the intent (settle, cancel, expiry), so the intent's state and its hold never disagree. */
function ownedByIntent(hold: Hold): DomainError | null {
  if (hold.intent_id === undefined) return null;
  return domainError('hold_owned_by_intent', `hold ${hold.id} reserves funds for intent ${hold.intent_id}: settle or cancel the intent instead`, {
    hold_id: hold.id,
    intent_id: hold.intent_id,
  });
}

/** The hold if it can still be captured or released at ctx.now; past expires_at it cannot. */
function pendingHold(state: LedgerState, holdId: string, ctx: DecisionContext): { hold: Hold; source: Account; destination: Account } | DomainError {
  const hold = state.holds.get(holdId);
  if (!hold) return domainError('not_found', `hold ${holdId} not found`, { hold_id: holdId });
  if (hold.status !== 'pending') return notPending(hold, hold.status);
  if (hold.expires_at !== null && Date.parse(ctx.now) >= Date.parse(hold.expires_at)) return notPending(hold, 'expired');
  return { hold, source: state.accounts.get(hold.account_id)!, destination: state.accounts.get(hold.destination_account_id)! };
}

function notPending(hold: Hold, status: string): DomainError {
  return domainError('hold_not_pending', `hold ${hold.id} is ${status}`, { hold_id: hold.id, status, expires_at: hold.expires_at });
}

/** Gives `amount` of the hold back: out of pending on both sides. */
export function released(
  hold: Pick<Hold, 'id' | 'currency'>,
  reason: ReleaseReason,
  amount: bigint,
  note: string | null,
  source: Account,
  sourceBefore: Counters,
  destination: Account,
  destinationBefore: Counters,
  ctx: DecisionContext,
): LedgerEvent {
  const sourceAfter = { ...sourceBefore, debits_pending: sourceBefore.debits_pending - amount };
  const destinationAfter = { ...destinationBefore, credits_pending: destinationBefore.credits_pending - amount };
  return {
    type: 'balance.released',
    data: {
      hold_id: hold.id,
      reason,
      amount: amount.toString(),
      currency: hold.currency,
      account_id: source.id,
      destination_account_id: destination.id,
      note,
      released_at: ctx.now,
      source_balance_after: balanceAfter(source.normal_balance, sourceAfter),
      destination_balance_after: balanceAfter(destination.normal_balance, destinationAfter),
    },
  };
}
