import { PoolClient } from 'pg';
import { postingOf, StoredEntryPostedData } from '#domain/index.js';
import { RecordedEvent } from '#event-store/index.js';
import { ColumnBatch, copyRows, Projection, tenantOf } from '#projection-runtime/index.js';

const SQL = {
  insert: `
    insert into entries (id, tenant_id, transaction_id, account_id, direction, amount, currency, status,
                         balance_after_posted, balance_after_available, posted_at, position, entry_index,
                         debits_posted, credits_posted, debits_pending, credits_pending, effective_at)
    select * from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::numeric[], $7::text[], $8::text[],
                         $9::numeric[], $10::numeric[], $11::timestamptz[], $12::numeric[], $13::int[],
                         $14::numeric[], $15::numeric[], $16::numeric[], $17::numeric[], $18::timestamptz[])
    on conflict (id) do nothing`,
};
/** The columns of `insert`, in its order (a rebuild's COPY). */
const COLUMNS = [
  'id', 'tenant_id', 'transaction_id', 'account_id', 'direction', 'amount', 'currency', 'status',
  'balance_after_posted', 'balance_after_available', 'posted_at', 'position', 'entry_index',
  'debits_posted', 'credits_posted', 'debits_pending', 'credits_pending', 'effective_at',
];

/** The read model's tables at `version` (a change here is a new version: the model is rebuilt from the log). */
const TABLES = `
  create table entries (
    id uuid not null,
    tenant_id uuid not null,
    transaction_id uuid not null,
    account_id uuid not null,
    direction text not null,
    amount numeric not null,
    currency text not null,
    status text not null,
    balance_after_posted numeric not null,
    balance_after_available numeric not null,
    posted_at timestamptz not null,
    position numeric(39,0) not null,
    entry_index int not null,
    debits_posted numeric,
    credits_posted numeric,
    debits_pending numeric,
    credits_pending numeric,
    effective_at timestamptz not null
  );`;
/** Its key and secondary indexes (a rebuild builds them after filling the table: bulk-rebuild.ts). */
const INDEXES = `
  alter table entries add primary key (id);
  create index entries_account_order on entries (account_id, position, entry_index);
  -- Balances by effective time (effective_as_of): one range of the account's entries.
  create index entries_account_effective on entries (account_id, effective_at);`;

/**
 * Every entry with the balances it left its account at, as the log recorded them: posted and
 * available for the API, and the four counters for point-in-time balances (balance-history).
 */
export const entriesProjection: Projection = {
  name: 'entries',
  version: 2,
  tables: ['entries'],
  schema: TABLES + INDEXES,
  async apply(tx: PoolClient, events: RecordedEvent[]): Promise<void> {
    const rows = new ColumnBatch(COLUMNS.length);
    for (const row of entryRows(events)) rows.add(row);
    await rows.flush(tx, SQL.insert);
  },
  bulk: {
    indexes: INDEXES,
    async apply(tx: PoolClient, events: RecordedEvent[]): Promise<void> {
      await copyRows(tx, 'entries', COLUMNS, entryRows(events));
    },
  },
};

/** The rows a batch adds, one per entry of each posting, in COLUMNS order. */
function entryRows(events: RecordedEvent[]): unknown[][] {
  const rows: unknown[][] = [];
  for (const event of events) {
    if (event.type !== 'ledger.entry.posted') continue;
    const d = postingOf(event.data as StoredEntryPostedData);
    const tenantId = tenantOf(event);
    const position = event.position.toString();
    d.entries.forEach((entry, index) => {
      rows.push([
        entry.entry_id, tenantId, d.transaction_id, entry.account_id, entry.direction, entry.amount, entry.currency,
        'posted', entry.balance_after.posted, entry.balance_after.available, d.posted_at, position, index,
        entry.balance_after.debits_posted, entry.balance_after.credits_posted, entry.balance_after.debits_pending, entry.balance_after.credits_pending,
        d.effective_at ?? d.posted_at,
      ]);
    });
  }
  return rows;
}
