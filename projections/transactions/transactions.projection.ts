import { PoolClient } from 'pg';
import { EntryPostedData } from '../../libs/domain/src/index.js';
import { RecordedEvent } from '../../libs/event-store/src/index.js';
import { Projection, tenantOf } from '../../libs/projection-runtime/src/index.js';
import { renderEntries } from './transactions.queries.js';

const SQL = {
  insert: `
    insert into transactions (id, tenant_id, status, hold_id, description, reference, metadata, entries, posted_at, position)
    select * from unnest($1::uuid[], $2::uuid[], $3::text[], $4::uuid[], $5::text[], $6::text[], $7::jsonb[], $8::jsonb[],
                         $9::timestamptz[], $10::bigint[])
    on conflict (id) do nothing`,
};

export const transactionsProjection: Projection = {
  name: 'transactions',
  tables: ['transactions'],
  async apply(tx: PoolClient, events: RecordedEvent[]): Promise<void> {
    const columns: unknown[][] = Array.from({ length: 10 }, () => []);
    for (const event of events) {
      if (event.type !== 'ledger.entry.posted') continue;
      const d = event.data as EntryPostedData;
      const row = [
        d.transaction_id, tenantOf(event), 'posted', d.hold_id ?? null, d.description, d.reference, JSON.stringify(d.metadata),
        JSON.stringify(renderEntries(d, event.position)), d.posted_at, event.position.toString(),
      ];
      row.forEach((value, column) => columns[column].push(value));
    }
    if (columns[0].length > 0) await tx.query(SQL.insert, columns);
  },
};
