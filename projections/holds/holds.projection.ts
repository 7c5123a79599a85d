import { PoolClient } from 'pg';
import { BalanceReleasedData, HoldCreatedData, postingOf, StoredEntryPostedData } from '#domain/index.js';
import { RecordedEvent } from '#event-store/index.js';
import { BatchedStatement, Projection, StatementSequence, tenantOf } from '#projection-runtime/index.js';

const INSERT: BatchedStatement = {
  sql: `
    insert into holds (id, tenant_id, account_id, destination_account_id, amount, currency, status, expires_at, reference,
                       description, metadata, request_id, created_at, created_position, position)
    select v.id, v.tenant_id, v.account_id, v.destination_account_id, v.amount, v.currency, 'pending', v.expires_at, v.reference,
           v.description, v.metadata, v.request_id, v.created_at, v.position, v.position
      from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::numeric[], $6::text[], $7::timestamptz[], $8::text[],
                  $9::text[], jsonb_column($10), $11::text[], $12::timestamptz[], $13::numeric[])
           as v(id, tenant_id, account_id, destination_account_id, amount, currency, expires_at, reference,
                description, metadata, request_id, created_at, position)
    on conflict (id) do nothing`,
  width: 13,
  jsonColumns: [9],
};

const CAPTURED: BatchedStatement = {
  sql: `
    update holds h
       set status = 'captured', captured_amount = v.amount, capture_transaction_id = v.transaction_id,
           capture_entry_ids = array(select e.id::uuid from jsonb_array_elements_text(v.entry_ids) with ordinality as e(id, i) order by e.i),
           position = v.position
      from unnest($1::uuid[], $2::numeric[], $3::uuid[], jsonb_column($4), $5::numeric[]) as v(id, amount, transaction_id, entry_ids, position)
     where h.id = v.id`,
  width: 5,
  jsonColumns: [3],
};

const RELEASED: BatchedStatement = {
  sql: `
    update holds h
       set status = case when v.reason = 'captured_remainder' then h.status else v.reason end,
           released_amount = h.released_amount + v.amount, release_reason = v.reason, release_note = v.note,
           released_at = v.released_at, position = v.position
      from unnest($1::uuid[], $2::text[], $3::numeric[], $4::text[], $5::timestamptz[], $6::numeric[])
           as v(id, reason, amount, note, released_at, position)
     where h.id = v.id`,
  width: 6,
};

/** The read model's tables at `version` (a change here is a new version: the model is rebuilt from the log). */
const SCHEMA = `
  create table holds (
    id uuid primary key,
    tenant_id uuid not null,
    account_id uuid not null,
    destination_account_id uuid not null,
    amount numeric not null,
    currency text not null,
    status text not null,
    expires_at timestamptz,
    reference text,
    description text,
    metadata jsonb not null,
    request_id text,
    created_at timestamptz not null,
    captured_amount numeric not null default 0,
    released_amount numeric not null default 0,
    capture_transaction_id uuid,
    capture_entry_ids uuid[],
    release_reason text,
    release_note text,
    released_at timestamptz,
    created_position numeric(39,0) not null,
    position numeric(39,0) not null
  );
  create index holds_tenant_created on holds (tenant_id, created_position);
  create index holds_tenant_account on holds (tenant_id, account_id, created_position);
  create index holds_pending_expiry on holds (expires_at) where status = 'pending';`;

/** Holds with their outcome and evidence (reference, source request, capture entries, release reason). */
export const holdsProjection: Projection = {
  name: 'holds',
  version: 1,
  tables: ['holds'],
  schema: SCHEMA,
  async apply(tx: PoolClient, events: RecordedEvent[]): Promise<void> {
    const statements = new StatementSequence();
    for (const event of events) {
      const position = event.position.toString();
      if (event.type === 'balance.hold.created') {
        const d = event.data as HoldCreatedData;
        await statements.add(tx, INSERT, d.hold_id, [
          d.hold_id, tenantOf(event), d.account_id, d.destination_account_id, d.amount, d.currency, d.expires_at, d.reference,
          d.description, d.metadata, event.metadata.request_id ?? null, d.created_at, position,
        ]);
      } else if (event.type === 'ledger.entry.posted' && (event.data as StoredEntryPostedData).hold_id) {
        const d = postingOf(event.data as StoredEntryPostedData);
        await statements.add(tx, CAPTURED, d.hold_id!, [d.hold_id, d.entries[0].amount, d.transaction_id, d.entries.map((e) => e.entry_id), position]);
      } else if (event.type === 'balance.released') {
        const d = event.data as BalanceReleasedData;
        await statements.add(tx, RELEASED, d.hold_id, [d.hold_id, d.reason, d.amount, d.note, d.released_at, position]);
      }
    }
    await statements.flush(tx);
  },
};
