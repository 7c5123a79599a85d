import { MigrationInterface, QueryRunner } from 'typeorm';

/** The trigger that keeps the log append-only; named so a test (or a future migration) can say which one it disables. */
export const EVENTS_APPEND_ONLY_TRIGGER = 'events_append_only';
/** SQLSTATE of a refused UPDATE, DELETE or TRUNCATE of the log (ZL000-ZL002 are append_events'). */
export const EVENTS_APPEND_ONLY_ERRCODE = 'ZL003';

/**
 * The log is append-only in the database itself, not only by convention: UPDATE, DELETE and
 * TRUNCATE of `events` are refused by a trigger, whoever runs them. A trigger rather than
 * revoking privileges, because the service and its migrations may connect as one role
 * (DATABASE_URL), which owns the table and cannot be denied what it owns; a trigger holds for
 * the owner too, superusers included (short of `session_replication_role = replica`).
 *
 * What it stops is the application (a bug, a stray statement) rewriting its history; a role that
 * owns the table can still `alter table events disable trigger`, so the chain-head signer
 * re-verifies the chain before signing (libs/audit) and the evidence checks hash against content.
 *
 * A later migration that ever has to rewrite events must say so: in its own transaction,
 * `alter table events disable trigger events_append_only`, the rewrite, then
 * `alter table events enable trigger events_append_only` (the lock that ALTER takes keeps every
 * other session from writing meanwhile). Statement-level: it refuses the statement before any
 * row is touched, even one that matches no row.
 */
export class EventsAppendOnly1700000002300 implements MigrationInterface {
  name = 'EventsAppendOnly1700000002300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create function events_refuse_rewrite() returns trigger language plpgsql as $$
      begin
        raise exception using errcode = '${EVENTS_APPEND_ONLY_ERRCODE}',
          message = format('the event log is append-only: %s on %I is refused', tg_op, tg_table_name),
          hint = 'events are never changed or removed; correct with new events (e.g. a reversal)';
      end
      $$`);
    await q.query(`
      create trigger ${EVENTS_APPEND_ONLY_TRIGGER} before update or delete or truncate on events
        for each statement execute function events_refuse_rewrite()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop trigger ${EVENTS_APPEND_ONLY_TRIGGER} on events`);
    await q.query(`drop function events_refuse_rewrite()`);
  }
}
