import { PoolClient } from 'pg';
import { EntryPostedData, EntryReversedData } from '#domain/index.js';
import { RecordedEvent } from '#event-store/index.js';
import { ColumnBatch, Projection, tenantOf } from '#projection-runtime/index.js';

const SQL = {
  insert: `
    insert into transactions (id, tenant_id, status, reference, position)
    select * from unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::numeric[])
    on conflict (id) do nothing`,
  reversed: `update transactions set status = 'reversed', reversed_by = $2 where id = $1`,
};

/** The read model's tables at `version` (a change here is a new version: the model is rebuilt from the log). */
const SCHEMA = `
  create table transactions (
    id uuid primary key,
    tenant_id uuid not null,
    status text not null,
    reversed_by uuid,
    reference text,
    position numeric(39,0) not null
  );`;

/**
 * Each transaction's status, reversal, reference (for statement matching) and where its posting
 * is in the log; the rest is read from the posting event (transactionView).
 */
export const transactionsProjection: Projection = {
  name: 'transactions',
  version: 1,
  tables: ['transactions'],
  schema: SCHEMA,
  async apply(tx: PoolClient, events: RecordedEvent[]): Promise<void> {
    const rows = new ColumnBatch(5);
    for (const event of events) {
      if (event.type === 'ledger.entry.reversed') {
        await rows.flush(tx, SQL.insert); // the original must exist before it is marked reversed
        const d = event.data as EntryReversedData;
        await tx.query(SQL.reversed, [d.transaction_id, d.reversed_by]);
        continue;
      }
      if (event.type !== 'ledger.entry.posted') continue;
      const d = event.data as EntryPostedData;
      rows.add([d.transaction_id, tenantOf(event), 'posted', d.reference, event.position.toString()]);
    }
    await rows.flush(tx, SQL.insert);
  },
};
