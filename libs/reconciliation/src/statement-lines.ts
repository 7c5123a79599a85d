// The rows of a statement's outcome (tables of statement-lines.migration.ts): its lines, paged,
// and the first entries it left unreconciled. Written at import, before the statement's event.
import { Pool, PoolClient } from 'pg';
import { inTransaction } from '#database/database.js';
import type { StatementReportLine } from './statement-matcher.js';

/** Lines inserted per statement (each an array parameter of this many values): bounds one statement's size. */
export const STATEMENT_LINES_INSERT_CHUNK = 5_000;

type Queryable = Pick<Pool, 'query'> | Pick<PoolClient, 'query'>;

const SQL = {
  insertLines: `insert into reconciliation_statement_lines (statement_id, seq, line, external_id, status, rule, entry_ids, error)
                select $1::uuid, s.* from unnest($2::int[], $3::int[], $4::text[], $5::text[], $6::text[], $7::jsonb[], $8::text[])
                  as s(seq, line, external_id, status, rule, entry_ids, error)`,
  insertUnreconciled: `insert into reconciliation_statement_unreconciled (statement_id, entry_ids) values ($1, $2)`,
  linesPage: `select seq, line, external_id, status, rule, entry_ids, error from reconciliation_statement_lines
               where statement_id = $1 and seq > $2 order by seq limit $3`,
  unreconciled: `select entry_ids from reconciliation_statement_unreconciled where statement_id = $1`,
  deleteLines: `delete from reconciliation_statement_lines where statement_id = $1`,
  deleteUnreconciled: `delete from reconciliation_statement_unreconciled where statement_id = $1`,
};

/** A stored line and its place in the statement (the cursor of GET /reconciliation/statements/:id). */
export interface StoredLine {
  seq: number;
  line: StatementReportLine;
}

/** Writes a statement's lines (in report order, seq 0..n-1) and its listed unreconciled entries in one transaction. */
export async function writeStatementRows(pool: Pool, statementId: string, lines: StatementReportLine[], unreconciledEntryIds: string[]): Promise<void> {
  await inTransaction(pool, async (tx) => {
    for (let from = 0; from < lines.length; from += STATEMENT_LINES_INSERT_CHUNK) {
      const chunk = lines.slice(from, from + STATEMENT_LINES_INSERT_CHUNK);
      await tx.query(SQL.insertLines, [
        statementId,
        chunk.map((_, i) => from + i),
        chunk.map((l) => l.line),
        chunk.map((l) => l.external_id),
        chunk.map((l) => l.status),
        chunk.map((l) => l.rule),
        chunk.map((l) => JSON.stringify(l.entry_ids)),
        chunk.map((l) => l.error ?? null),
      ]);
    }
    await tx.query(SQL.insertUnreconciled, [statementId, JSON.stringify(unreconciledEntryIds)]);
  });
}

/** Removes the rows of a statement whose event could not be appended (they would belong to no statement). */
export async function deleteStatementRows(db: Queryable, statementId: string): Promise<void> {
  await db.query(SQL.deleteLines, [statementId]);
  await db.query(SQL.deleteUnreconciled, [statementId]);
}

/** Up to `limit` lines after `afterSeq` (-1: from the first). */
export async function statementLinesPage(db: Queryable, statementId: string, afterSeq: number, limit: number): Promise<StoredLine[]> {
  const { rows } = await db.query(SQL.linesPage, [statementId, afterSeq, limit]);
  return rows.map((r: any) => ({
    seq: r.seq,
    line: {
      line: r.line,
      external_id: r.external_id,
      status: r.status,
      entry_ids: r.entry_ids,
      rule: r.rule,
      ...(r.error === null ? {} : { error: r.error }),
    },
  }));
}

export async function unreconciledEntryIds(db: Queryable, statementId: string): Promise<string[]> {
  const { rows } = await db.query(SQL.unreconciled, [statementId]);
  return rows.length ? rows[0].entry_ids : [];
}
