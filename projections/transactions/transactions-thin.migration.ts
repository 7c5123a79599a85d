import { MigrationInterface, QueryRunner } from 'typeorm';
import { refillFromLogWhen } from '../../libs/projection-runtime/src/refill.migration.js';

/**
 * A transaction is read from its posting event in the log (at the position the row holds)
 * instead of from copies in the row: the entries and metadata (two JSON documents, most of what
 * the transactions projection wrote per posting) and the hold, reversed transaction, description
 * and posting time nothing read from the row. The row keeps what changes after the posting
 * (status, reversal), the reference (statement matching joins on it) and the position. Dropping
 * columns needs nothing from the log; going back fills them in from it (PostgreSQL log), or
 * empties the read model and sets its checkpoint back to the start for the projector to rebuild
 * it (EventStoreDB).
 */
export class TransactionsThin1700000002100 implements MigrationInterface {
  name = 'TransactionsThin1700000002100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      alter table transactions drop column metadata, drop column entries, drop column hold_id,
                               drop column reverses, drop column description, drop column posted_at`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      alter table transactions add column metadata jsonb, add column entries jsonb, add column hold_id uuid,
                               add column reverses uuid, add column description text, add column posted_at timestamptz`);
    // The entries as the API renders them (renderEntries), from the posting event.
    await q.query(`
      update transactions t
         set metadata = e.data->'metadata', hold_id = (e.data->>'hold_id')::uuid, reverses = (e.data->>'reverses')::uuid,
             description = e.data->>'description', posted_at = (e.data->>'posted_at')::timestamptz,
             entries = (
               select jsonb_agg(jsonb_build_object(
                        'id', x->'entry_id', 'transaction_id', e.data->'transaction_id', 'account_id', x->'account_id',
                        'direction', x->'direction', 'amount', x->'amount', 'currency', x->'currency', 'status', 'posted',
                        'balance_after', jsonb_build_object('posted', x->'balance_after'->'posted', 'available', x->'balance_after'->'available'),
                        'posted_at', e.data->'posted_at', 'position', to_jsonb(e.global_position::text)) order by u.i)
                 from jsonb_array_elements(e.data->'entries') with ordinality as u(x, i))
        from events e
       where e.global_position = t.position`);
    await q.query(refillFromLogWhen(`exists (select 1 from transactions where entries is null)`, 'transactions', 'transactions'));
    await q.query(`
      alter table transactions alter column metadata set not null, alter column entries set not null,
                               alter column posted_at set not null`);
  }
}
