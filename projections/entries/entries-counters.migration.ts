import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each entry carries its account's four counters after it (as the event records them), so a
 * posting no longer also writes a balance_history row per account: two row writes less per
 * posting. balance_history keeps the events that change counters without entries (opening,
 * holds, releases, status changes); point-in-time balances read the later of the two.
 *
 * Existing rows: where the log is in this database (the PostgreSQL log), each entry takes its
 * counters from its event and every posting's balance_history rows go, exactly as a rebuild
 * leaves both. Without it (EventStoreDB), an account's last entry in each posting takes the
 * counters balance_history recorded after that posting, which is what point-in-time balances
 * read, before those rows go; earlier entries of the same account in one posting stay without
 * counters until `entries` is rebuilt. The update rewrites the entries table once, at start-up.
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
         and ev.data->'entries'->e.entry_index->>'entry_id' = e.id::text`);
    await q.query(`
      update entries e
         set debits_posted = h.debits_posted, credits_posted = h.credits_posted,
             debits_pending = h.debits_pending, credits_pending = h.credits_pending
        from balance_history h
       where e.debits_posted is null and h.account_id = e.account_id and h.position = e.position
         and e.entry_index = (select max(l.entry_index) from entries l where l.account_id = e.account_id and l.position = e.position)`);
    await q.query(`
      delete from balance_history h
       using entries e
       where e.account_id = h.account_id and e.position = h.position and e.debits_posted is not null`);
    // Postings the entries projection has not reached yet (its checkpoint behind balance_history's).
    await q.query(`
      delete from balance_history h
       using events ev
       where ev.global_position = h.position and ev.type = 'ledger.entry.posted'`);
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
