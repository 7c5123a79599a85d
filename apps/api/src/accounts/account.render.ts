import { Account, AccountCreatedData, AccountStatusChangedData, balanceView, Counters, countersFrom, LedgerState } from '#domain/index.js';
import { RecordedEvent } from '#event-store/index.js';

/** The account as a command answers it: from the event it produced and the tenant's write model. */
export function renderAccountEvent(tenantId: string, event: RecordedEvent, state: LedgerState) {
  const position = { event: event.type, position: event.position.toString() };
  if (event.type === 'account.created') {
    const d = event.data as AccountCreatedData;
    const opened: Account = { ...d, id: d.account_id, status: 'active', debits_posted: 0n, credits_posted: 0n, debits_pending: 0n, credits_pending: 0n, lock_version: 0, path: d.path ?? null };
    return { ...renderAccount(tenantId, opened), ...position };
  }
  const d = event.data as AccountStatusChangedData;
  const account = state.accounts.get(d.account_id)!;
  return { ...renderAccount(tenantId, account, countersFrom(d.balances)), status: d.to, ...position };
}

/** The account as it stands in the write model (a status change that changed nothing). */
export function renderAccount(tenantId: string, account: Account, counters: Counters = account) {
  return {
    id: account.id,
    tenant_id: tenantId,
    customer: account.customer,
    currency: account.currency,
    account_type: account.account_type,
    normal_balance: account.normal_balance,
    allow_negative: account.allow_negative,
    status: account.status,
    metadata: account.metadata,
    path: account.path,
    created_at: account.created_at,
    balances: balanceView(account.normal_balance, counters),
    lock_version: account.lock_version,
  };
}
