import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each entry carries its account's four counters after it (as the event records them), so a
 * posting no longer also writes a balance_history row per account: two row writes less per
 * posting. balance_history keeps the events that change counters without entries (opening,
 * holds, releases, status changes); point-in-time balances read the later of the two.
 *
 * Existing rows are carried over from the log where it is in this database (the PostgreSQL
 * log): counters from the event, and the posting rows of balance_history removed, exactly as a
 * rebuild would leave both. With EventStoreDB the old rows stay as they are (answers are the
 * same); rebuild `entries` and `balance_history` to make them identical to a rebuild.
 */
export class EntriesCounters1700000001900 implements MigrationInterface {
  name = 'EntriesCounters1700000001900';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      alter table entries add column debits_posted numeric, add column credits_posted numeric,
                          add column debits_pending numeric, add column credits_pending numeric`);
    const counter = (name: string) => `(ev.data->'entries'->e.entry_index->'balance_after'->>'${name}')::numeric`;
    await q.query(`
      update entries e
         set debits_posted = ${counter('debits_posted')}, credits_posted = ${counter('credits_posted')},
             debits_pending = ${counter('debits_pending')}, credits_pending = ${counter('credits_pending')}
        from events ev
       where ev.global_position = e.position and ev.type = 'ledger.entry.posted'
         and ev.data->'entries'->e.entry_index->'balance_after' is not null`);
    await q.query(`
      delete from balance_history h
       using entries e
       where e.account_id = h.account_id and e.position = h.position and e.debits_posted is not null`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      insert into balance_history (account_id, position, tenant_id, occurred_at, debits_posted, credits_posted, debits_pending, credits_pending)
      select distinct on (account_id, position) account_id, position, tenant_id, posted_at, debits_posted, credits_posted, debits_pending, credits_pending
        from entries where debits_posted is not null
       order by account_id, position, entry_index desc
      on conflict do nothing`);
    await q.query(`alter table entries drop column debits_posted, drop column credits_posted, drop column debits_pending, drop column credits_pending`);
  }
}
