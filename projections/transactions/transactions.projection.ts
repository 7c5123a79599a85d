import { PoolClient } from 'pg';
import { EntryReversedData, StoredEntryPostedData } from '#domain/index.js';
import { RecordedEvent } from '#event-store/index.js';
import { ColumnBatch, copyRows, Projection, tenantOf } from '#projection-runtime/index.js';

const SQL = {
  insert: `
    insert into transactions (id, tenant_id, status, reference, position, posted_at, metadata, account_ids)
    select v.id, v.tenant_id, v.status, v.reference, v.position, v.posted_at, v.metadata, v.account_ids::uuid[]
      from unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::numeric[], $6::timestamptz[], jsonb_column($7), $8::text[])
           as v(id, tenant_id, status, reference, position, posted_at, metadata, account_ids)
    on conflict (id) do nothing`,
  reversed: `update transactions set status = 'reversed', reversed_by = $2 where id = $1`,
};

/**
 * The read model's tables at `version` (a change here is a new version: the model is rebuilt from the log).
 * GET /transactions filters, newest first, each by an index that starts with the tenant: by
 * position alone (no filter, or time), by reference, by metadata containment (GIN) and by
 * account (GIN over the posting's accounts); a filter never reads a whole tenant's rows.
 */
const TABLES = `
  create table transactions (
    id uuid primary key,
    tenant_id uuid not null,
    status text not null,
    reversed_by uuid,
    reference text,
    posted_at timestamptz not null,
    metadata jsonb not null,
    account_ids uuid[] not null,
    position numeric(39,0) not null
  );`;
/** Its secondary indexes (a rebuild builds them after filling the table: bulk-rebuild.ts). */
const INDEXES = `
  create index transactions_tenant_position on transactions (tenant_id, position);
  create index transactions_tenant_reference on transactions (tenant_id, reference, position) where reference is not null;
  create index transactions_metadata on transactions using gin (metadata jsonb_path_ops);
  create index transactions_accounts on transactions using gin (account_ids);`;

/**
 * Each transaction's status, reversal, reference (for statement matching) and where its posting
 * is in the log; the rest is read from the posting event (transactionView).
 */
export const transactionsProjection: Projection = {
  name: 'transactions',
  version: 2,
  tables: ['transactions'],
  schema: TABLES + INDEXES,
  async apply(tx: PoolClient, events: RecordedEvent[]): Promise<void> {
    const rows = new ColumnBatch(COLUMNS.length, [6]);
    for (const event of events) {
      if (event.type === 'ledger.entry.reversed') {
        await rows.flush(tx, SQL.insert); // the original must exist before it is marked reversed
        const d = event.data as EntryReversedData;
        await tx.query(SQL.reversed, [d.transaction_id, d.reversed_by]);
        continue;
      }
      const row = transactionRow(event);
      if (row) rows.add(row);
    }
    await rows.flush(tx, SQL.insert);
  },
  bulk: {
    indexes: INDEXES,
    /**
     * Every posting of the batch by one COPY, then its reversals in log order: a reversal names a
     * transaction posted before it (in this batch or an earlier one), so each finds its row as the
     * live apply does, and it changes only that row.
     */
    async apply(tx: PoolClient, events: RecordedEvent[]): Promise<void> {
      const rows: unknown[][] = [];
      for (const event of events) {
        const row = transactionRow(event);
        if (row) rows.push(row);
      }
      await copyRows(tx, 'transactions', COLUMNS, rows);
      for (const event of events) {
        if (event.type !== 'ledger.entry.reversed') continue;
        const d = event.data as EntryReversedData;
        await tx.query(SQL.reversed, [d.transaction_id, d.reversed_by]);
      }
    },
  },
};

/** The columns of `insert`, in its order (a rebuild's COPY). */
const COLUMNS = ['id', 'tenant_id', 'status', 'reference', 'position', 'posted_at', 'metadata', 'account_ids'];

/** The row a posting adds, in COLUMNS order (metadata as an object; account ids as an array literal); null for any other event. */
function transactionRow(event: RecordedEvent): unknown[] | null {
  if (event.type !== 'ledger.entry.posted') return null;
  // Read as stored (no entry ids needed here): a lean posting leaves out a null reference and empty metadata.
  const d = event.data as StoredEntryPostedData;
  const accounts = [...new Set(d.entries.map((e) => e.account_id))];
  return [d.transaction_id, tenantOf(event), 'posted', d.reference ?? null, event.position.toString(), d.posted_at, d.metadata ?? {}, `{${accounts.join(',')}}`];
}
