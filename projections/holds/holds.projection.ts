import { PoolClient } from 'pg';
import { BalanceReleasedData, EntryPostedData, HoldCreatedData } from '../../libs/domain/src/index.js';
import { RecordedEvent } from '../../libs/event-store/src/index.js';
import { Projection, tenantOf } from '../../libs/projection-runtime/src/index.js';

const SQL = {
  insert: `
    insert into holds (id, tenant_id, account_id, destination_account_id, amount, currency, status, expires_at, reference,
                       description, metadata, request_id, created_at, created_position, position)
    values ($1, $2, $3, $4, $5, $6, 'pending', $7, $8, $9, $10, $11, $12, $13, $13)
    on conflict (id) do nothing`,
  captured: `
    update holds set status = 'captured', captured_amount = $2, capture_transaction_id = $3, capture_entry_ids = $4, position = $5
     where id = $1`,
  released: `
    update holds
       set status = case when $2 = 'captured_remainder' then status else $2 end,
           released_amount = released_amount + $3, release_reason = $2, release_note = $4, released_at = $5, position = $6
     where id = $1`,
};

/** Holds with their outcome and evidence (reference, source request, capture entries, release reason). */
export const holdsProjection: Projection = {
  name: 'holds',
  tables: ['holds'],
  async apply(tx: PoolClient, events: RecordedEvent[]): Promise<void> {
    for (const event of events) {
      const position = event.position.toString();
      if (event.type === 'balance.hold.created') {
        const d = event.data as HoldCreatedData;
        await tx.query(SQL.insert, [
          d.hold_id, tenantOf(event), d.account_id, d.destination_account_id, d.amount, d.currency, d.expires_at, d.reference,
          d.description, JSON.stringify(d.metadata), event.metadata.request_id ?? null, d.created_at, position,
        ]);
      } else if (event.type === 'ledger.entry.posted' && (event.data as EntryPostedData).hold_id) {
        const d = event.data as EntryPostedData;
        await tx.query(SQL.captured, [d.hold_id, d.entries[0].amount, d.transaction_id, d.entries.map((e) => e.entry_id), position]);
      } else if (event.type === 'balance.released') {
        const d = event.data as BalanceReleasedData;
        await tx.query(SQL.released, [d.hold_id, d.reason, d.amount, d.note, d.released_at, position]);
      }
    }
  },
};
