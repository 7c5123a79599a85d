import { PoolClient } from 'pg';
import { countersTouched } from '#domain/index.js';
import { RecordedEvent } from '#event-store/index.js';
import { ColumnBatch, Projection, occurredAt, tenantOf } from '#projection-runtime/index.js';

const SQL = {
  insert: `
    insert into balance_history (account_id, position, tenant_id, occurred_at, debits_posted, credits_posted, debits_pending, credits_pending)
    select * from unnest($1::uuid[], $2::numeric[], $3::uuid[], $4::timestamptz[], $5::numeric[], $6::numeric[], $7::numeric[], $8::numeric[])
    on conflict (account_id, position) do nothing`,
};

/** The read model's tables at `version` (a change here is a new version: the model is rebuilt from the log). */
const SCHEMA = `
  create table balance_history (
    account_id uuid not null,
    position numeric(39,0) not null,
    tenant_id uuid not null,
    occurred_at timestamptz not null,
    debits_posted numeric not null,
    credits_posted numeric not null,
    debits_pending numeric not null,
    credits_pending numeric not null,
    primary key (account_id, position)
  );`;

/**
 * The counters each event without entries left each account at (opening, holds, releases,
 * status changes). A posting's counters are on its entries (the entries projection): point in
 * time balances read the later of the two (balance-history.queries).
 */
export const balanceHistoryProjection: Projection = {
  name: 'balance_history',
  version: 1,
  tables: ['balance_history'],
  schema: SCHEMA,
  async apply(tx: PoolClient, events: RecordedEvent[]): Promise<void> {
    const rows = new ColumnBatch(8);
    for (const event of events) {
      if (event.type === 'ledger.entry.posted') continue;
      for (const [accountId, c] of countersTouched(event)) {
        rows.add([
          accountId, event.position.toString(), tenantOf(event), occurredAt(event),
          c.debits_posted, c.credits_posted, c.debits_pending, c.credits_pending,
        ]);
      }
    }
    await rows.flush(tx, SQL.insert);
  },
};
