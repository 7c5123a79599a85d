import { PoolClient } from 'pg';
import { EntryPostedData, EntryReversedData } from '../../libs/domain/src/index.js';
import { RecordedEvent } from '../../libs/event-store/src/index.js';
import { ColumnBatch, Projection, tenantOf } from '../../libs/projection-runtime/src/index.js';

const SQL = {
  insert: `
    insert into transactions (id, tenant_id, status, hold_id, reverses, description, reference, posted_at, position)
    select * from unnest($1::uuid[], $2::uuid[], $3::text[], $4::uuid[], $5::uuid[], $6::text[], $7::text[], $8::timestamptz[], $9::numeric[])
    on conflict (id) do nothing`,
  reversed: `update transactions set status = 'reversed', reversed_by = $2 where id = $1`,
};

/**
 * Each transaction's status, reversal, reference (for statement matching) and where its posting
 * is in the log; its entries and metadata are read from the posting event (findTransaction).
 */
export const transactionsProjection: Projection = {
  name: 'transactions',
  tables: ['transactions'],
  async apply(tx: PoolClient, events: RecordedEvent[]): Promise<void> {
    const rows = new ColumnBatch(9);
    for (const event of events) {
      if (event.type === 'ledger.entry.reversed') {
        await rows.flush(tx, SQL.insert); // the original must exist before it is marked reversed
        const d = event.data as EntryReversedData;
        await tx.query(SQL.reversed, [d.transaction_id, d.reversed_by]);
        continue;
      }
      if (event.type !== 'ledger.entry.posted') continue;
      const d = event.data as EntryPostedData;
      rows.add([
        d.transaction_id, tenantOf(event), 'posted', d.hold_id ?? null, d.reverses ?? null, d.description, d.reference, d.posted_at,
        event.position.toString(),
      ]);
    }
    await rows.flush(tx, SQL.insert);
  },
};
