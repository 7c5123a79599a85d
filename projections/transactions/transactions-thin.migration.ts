import { MigrationInterface, QueryRunner } from 'typeorm';
import { refillFromLogWhen } from '../../libs/projection-runtime/src/refill.migration.js';

/**
 * A transaction's entries and metadata are read from its posting event in the log (at the
 * position the row holds) instead of from a copy in the row: those two JSON documents were most
 * of what the transactions projection wrote per posting. Dropping them needs nothing from the
 * log; going back fills them in from it (PostgreSQL log), or empties the read model and sets its
 * checkpoint back to the start for the projector to rebuild it (EventStoreDB).
 */
export class TransactionsThin1700000002100 implements MigrationInterface {
  name = 'TransactionsThin1700000002100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table transactions drop column metadata, drop column entries`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`alter table transactions add column metadata jsonb, add column entries jsonb`);
    // The entries as the API renders them (renderEntries), from the posting event.
    await q.query(`
      update transactions t
         set metadata = e.data->'metadata',
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
    await q.query(`alter table transactions alter column metadata set not null, alter column entries set not null`);
  }
}
