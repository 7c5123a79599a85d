import { Account, balanceAfter, countersOf } from './account.js';
import { ChangeAccountStatus, DecisionContext, LedgerCommand, OpenAccount, PostTransaction } from './commands.js';
import { DomainError, domainError, isDomainError } from './errors.js';
import { postEntries } from './posting.js';
import { AccountStatus } from './events.js';
import { reverseTransaction } from './reversals.js';
import { captureHold, expireHold, placeHold, releaseHold } from './holds.js';
import { createPolicy, disablePolicy, updatePolicy } from './policy-changes.js';
import { changeRouteStatus, createRoute } from './routes.js';
import { cancelIntent, createIntent, settleIntent } from './intents.js';
import { ENTRIES_PER_TRANSACTION_MAX, ENTRIES_PER_TRANSACTION_MIN } from './limits.js';
import { accountNotFound, Decision, notActive } from './refusals.js';
import { LedgerState } from './state.js';


/**
 * The single place where the ledger's rules live. Pure: the same state, command and
 * context always give the same events or the same error. Tenant policies are judged around
 * it by decideControlled (policy-evaluation.ts); decide itself only changes them.
 */
export function decide(state: LedgerState, command: LedgerCommand, ctx: DecisionContext): Decision {
  switch (command.type) {
    case 'open_account':
      return openAccount(state, command, ctx);
    case 'change_account_status':
      return changeAccountStatus(state, command, ctx);
    case 'post_transaction':
      return postTransaction(state, command, ctx);
    case 'reverse_transaction':
      return reverseTransaction(state, command, ctx);
    case 'place_hold':
      return placeHold(state, command, ctx);
    case 'capture_hold':
      return captureHold(state, command, ctx);
    case 'release_hold':
      return releaseHold(state, command, ctx);
    case 'expire_hold':
      return expireHold(state, command, ctx);
    case 'create_policy':
      return createPolicy(state, command, ctx);
    case 'update_policy':
      return updatePolicy(state, command, ctx);
    case 'disable_policy':
      return disablePolicy(state, command, ctx);
    case 'create_route':
      return createRoute(state, command, ctx);
    case 'change_route_status':
      return changeRouteStatus(state, command, ctx);
    case 'create_intent':
      return createIntent(state, command, ctx);
    case 'settle_intent':
      return settleIntent(state, command, ctx);
    case 'cancel_intent':
      return cancelIntent(state, command, ctx);
    default: {
      const _exhaustive: never = command;
      throw new Error(`unknown command ${JSON.stringify(_exhaustive)}`);
    }
  }
}

function openAccount(state: LedgerState, command: OpenAccount, ctx: DecisionContext): Decision {
  const path = command.path ?? null;
  if (path !== null) {
    const holder = state.account_paths.get(path);
    if (holder !== undefined) return domainError('path_taken', `path ${path} is account ${holder}'s`, { path, account_id: holder });
  }
  return [
    {
      type: 'account.created',
      data: {
        account_id: ctx.newId(),
        customer: command.customer,
        currency: command.currency,
        account_type: command.account_type,
        normal_balance: command.normal_balance,
        allow_negative: command.allow_negative,
        metadata: command.metadata,
        created_at: ctx.now,
        ...(path !== null ? { path } : {}),
      },
    },
  ];
}

const STATUS_TRANSITIONS: Record<ChangeAccountStatus['action'], { from: AccountStatus[]; to: AccountStatus }> = {
  freeze: { from: ['active'], to: 'frozen' },
  unfreeze: { from: ['frozen'], to: 'active' },
  close: { from: ['active', 'frozen'], to: 'closed' },
};

function changeAccountStatus(state: LedgerState, command: ChangeAccountStatus, ctx: DecisionContext): Decision {
  const account = state.accounts.get(command.account_id);
  if (!account) return accountNotFound(command.account_id);
  const transition = STATUS_TRANSITIONS[command.action];
  // Asking for the state the account is already in changes nothing and is not an error.
  if (account.status === transition.to) return [];
  if (!transition.from.includes(account.status)) {
    return domainError('account_not_active', `account ${account.id} is ${account.status}; cannot ${command.action}`, {
      account_id: account.id,
      status: account.status,
    });
  }
  if (command.action === 'close' && !isEmpty(account)) {
    return domainError('account_not_empty', `account ${account.id} has a balance or pending holds; it cannot be closed`, {
      account_id: account.id,
      balances: balanceAfter(account.normal_balance, countersOf(account)),
    });
  }
  return [
    {
      type: 'account.status_changed',
      data: {
        account_id: account.id,
        from: account.status,
        to: transition.to,
        changed_at: ctx.now,
        balances: balanceAfter(account.normal_balance, countersOf(account)),
      },
    },
  ];
}

function isEmpty(account: Account): boolean {
  return (
    account.debits_posted === account.credits_posted &&
    account.debits_pending === 0n &&
    account.credits_pending === 0n
  );
}

function postTransaction(state: LedgerState, command: PostTransaction, ctx: DecisionContext): Decision {
  // Shape is validated at the edge; reaching here with a bad shape is a programming error.
  const count = command.entries.length;
  if (count < ENTRIES_PER_TRANSACTION_MIN || count > ENTRIES_PER_TRANSACTION_MAX) {
    throw new Error(`post_transaction with ${count} entries reached the domain`);
  }
  const refused = checkEntries(state, command) ?? checkEffectiveAt(state, command, ctx);
  if (refused) return refused;

  const transactionId = ctx.newId();
  const entries = postEntries(state, transactionId, command.entries, (id) => `account ${id} has insufficient available balance`);
  if (isDomainError(entries)) return entries;

  return [
    {
      type: 'ledger.entry.posted',
      data: {
        transaction_id: transactionId,
        description: command.description,
        reference: command.reference,
        metadata: command.metadata,
        posted_at: ctx.now,
        ...(command.effective_at ? { effective_at: command.effective_at } : {}),
        entries,
      },
    },
  ];
}

/** Existence, status, currency and balance per currency: everything decidable before amounts move. */
function checkEntries(state: LedgerState, command: PostTransaction): DomainError | null {
  const netByCurrency = new Map<string, bigint>();
  for (const [index, entry] of command.entries.entries()) {
    const account = state.accounts.get(entry.account_id);
    if (!account) return accountNotFound(entry.account_id, { entry_index: index });
    const inactive = notActive(account, { entry_index: index });
    if (inactive) return inactive;
    if (entry.expected_lock_version !== undefined && entry.expected_lock_version !== account.lock_version) {
      return domainError('lock_version_mismatch', `account ${account.id} is at lock_version ${account.lock_version}, not ${entry.expected_lock_version}`, {
        account_id: account.id,
        entry_index: index,
        expected: entry.expected_lock_version,
        actual: account.lock_version,
      });
    }
    if (entry.currency !== undefined && entry.currency !== account.currency) {
      return domainError('currency_mismatch', `entry currency ${entry.currency} differs from account currency ${account.currency}`, {
        account_id: account.id,
        entry_index: index,
        entry_currency: entry.currency,
        account_currency: account.currency,
      });
    }
    const signed = entry.direction === 'debit' ? entry.amount : -entry.amount;
    netByCurrency.set(account.currency, (netByCurrency.get(account.currency) ?? 0n) + signed);
  }
  for (const [currency, net] of netByCurrency) {
    if (net !== 0n) {
      return domainError('unbalanced_transaction', `debits and credits differ for ${currency}`, {
        currency,
        debits_minus_credits: net.toString(),
      });
    }
  }
  return null;
}

/**
 * An effective time says when a posting takes effect for effective-time reads: not in the future
 * (ctx.now, the accepted time) and not before any of its accounts was opened. The funds rule
 * does not look at it: it decides on the balances as they stand now.
 */
function checkEffectiveAt(state: LedgerState, command: PostTransaction, ctx: DecisionContext): DomainError | null {
  const at = command.effective_at;
  if (!at) return null;
  const refuse = (reason: string, extra: Record<string, unknown>) =>
    domainError('invalid_effective_at', `effective_at ${reason}`, { fields: { effective_at: [reason] }, effective_at: at, ...extra });
  if (Date.parse(at) > Date.parse(ctx.now)) return refuse('must not be in the future', { now: ctx.now });
  for (const entry of command.entries) {
    const account = state.accounts.get(entry.account_id)!;
    if (Date.parse(at) < Date.parse(account.created_at)) return refuse(`must not be before account ${account.id} was opened`, { account_id: account.id, created_at: account.created_at });
  }
  return null;
}
