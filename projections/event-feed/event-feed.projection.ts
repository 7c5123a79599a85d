import { PoolClient } from 'pg';
import { RecordedEvent } from '../../libs/event-store/src/index.js';
import { ColumnBatch, Projection, isLedgerEvent, tenantOf } from '../../libs/projection-runtime/src/index.js';

const SQL = {
  insert: `
    insert into event_feed (position, tenant_id, id, type, occurred_at, data)
    select * from unnest($1::numeric[], $2::uuid[], $3::uuid[], $4::text[], $5::timestamptz[], jsonb_column($6))
    on conflict (position) do nothing`,
  page: `select position, id, type, occurred_at, data from event_feed
          where tenant_id = $1 and position > $2 order by position limit $3`,
};

/** A tenant's ledger events in log order, for GET /events. */
export const eventFeedProjection: Projection = {
  name: 'event_feed',
  tables: ['event_feed'],
  async apply(tx: PoolClient, events: RecordedEvent[]): Promise<void> {
    const rows = new ColumnBatch(6, [5]);
    for (const e of events) {
      if (isLedgerEvent(e)) rows.add([e.position.toString(), tenantOf(e), e.id, e.type, e.metadata.occurred_at ?? e.created_at, e.data]);
    }
    await rows.flush(tx, SQL.insert);
  },
};

export interface FeedEvent {
  id: string;
  type: string;
  position: string;
  occurred_at: string;
  data: unknown;
}

export async function feedPage(tx: { query: PoolClient['query'] }, tenantId: string, after: bigint, limit: number): Promise<FeedEvent[]> {
  const { rows } = await tx.query({ name: 'event_feed_page', text: SQL.page, values: [tenantId, after.toString(), limit] });
  return rows.map((row: any) => ({
    id: row.id,
    type: row.type,
    position: String(row.position),
    occurred_at: new Date(row.occurred_at).toISOString(),
    data: row.data,
  }));
}
