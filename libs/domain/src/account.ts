import { AccountStatus, BalanceAfter, BalanceCounters, Direction, NormalBalance } from './events.js';

export interface Account {
  id: string;
  customer: string;
  currency: string;
  account_type: string;
  normal_balance: NormalBalance;
  allow_negative: boolean;
  status: AccountStatus;
  metadata: Record<string, unknown>;
  created_at: string;
  debits_posted: bigint;
  credits_posted: bigint;
  debits_pending: bigint;
  credits_pending: bigint;
  /** +1 for every event that changes the account's balances (a posting, a hold placed, captured or released). */
  lock_version: number;
  /** Its place in the tenant's account tree, if opened with one (paths.ts). */
  path: string | null;
}

export interface Counters {
  debits_posted: bigint;
  credits_posted: bigint;
  debits_pending: bigint;
  credits_pending: bigint;
}

/** Posted balance in the account's normal direction. */
export function postedBalance(normal: NormalBalance, c: Counters): bigint {
  return normal === 'credit' ? c.credits_posted - c.debits_posted : c.debits_posted - c.credits_posted;
}

/** Posted minus what pending holds would take out of the account. */
export function availableBalance(normal: NormalBalance, c: Counters): bigint {
  const outgoingPending = normal === 'credit' ? c.debits_pending : c.credits_pending;
  return postedBalance(normal, c) - outgoingPending;
}

export function withPosting(c: Counters, direction: Direction, amount: bigint): Counters {
  return direction === 'debit'
    ? { ...c, debits_posted: c.debits_posted + amount }
    : { ...c, credits_posted: c.credits_posted + amount };
}

export function balanceAfter(normal: NormalBalance, c: Counters): BalanceAfter {
  return {
    debits_posted: c.debits_posted.toString(),
    credits_posted: c.credits_posted.toString(),
    debits_pending: c.debits_pending.toString(),
    credits_pending: c.credits_pending.toString(),
    posted: postedBalance(normal, c).toString(),
    available: availableBalance(normal, c).toString(),
  };
}

export function countersOf(account: Account): Counters {
  return {
    debits_posted: account.debits_posted,
    credits_posted: account.credits_posted,
    debits_pending: account.debits_pending,
    credits_pending: account.credits_pending,
  };
}

/** Counters from their decimal-string form (an event's balance_after, or a read-model row). */
export function countersFrom(after: BalanceCounters): Counters {
  return {
    debits_posted: BigInt(after.debits_posted),
    credits_posted: BigInt(after.credits_posted),
    debits_pending: BigInt(after.debits_pending),
    credits_pending: BigInt(after.credits_pending),
  };
}

/**
 * The funds rule: moving an account from `before` to `after` would take its available balance
 * below zero (and lower than it was) while it may not go negative.
 */
export function overdraws(account: Account, before: Counters, after: Counters): boolean {
  if (account.allow_negative) return false;
  const availableAfter = availableBalance(account.normal_balance, after);
  return availableAfter < 0n && availableAfter < availableBalance(account.normal_balance, before);
}

/** An account's balances as the API shows them: posted, pending each way, available. */
export interface BalanceView {
  posted: string;
  pending_debits: string;
  pending_credits: string;
  available: string;
}

export function balanceView(normal: NormalBalance, c: Counters): BalanceView {
  return {
    posted: postedBalance(normal, c).toString(),
    pending_debits: c.debits_pending.toString(),
    pending_credits: c.credits_pending.toString(),
    available: availableBalance(normal, c).toString(),
  };
}
