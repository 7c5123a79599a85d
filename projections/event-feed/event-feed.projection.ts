import { PoolClient } from 'pg';
import { dataForConsumers } from '#domain/index.js';
import { EventStore, ledgerStream, RecordedEvent } from '#event-store/index.js';
import { ColumnBatch, copyRows, Projection, isLedgerEvent, occurredAt, tenantOf } from '#projection-runtime/index.js';

const SQL = {
  insert: `
    insert into event_feed (position, tenant_id, stream_revision, hold_id)
    select * from unnest($1::numeric[], $2::uuid[], $3::bigint[], $4::text[])
    on conflict (position) do nothing`,
  page: `select stream_revision from event_feed where tenant_id = $1 and position > $2 order by position limit $3`,
};

/** The read model's tables at `version` (a change here is a new version: the model is rebuilt from the log). */
const TABLES = `
  create table event_feed (
    position numeric(39,0) not null,
    tenant_id uuid not null,
    stream_revision bigint not null,
    hold_id text
  );`;
/** Its key and secondary indexes (a rebuild builds them after filling the table: bulk-rebuild.ts). */
const INDEXES = `
  alter table event_feed add primary key (position);
  create index event_feed_tenant on event_feed (tenant_id, position);
  create index event_feed_hold on event_feed (tenant_id, hold_id, position) where hold_id is not null;`;

/**
 * Where a tenant's ledger events stand in the log, for GET /events: each event's position, its
 * revision in the tenant's ledger stream and the hold it concerns. The events themselves are
 * read from the log (by stream revision) rather than copied here: a copy of every event's data
 * was the costliest row a posting wrote into the read models.
 */
export const eventFeedProjection: Projection = {
  name: 'event_feed',
  version: 1,
  tables: ['event_feed'],
  schema: TABLES + INDEXES,
  async apply(tx: PoolClient, events: RecordedEvent[]): Promise<void> {
    const rows = new ColumnBatch(COLUMNS.length);
    for (const row of feedRows(events)) rows.add(row);
    await rows.flush(tx, SQL.insert);
  },
  bulk: {
    indexes: INDEXES,
    async apply(tx: PoolClient, events: RecordedEvent[]): Promise<void> {
      await copyRows(tx, 'event_feed', COLUMNS, feedRows(events));
    },
  },
};

/** The columns of `insert`, in its order (a rebuild's COPY). */
const COLUMNS = ['position', 'tenant_id', 'stream_revision', 'hold_id'];

/** The rows a batch adds: one per ledger event, in COLUMNS order. */
function feedRows(events: RecordedEvent[]): unknown[][] {
  const rows: unknown[][] = [];
  for (const e of events) {
    if (isLedgerEvent(e)) rows.push([e.position.toString(), tenantOf(e), e.revision.toString(), holdIdOf(e)]);
  }
  return rows;
}

/** The hold an event concerns (created, captured by a posting, released or expired), if any. */
function holdIdOf(event: RecordedEvent): string | null {
  const holdId = (event.data as { hold_id?: unknown } | null)?.hold_id;
  return typeof holdId === 'string' ? holdId : null;
}

export interface FeedEvent {
  id: string;
  type: string;
  position: string;
  occurred_at: string;
  data: unknown;
}

/** Up to `limit` of a tenant's ledger events after `after`, in log order, as GET /events lists them. */
export async function feedPage(db: { query: PoolClient['query'] }, store: EventStore, tenantId: string, after: bigint, limit: number): Promise<FeedEvent[]> {
  const { rows } = await db.query({ name: 'event_feed_page', text: SQL.page, values: [tenantId, after.toString(), limit] });
  if (rows.length === 0) return [];
  const revisions: bigint[] = rows.map((row: any) => BigInt(row.stream_revision));
  // A tenant's ledger stream is all feed, so a page is a run of consecutive revisions: one read.
  const events = await store.readStream(ledgerStream(tenantId), { fromRevision: revisions[0], maxCount: revisions.length });
  if (events.length !== revisions.length || events.some((e, i) => e.revision !== revisions[i])) {
    throw new Error(`event feed of tenant ${tenantId}: the log does not hold the ${revisions.length} events projected after position ${after} at their revisions`);
  }
  return events.map((e) => ({
    id: e.id,
    type: e.type,
    position: e.position.toString(),
    occurred_at: occurredAt(e),
    data: dataForConsumers(e.type, e.data),
  }));
}
