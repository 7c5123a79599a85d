import { Account, AccountCreatedData, Counters, AccountStatusChangedData, availableBalance, balanceAfter, countersFrom, LedgerState, postedBalance } from '../../../../libs/domain/src/index.js';
import { RecordedEvent } from '../../../../libs/event-store/src/index.js';

/** The account as a command answers it: from the event it produced and the tenant's write model. */
export function renderAccountEvent(tenantId: string, event: RecordedEvent, state: LedgerState) {
  if (event.type === 'account.created') {
    const d = event.data as AccountCreatedData;
    return {
      id: d.account_id,
      tenant_id: tenantId,
      customer: d.customer,
      currency: d.currency,
      account_type: d.account_type,
      normal_balance: d.normal_balance,
      allow_negative: d.allow_negative,
      status: 'active',
      metadata: d.metadata,
      created_at: d.created_at,
      balances: { posted: '0', pending_debits: '0', pending_credits: '0', available: '0' },
      event: event.type,
      position: event.position.toString(),
    };
  }
  const d = event.data as AccountStatusChangedData;
  const account = state.accounts.get(d.account_id)!;
  return { ...renderAccount(tenantId, account, countersFrom(d.balances)), status: d.to, event: event.type, position: event.position.toString() };
}

/** The account as it stands in the write model (a status change that changed nothing). */
export function renderAccount(tenantId: string, account: Account, counters: Counters = account) {
  const b = balanceAfter(account.normal_balance, counters);
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
    created_at: account.created_at,
    balances: {
      posted: postedBalance(account.normal_balance, counters).toString(),
      pending_debits: b.debits_pending,
      pending_credits: b.credits_pending,
      available: availableBalance(account.normal_balance, counters).toString(),
    },
  };
}
