import { Account } from './account.js';
import { DomainError, domainError } from './errors.js';
import { LedgerEvent } from './events.js';

/** What a decision yields: the events to append, or why the command is refused. */
export type Decision = LedgerEvent[] | DomainError;

/** `details` carries the account id and whatever locates it in the command (entry_index, field). */
export function accountNotFound(accountId: string, where: Record<string, unknown> = {}): DomainError {
  return domainError('not_found', `account ${accountId} not found`, { account_id: accountId, ...where });
}

/** Frozen and closed accounts take no new debits, credits or holds. */
export function notActive(account: Account, where: Record<string, unknown> = {}): DomainError | null {
  if (account.status === 'active') return null;
  return domainError('account_not_active', `account ${account.id} is ${account.status}`, { account_id: account.id, status: account.status, ...where });
}
