import { Account, Counters, availableBalance, balanceAfter, countersFrom, countersOf, overdraws } from './account.js';
import { CancelIntent, CreateIntent, DecisionContext, SettleIntent } from './commands.js';
import { DomainError, domainError, isDomainError } from './errors.js';
import { Direction, IntentRefusalStage, LedgerEvent, PostedEntry } from './events.js';
import { placeHold, released } from './holds.js';
import { accountNotFound, Decision, notActive } from './refusals.js';
import { routeFor } from './routes.js';
import type { LedgerState } from './state.js';
import { entryIdOf } from './stored-posting.js';

/**
 * Intents: one money movement driven through the runtime's states, decided here, purely:
 *
 *   accepted   the contract is valid (checked at the edge) and names accounts that can take part;
 *   controlled the tenant's policies judged it (decideControlled, policy-evaluation.ts, around this);
 *   ledgered   the amount is reserved on the source by a hold toward the destination;
 *   routed     the first enabled route of (currency, corridor) names the settlement account.
 *
 * A refusal at controlled (a policy), ledgered (insufficient funds) or routed (no route) is
 * recorded: `intent.refused` names the stage, and at routed the reservation is released in the
 * same decision. Refusals before acceptance (an unknown or inactive account, another currency)
 * append nothing. An open intent is then settled (one posting of four entries: source ->
 * settlement -> destination, capturing the hold) or canceled (the hold released), or canceled by
 * the runtime at `expires_at` (the hold's expiry, holds.ts). Exactly one of them happens: each
 * needs the intent open, and the tenant's writer decides one command at a time.
 */

/** The one money model the runtime speaks: integer minor units in the ledger account's currency. */
export const INTENT_MONEY_MODEL = 'minor_units + ledger_currency';
/** What an intent may ask the runtime to involve. */
export const INTENT_PRIMITIVES = ['policy', 'ledger', 'events'] as const;

export type IntentStatus = 'open' | 'settled' | 'canceled' | 'refused';

/** An intent as the write model needs it to settle, cancel or expire it. */
export interface Intent {
  id: string;
  status: IntentStatus;
  amount: bigint;
  currency: string;
  source_account_id: string;
  destination_account_id: string;
  corridor: string;
  expires_at: string | null;
  hold_id: string | null;
  route_id: string | null;
  settlement_account_id: string | null;
  transaction_id: string | null;
}

export function createIntent(state: LedgerState, command: CreateIntent, ctx: DecisionContext): Decision {
  if (state.intents.get(command.intent_id)) {
    // The writer answers a repeat of the same request from the log before deciding; this is another request.
    return domainError('idempotency_key_reused', `intent ${command.intent_id} exists with another request`, { intent_id: command.intent_id });
  }
  const refused = notAcceptable(state, command);
  if (refused) return refused;
  const accepted = intentAccepted(command, ctx);
  const held = placeHold(
    state,
    {
      type: 'place_hold',
      account_id: command.source_account_id,
      destination_account_id: command.destination_account_id,
      amount: command.amount,
      expires_at: command.expires_at,
      reference: command.intent_id,
      description: `reserved for intent ${command.intent_id}`,
      metadata: {},
    },
    ctx,
  );
  if (isDomainError(held)) {
    if (held.code === 'insufficient_funds') return refusedIntent(accepted, 'ledgered', held, null, ctx);
    return held;
  }
  const placed = held[0];
  if (placed.type !== 'balance.hold.created') throw new Error('placeHold decided something other than a hold');
  const hold: LedgerEvent = { type: 'balance.hold.created', data: { ...placed.data, intent_id: command.intent_id } };

  const route = routeFor(state, command.currency, command.corridor);
  if (!route) {
    const d = placed.data;
    const source = state.accounts.get(d.account_id)!;
    const destination = state.accounts.get(d.destination_account_id)!;
    const release = released(
      { id: d.hold_id, currency: d.currency },
      'released',
      command.amount,
      'no_route',
      source,
      countersFrom(d.source_balance_after),
      destination,
      countersFrom(d.destination_balance_after),
      ctx,
    );
    const noRoute = domainError('no_route', `no enabled route for ${command.currency} through corridor ${command.corridor}`, {
      currency: command.currency,
      corridor: command.corridor,
    });
    return [accepted, hold, release, ...refusedIntent(accepted, 'routed', noRoute, d.hold_id, ctx).slice(1)];
  }
  return [
    accepted,
    hold,
    {
      type: 'intent.routed',
      data: {
        intent_id: command.intent_id,
        hold_id: placed.data.hold_id,
        route_id: route.id,
        route_name: route.name,
        settlement_account_id: route.settlement_account_id,
        routed_at: ctx.now,
      },
    },
  ];
}

/** What refuses an intent before it is accepted (nothing is recorded): its accounts cannot take part. */
function notAcceptable(state: LedgerState, command: CreateIntent): DomainError | null {
  const source = state.accounts.get(command.source_account_id);
  if (!source) return accountNotFound(command.source_account_id, { field: 'source_account_id' });
  const destination = state.accounts.get(command.destination_account_id);
  if (!destination) return accountNotFound(command.destination_account_id, { field: 'destination_account_id' });
  if (source.id === destination.id) {
    return domainError('invalid_hold', 'an intent moves money between two different accounts', { field: 'destination_account_id', account_id: source.id });
  }
  for (const account of [source, destination]) {
    if (account.currency !== command.currency) {
      return domainError('currency_mismatch', `account ${account.id} is in ${account.currency}, the intent in ${command.currency}`, {
        account_id: account.id,
        account_currency: account.currency,
        currency: command.currency,
      });
    }
  }
  return null;
}

function intentAccepted(command: CreateIntent, ctx: DecisionContext): LedgerEvent {
  return {
    type: 'intent.accepted',
    data: {
      intent_id: command.intent_id,
      scope: command.scope,
      money_model: command.money_model,
      primitives: command.primitives,
      amount: command.amount.toString(),
      currency: command.currency,
      source_account_id: command.source_account_id,
      destination_account_id: command.destination_account_id,
      corridor: command.corridor,
      expires_at: command.expires_at,
      metadata: command.metadata,
      accepted_at: ctx.now,
    },
  };
}

/**
 * An intent refused at a stage: its acceptance and the refusal, which carries the API error
 * (code, message, details) the request is answered with, now and on every repeat of it.
 * `accepted` is the decision's intent.accepted event.
 */
export function refusedIntent(accepted: LedgerEvent, stage: IntentRefusalStage, error: DomainError, holdId: string | null, ctx: DecisionContext): LedgerEvent[] {
  if (accepted.type !== 'intent.accepted') throw new Error(`an intent's refusal follows its acceptance, not ${accepted.type}`);
  return [
    accepted,
    {
      type: 'intent.refused',
      data: { intent_id: accepted.data.intent_id, stage, code: error.code, message: error.message, details: error.details, hold_id: holdId, refused_at: ctx.now },
    },
  ];
}

/** The intent if it can still be settled or canceled at ctx.now: open, and not past its expiry (the runtime cancels it then). */
function openIntent(state: LedgerState, intentId: string, ctx: DecisionContext): Intent | DomainError {
  const intent = state.intents.get(intentId);
  if (!intent) return domainError('not_found', `intent ${intentId} not found`, { intent_id: intentId });
  if (intent.status !== 'open' || intent.hold_id === null) return notOpen(intent, intent.status);
  if (intent.expires_at !== null && Date.parse(ctx.now) >= Date.parse(intent.expires_at)) return notOpen(intent, 'expired');
  return intent;
}

function notOpen(intent: Intent, status: string): DomainError {
  return domainError('intent_not_open', `intent ${intent.id} is ${status}`, { intent_id: intent.id, status, expires_at: intent.expires_at });
}

/**
 * One posting of four entries: debit source, credit settlement, debit settlement, credit
 * destination. The first and the last capture the hold (pending to posted on each side, so
 * available does not move); the two between pass the money through the route's settlement
 * account, which ends where it began. Every step obeys the funds rule.
 */
export function settleIntent(state: LedgerState, command: SettleIntent, ctx: DecisionContext): Decision {
  const intent = openIntent(state, command.intent_id, ctx);
  if (isDomainError(intent)) return intent;
  const legs: [string, Direction, (c: Counters) => Counters][] = [
    [intent.source_account_id, 'debit', (c) => ({ ...c, debits_pending: c.debits_pending - intent.amount, debits_posted: c.debits_posted + intent.amount })],
    [intent.settlement_account_id!, 'credit', (c) => ({ ...c, credits_posted: c.credits_posted + intent.amount })],
    [intent.settlement_account_id!, 'debit', (c) => ({ ...c, debits_posted: c.debits_posted + intent.amount })],
    [intent.destination_account_id, 'credit', (c) => ({ ...c, credits_pending: c.credits_pending - intent.amount, credits_posted: c.credits_posted + intent.amount })],
  ];
  const transactionId = ctx.newId();
  const counters = new Map<string, Counters>();
  const entries: PostedEntry[] = [];
  for (const [accountId, direction, move] of legs) {
    const account = state.accounts.get(accountId);
    if (!account) return accountNotFound(accountId);
    const inactive = notActive(account);
    if (inactive) return inactive;
    const before = counters.get(account.id) ?? countersOf(account);
    const after = move(before);
    if (overdraws(account, before, after)) return insufficient(account, intent.amount);
    counters.set(account.id, after);
    entries.push({ entry_id: entryIdOf(transactionId, entries.length), account_id: account.id, direction, amount: intent.amount.toString(), currency: intent.currency, balance_after: balanceAfter(account.normal_balance, after) });
  }
  return [
    {
      type: 'ledger.entry.posted',
      data: {
        transaction_id: transactionId,
        hold_id: intent.hold_id!,
        description: `settlement of intent ${intent.id}`,
        reference: intent.id,
        metadata: {},
        posted_at: ctx.now,
        entries,
      },
    },
    { type: 'intent.settled', data: { intent_id: intent.id, hold_id: intent.hold_id!, transaction_id: transactionId, route_id: intent.route_id!, settled_at: ctx.now } },
  ];
}

function insufficient(account: Account, amount: bigint): DomainError {
  return domainError('insufficient_funds', `account ${account.id} has insufficient available balance`, {
    account_id: account.id,
    available: availableBalance(account.normal_balance, countersOf(account)).toString(),
    required: amount.toString(),
  });
}

export function cancelIntent(state: LedgerState, command: CancelIntent, ctx: DecisionContext): Decision {
  const intent = openIntent(state, command.intent_id, ctx);
  if (isDomainError(intent)) return intent;
  const source = state.accounts.get(intent.source_account_id)!;
  const destination = state.accounts.get(intent.destination_account_id)!;
  const hold = { id: intent.hold_id!, currency: intent.currency };
  return [
    released(hold, 'released', intent.amount, command.note, source, countersOf(source), destination, countersOf(destination), ctx),
    { type: 'intent.canceled', data: { intent_id: intent.id, hold_id: hold.id, reason: 'canceled', note: command.note, canceled_at: ctx.now } },
  ];
}

/**
 * evolve's part for intents. Records are replaced, never changed in place (a writer decides
 * against an overlay). A record recalled from the log is folded from its own events only, so an
 * event whose intent is not in the state changes nothing.
 */
export function foldIntent(state: LedgerState, event: LedgerEvent): void {
  const update = (intentId: string, change: Partial<Intent>) => {
    const intent = state.intents.get(intentId);
    if (intent) state.intents.set(intentId, { ...intent, ...change });
  };
  switch (event.type) {
    case 'intent.accepted': {
      const d = event.data;
      state.intents.set(d.intent_id, {
        id: d.intent_id,
        status: 'open',
        amount: BigInt(d.amount),
        currency: d.currency,
        source_account_id: d.source_account_id,
        destination_account_id: d.destination_account_id,
        corridor: d.corridor,
        expires_at: d.expires_at,
        hold_id: null,
        route_id: null,
        settlement_account_id: null,
        transaction_id: null,
      });
      break;
    }
    case 'balance.hold.created':
      if (event.data.intent_id !== undefined) update(event.data.intent_id, { hold_id: event.data.hold_id });
      break;
    case 'intent.routed':
      update(event.data.intent_id, { route_id: event.data.route_id, settlement_account_id: event.data.settlement_account_id, hold_id: event.data.hold_id });
      break;
    case 'intent.refused':
      update(event.data.intent_id, { status: 'refused' });
      break;
    case 'intent.settled':
      update(event.data.intent_id, { status: 'settled', transaction_id: event.data.transaction_id });
      break;
    case 'intent.canceled':
      update(event.data.intent_id, { status: 'canceled' });
      break;
    default:
      break;
  }
}
