import { PoolClient } from 'pg';
import { EntryPostedData, EntryReversedData } from '../../libs/domain/src/index.js';
import { RecordedEvent } from '../../libs/event-store/src/index.js';
import { Projection, tenantOf } from '../../libs/projection-runtime/src/index.js';
import { renderEntries } from './transactions.queries.js';

const SQL = {
  insert: `
    insert into transactions (id, tenant_id, status, hold_id, reverses, description, reference, metadata, entries, posted_at, position)
    select * from unnest($1::uuid[], $2::uuid[], $3::text[], $4::uuid[], $5::uuid[], $6::text[], $7::text[], $8::jsonb[], $9::jsonb[],
                         $10::timestamptz[], $11::bigint[])
    on conflict (id) do nothing`,
  reversed: `update transactions set status = 'reversed', reversed_by = $2 where id = $1`,
};

export const transactionsProjection: Projection = {
  name: 'transactions',
  tables: ['transactions'],
  async apply(tx: PoolClient, events: RecordedEvent[]): Promise<void> {
    let columns: unknown[][] = Array.from({ length: 11 }, () => []);
    const flush = async () => {
      if (columns[0].length > 0) await tx.query(SQL.insert, columns);
      columns = Array.from({ length: 11 }, () => []);
    };
    for (const event of events) {
      if (event.type === 'ledger.entry.reversed') {
        await flush();
        const d = event.data as EntryReversedData;
        await tx.query(SQL.reversed, [d.transaction_id, d.reversed_by]);
        continue;
      }
      if (event.type !== 'ledger.entry.posted') continue;
      const d = event.data as EntryPostedData;
      const row = [
        d.transaction_id, tenantOf(event), 'posted', d.hold_id ?? null, d.reverses ?? null, d.description, d.reference, JSON.stringify(d.metadata),
        JSON.stringify(renderEntries(d, event.position)), d.posted_at, event.position.toString(),
      ];
      row.forEach((value, column) => columns[column].push(value));
    }
    await flush();
  },
};
