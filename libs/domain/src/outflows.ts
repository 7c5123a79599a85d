import { LedgerEvent } from './events.js';
import { entryCurrency } from './stored-posting.js';

/** Money one event takes out of one account (all its debit entries in the event, summed). */
export interface Outflow {
  account_id: string;
  currency: string;
  amount: bigint;
}

/**
 * What limits count: the money a posting or a hold takes out of each account, in the order the
 * accounts first appear. A posting's debit entries (a reversal is a posting too), a hold's amount
 * at placement; a hold's capture is not counted again (its money was counted when it was held),
 * and releases, status changes and policy events move nothing out. Only currencies `relevant`
 * holds are looked at, so a posting in a currency without limits allocates nothing.
 *
 * Limits decide on the events decide() produced and evolve counts the same events, so what a
 * check saw and what the window later holds can never disagree.
 */
export function outflowsOf(event: LedgerEvent, relevant: ReadonlyMap<string, unknown>): Outflow[] | null {
  switch (event.type) {
    case 'ledger.entry.posted': {
      if (event.data.hold_id !== undefined) return null;
      let outflows: Outflow[] | null = null;
      for (const entry of event.data.entries) {
        const currency = entryCurrency(event.data, entry);
        if (entry.direction !== 'debit' || !relevant.has(currency)) continue;
        outflows ??= [];
        const amount = BigInt(entry.amount);
        // A linear search: postings touch a few accounts (even at ENTRIES_PER_TRANSACTION_MAX it is well under a millisecond).
        const seen = outflows.find((o) => o.account_id === entry.account_id);
        if (seen) seen.amount += amount;
        else outflows.push({ account_id: entry.account_id, currency, amount });
      }
      return outflows;
    }
    case 'balance.hold.created': {
      const d = event.data;
      return relevant.has(d.currency) ? [{ account_id: d.account_id, currency: d.currency, amount: BigInt(d.amount) }] : null;
    }
    default:
      return null;
  }
}
