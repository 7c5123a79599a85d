import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A statement's per-line outcome, and the ledger entries it left unreconciled, as rows written
 * at import before its event is appended (the event carries only the content's SHA-256 and the
 * counts). Not a read model: the lines come from the statement's content, which the log does not
 * hold, so they cannot be rebuilt from it; a rebuild of the reconciliation projection leaves them
 * alone. Rows of a statement whose event was never appended belong to no statement and are never read.
 */
export class StatementLines1700000002350 implements MigrationInterface {
  name = 'StatementLines1700000002350';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table reconciliation_statement_lines (
        statement_id uuid not null,
        seq int not null,
        line int not null,
        external_id text,
        status text not null,
        rule text,
        entry_ids jsonb not null,
        error text,
        primary key (statement_id, seq)
      )`);
    await q.query(`
      create table reconciliation_statement_unreconciled (
        statement_id uuid primary key,
        entry_ids jsonb not null
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table reconciliation_statement_unreconciled`);
    await q.query(`drop table reconciliation_statement_lines`);
  }
}
