import { AccountStatusChangedData, BalanceCounters, BalanceReleasedData, HoldCreatedData, StoredEntryPostedData } from './events.js';

const ZERO: BalanceCounters = { debits_posted: '0', credits_posted: '0', debits_pending: '0', credits_pending: '0' };

/** The counters each event left each account at, as the event recorded them. */
export function countersTouched(event: { type: string; data: unknown }): Map<string, BalanceCounters> {
  const touched = new Map<string, BalanceCounters>();
  switch (event.type) {
    case 'account.created':
      touched.set((event.data as { account_id: string }).account_id, ZERO);
      break;
    case 'account.status_changed':
      touched.set((event.data as AccountStatusChangedData).account_id, (event.data as AccountStatusChangedData).balances);
      break;
    case 'ledger.entry.posted':
      // The last entry of an account carries its figures after the whole transaction.
      for (const entry of (event.data as StoredEntryPostedData).entries) touched.set(entry.account_id, entry.balance_after);
      break;
    case 'balance.hold.created':
    case 'balance.released': {
      const d = event.data as HoldCreatedData | BalanceReleasedData;
      touched.set(d.account_id, d.source_balance_after);
      touched.set(d.destination_account_id, d.destination_balance_after);
      break;
    }
  }
  return touched;
}
