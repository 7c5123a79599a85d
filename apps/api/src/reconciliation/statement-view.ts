import { Pool } from 'pg';
import { StoredLine, statementLinesPage, unreconciledEntryIds } from '#reconciliation/statement-lines.js';
import { ApiError } from '../http/api-error.js';
import { decodeCursor, encodeCursor, PAGE_LIMIT_MAX, parseLimit } from '../http/pagination.js';

/**
 * Lines per answer of a statement when `limit` is not given: every line of a statement of up to
 * this many (as before lines were paged); a longer one answers `next_cursor` for the rest.
 */
export const STATEMENT_LINES_PAGE_DEFAULT = PAGE_LIMIT_MAX;
/** A line's place is a PostgreSQL int: a larger cursor was never returned by this API. */
const LINE_SEQ_MAX = 2 ** 31 - 1;

/** The statement as recorded (its event's data) with one page of its lines and the listed unreconciled entries. */
export function statementView(recorded: Record<string, any>, page: StoredLine[], unreconciled: string[], limit: number) {
  const shown = page.slice(0, limit);
  const { lines: _embedded, unreconciled_entry_ids: _listed, ...rest } = recorded;
  return {
    ...rest,
    lines: shown.map((stored) => stored.line),
    next_cursor: page.length > limit ? encodeCursor([shown[shown.length - 1].seq]) : null,
    unreconciled_entry_ids: unreconciled,
  };
}

/**
 * GET /reconciliation/statements/:id with `limit` (1 to 1000, default STATEMENT_LINES_PAGE_DEFAULT)
 * and `cursor` for its lines. A statement recorded before lines became rows carries them in its
 * event: they are paged from there the same way.
 */
export async function readStatementView(pool: Pool, recorded: Record<string, any>, query: Record<string, unknown>) {
  const limit = query.limit === undefined || query.limit === '' ? STATEMENT_LINES_PAGE_DEFAULT : parseLimit(query.limit);
  const cursor = decodeCursor(query.cursor, 1);
  const afterSeq = cursor ? Number(cursor[0]) : -1;
  if (afterSeq > LINE_SEQ_MAX) throw ApiError.validation('cursor is not valid', { cursor: ['not a cursor this API returned'] });
  if (Array.isArray(recorded.lines)) {
    const page = recorded.lines.slice(afterSeq + 1, afterSeq + 2 + limit).map((line: any, i: number) => ({ seq: afterSeq + 1 + i, line }));
    return statementView(recorded, page, recorded.unreconciled_entry_ids ?? [], limit);
  }
  const page = await statementLinesPage(pool, recorded.statement_id, afterSeq, limit + 1);
  return statementView(recorded, page, await unreconciledEntryIds(pool, recorded.statement_id), limit);
}
