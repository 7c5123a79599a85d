import { PoolClient } from 'pg';
import { AccountCreatedData, AccountStatusChangedData, BalanceCounters } from '../../libs/domain/src/index.js';
import { RecordedEvent } from '../../libs/event-store/src/index.js';
import { Projection, tenantOf, statementName } from '../../libs/projection-runtime/src/index.js';
import { countersTouched } from '../balance-history/balance-history.projection.js';

const SQL = {
  insert: `
    insert into accounts (id, tenant_id, customer, currency, account_type, normal_balance, allow_negative, status,
                          metadata, created_at, created_position, position)
    values ($1, $2, $3, $4, $5, $6, $7, 'active', $8, $9, $10, $10)
    on conflict (id) do nothing`,
  setStatus: `update accounts set status = $2, position = $3 where id = $1`,
  // One statement per batch: each account's counters as the last entry in the batch left them.
  setCounters: `
    update accounts a
       set debits_posted = v.debits_posted, credits_posted = v.credits_posted,
           debits_pending = v.debits_pending, credits_pending = v.credits_pending, position = v.position
      from unnest($1::uuid[], $2::numeric[], $3::numeric[], $4::numeric[], $5::numeric[], $6::numeric[])
           as v(id, debits_posted, credits_posted, debits_pending, credits_pending, position)
     where a.id = v.id`,
};

interface CounterRow {
  id: string;
  debits_posted: string;
  credits_posted: string;
  debits_pending: string;
  credits_pending: string;
  position: string;
}

/** Accounts with their current counters; balances are derived when read. */
export const accountsProjection: Projection = {
  name: 'accounts',
  tables: ['accounts'],
  async apply(tx: PoolClient, events: RecordedEvent[]): Promise<void> {
    let counters = new Map<string, CounterRow>();
    const flush = async () => {
      if (counters.size === 0) return;
      const rows = [...counters.values()];
      await tx.query({ name: statementName(SQL.setCounters), text: SQL.setCounters, values: [
        rows.map((r) => r.id),
        rows.map((r) => r.debits_posted),
        rows.map((r) => r.credits_posted),
        rows.map((r) => r.debits_pending),
        rows.map((r) => r.credits_pending),
        rows.map((r) => r.position),
      ] });
      counters = new Map();
    };
    for (const event of events) {
      switch (event.type) {
        case 'account.created': {
          const d = event.data as AccountCreatedData;
          await tx.query(SQL.insert, [
            d.account_id, tenantOf(event), d.customer, d.currency, d.account_type, d.normal_balance, d.allow_negative,
            JSON.stringify(d.metadata), d.created_at, event.position.toString(),
          ]);
          break;
        }
        case 'account.status_changed': {
          const d = event.data as AccountStatusChangedData;
          await flush();
          await tx.query(SQL.setStatus, [d.account_id, d.to, event.position.toString()]);
          break;
        }
        case 'ledger.entry.posted':
        case 'balance.hold.created':
        case 'balance.released': {
          const position = event.position.toString();
          for (const [id, after] of countersTouched(event)) counters.set(id, { id, ...pickCounters(after), position });
          break;
        }
      }
    }
    await flush();
  },
};

/** The four counters of a balance_after (which also carries posted/available). */
function pickCounters(b: BalanceCounters) {
  return {
    debits_posted: b.debits_posted,
    credits_posted: b.credits_posted,
    debits_pending: b.debits_pending,
    credits_pending: b.credits_pending,
  };
}
