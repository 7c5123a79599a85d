import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { buildStatementReport, isStatementFormatError, matchStatement, parseStatement, StatementReportLine } from '#reconciliation/index.js';
import { calendarDay } from '#reconciliation/calendar.js';
import { deleteStatementRows, writeStatementRows } from '#reconciliation/statement-lines.js';
import { findAccount } from '#projections/accounts/accounts.queries.js';
import { entriesForMatching } from '#projections/entries/entries.queries.js';
import { EventStore, reconStream } from '#event-store/index.js';
import { STATEMENT_IMPORTED } from '#reconciliation/statement-events.js';
import { actorOf } from '#tenancy/index.js';
import { ApiError } from '../http/api-error.js';
import { isUuid } from '../http/pagination.js';
import { LedgerRequest, TenantPrincipal } from '../http/request-context.js';
import { EVENT_STORE } from '../runtime/injection-tokens.js';
import { ProjectionWatermark } from '../runtime/projection-watermark.js';
import { Reads } from '../runtime/reads.js';
import { ImportStatementDto, MATCH_WINDOW_DAYS_DEFAULT, STATEMENT_CONTENT_BYTES_MAX } from './import-statement.dto.js';
import { STATEMENT_LINES_PAGE_DEFAULT, statementView } from './statement-view.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** The matching window never reaches outside the years 0001-9999 (PostgreSQL has no year 0, Date no year 10000 as ISO text). */
const FIRST_DAY = calendarDay('0001-01-01')!;
const LAST_DAY = calendarDay('9999-12-31')!;
/**
 * The ledger entries of the account inside the statement's dates (± the window) that one import
 * may load and match (~30 MB in memory). A statement spanning more is refused (split it by
 * period) rather than loading an unbounded part of a busy account.
 */
export const MATCHING_ENTRIES_MAX = 100_000;
/** Unreconciled entries listed by id (the first by posted_at, id); `summary.unreconciled` counts them all. */
export const UNRECONCILED_ENTRY_IDS_MAX = 1_000;

/**
 * Matches a bank/processor statement for one account against its ledger entries and records
 * the outcome: the per-line results as rows (statement-lines.ts), then one small event on
 * recon-<tenant> (projected into reconciliation_statements) with the content's SHA-256 and the
 * counts. Rows that do not parse are reported with their line numbers; the rest is matched.
 */
@Injectable()
export class StatementImporter {
  constructor(
    private readonly pool: Pool,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly watermark: ProjectionWatermark,
    private readonly reads: Reads,
  ) {}

  async import(caller: TenantPrincipal, request: LedgerRequest, dto: ImportStatementDto) {
    const contentBytes = Buffer.byteLength(dto.content, 'utf8');
    if (contentBytes > STATEMENT_CONTENT_BYTES_MAX) {
      throw new ApiError(413, 'payload_too_large', `a statement's content may be at most ${STATEMENT_CONTENT_BYTES_MAX} bytes (UTF-8); this one has ${contentBytes}`, {
        content_bytes_max: STATEMENT_CONTENT_BYTES_MAX,
      });
    }
    await this.reads.settle(caller, ['accounts', 'entries', 'transactions'], undefined);
    const found = isUuid(dto.account_id) ? await findAccount(this.pool, dto.account_id.toLowerCase()) : null;
    const account = await this.reads.ownedOrNotFound(caller, request, found, 'account', dto.account_id, 'import_statement');
    let parsed: ReturnType<typeof parseStatement>;
    try {
      parsed = parseStatement(dto.format, dto.content);
    } catch (error) {
      // The whole file is unreadable (no header, a required column missing, too many lines).
      if (isStatementFormatError(error)) throw ApiError.validation(error.message, { content: [error.message] });
      throw error;
    }
    const foreign = parsed.lines.filter((line) => line.currency !== account.currency);
    if (foreign.length > 0) {
      throw new ApiError(422, 'currency_mismatch', `the statement is in ${foreign[0].currency}; account ${account.id} is ${account.currency}`, {
        account_id: account.id,
        account_currency: account.currency,
        lines: foreign.slice(0, 20).map((l) => l.line),
      });
    }
    const windowDays = dto.window_days ?? MATCH_WINDOW_DAYS_DEFAULT;
    const entries = parsed.lines.length ? await this.entriesInWindow(account.id, parsed.lines, windowDays) : [];
    const matched = matchStatement(parsed.lines, entries, { windowDays });
    const report = buildStatementReport(parsed, matched);
    const statementId = randomUUID();
    const importedAt = new Date().toISOString();
    const unreconciled = matched.unreconciled_entry_ids.slice(0, UNRECONCILED_ENTRY_IDS_MAX);
    // The event is small whatever the statement's size: what was imported (by hash) and the counts.
    const recorded = {
      statement_id: statementId,
      id: statementId,
      account_id: account.id,
      format: dto.format,
      window_days: windowDays,
      content_sha256: createHash('sha256').update(dto.content, 'utf8').digest('hex'),
      content_bytes: contentBytes,
      lines_total: report.lines.length,
      summary: report.summary,
      imported_at: importedAt,
      imported_by: actorOf(caller),
    };
    // Rows first, the event last: a statement exists once its event does, and then its rows are there.
    await writeStatementRows(this.pool, statementId, report.lines, unreconciled);
    let position: bigint;
    try {
      const appended = await this.store.append(
        reconStream(caller.tenant_id),
        [{ id: randomUUID(), type: STATEMENT_IMPORTED, data: recorded, metadata: { tenant_id: caller.tenant_id, actor: actorOf(caller), occurred_at: importedAt } }],
        'any',
      );
      position = appended.positions[0];
    } catch (error) {
      await deleteStatementRows(this.pool, statementId).catch(() => undefined);
      throw error;
    }
    this.watermark.wrote(caller.tenant_id, position);
    // The first page of lines, as GET answers it; the cursor leads to the rest.
    const firstPage = report.lines.slice(0, STATEMENT_LINES_PAGE_DEFAULT + 1).map((line: StatementReportLine, seq) => ({ seq, line }));
    return statementView(recorded, firstPage, unreconciled, STATEMENT_LINES_PAGE_DEFAULT);
  }

  /** The account's entries from the earliest line's day minus the window to the latest's plus it, clamped to years 0001-9999. */
  private async entriesInWindow(accountId: string, lines: { date: string }[], windowDays: number) {
    let first = LAST_DAY;
    let last = FIRST_DAY;
    for (const line of lines) {
      const day = calendarDay(line.date)!; // the parser accepted only real dates of years 0001-9999
      if (day < first) first = day;
      if (day > last) last = day;
    }
    const from = new Date(Math.max(FIRST_DAY, first - windowDays) * DAY_MS).toISOString();
    // Exclusive end: the day after the last one, or the last millisecond of 9999 (no year 10000).
    const to = new Date(Math.min((last + windowDays + 1) * DAY_MS, (LAST_DAY + 1) * DAY_MS - 1)).toISOString();
    const entries = await entriesForMatching(this.pool, accountId, from, to, MATCHING_ENTRIES_MAX + 1);
    if (entries.length > MATCHING_ENTRIES_MAX) {
      const message = `the statement's dates (${from.slice(0, 10)} to ${to.slice(0, 10)} with the window) cover more than ${MATCHING_ENTRIES_MAX} ledger entries of the account; split it into shorter periods`;
      throw ApiError.validation(message, { content: [message] });
    }
    return entries;
  }
}
