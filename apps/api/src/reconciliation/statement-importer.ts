import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { buildStatementReport, isStatementFormatError, matchStatement, parseStatement } from '../../../../libs/reconciliation/src/index.js';
import { findAccount } from '../../../../projections/accounts/accounts.queries.js';
import { entriesForMatching } from '../../../../projections/entries/entries.queries.js';
import { reconStream } from '../../../../libs/event-store/src/index.js';
import { STATEMENT_IMPORTED } from '../../../../projections/reconciliation/reconciliation.projection.js';
import { actorOf } from '../../../../libs/tenancy/src/index.js';
import { ApiError } from '../http/api-error.js';
import { isUuid } from '../http/pagination.js';
import { LedgerRequest, TenantPrincipal } from '../http/request-context.js';
import { LedgerRuntime } from '../runtime/ledger-runtime.js';
import { Reads } from '../runtime/reads.js';
import { ImportStatementDto, MATCH_WINDOW_DAYS_DEFAULT } from './import-statement.dto.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Matches a bank/processor statement for one account against its ledger entries and records
 * the outcome (recon-<tenant>, projected into reconciliation_statements). Rows that do not
 * parse are reported with their line numbers; the rest is matched.
 */
@Injectable()
export class StatementImporter {
  constructor(
    private readonly runtime: LedgerRuntime,
    private readonly reads: Reads,
  ) {}

  async import(caller: TenantPrincipal, request: LedgerRequest, dto: ImportStatementDto) {
    await this.reads.settle(caller, ['accounts', 'entries', 'transactions'], undefined);
    const found = isUuid(dto.account_id) ? await findAccount(this.runtime.pool, dto.account_id.toLowerCase()) : null;
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
    const days = parsed.lines.map((l) => Date.parse(`${l.date}T00:00:00Z`));
    const entries = days.length
      ? await entriesForMatching(
          this.runtime.pool,
          account.id,
          new Date(Math.min(...days) - windowDays * DAY_MS).toISOString(),
          new Date(Math.max(...days) + (windowDays + 1) * DAY_MS).toISOString(),
        )
      : [];
    const matched = matchStatement(parsed.lines, entries, { windowDays });
    const statementId = randomUUID();
    const report = buildStatementReport(parsed, matched);
    const result = {
      statement_id: statementId,
      id: statementId,
      account_id: account.id,
      format: dto.format,
      window_days: windowDays,
      lines: report.lines,
      unreconciled_entry_ids: matched.unreconciled_entry_ids,
      summary: report.summary,
      imported_at: new Date().toISOString(),
      imported_by: actorOf(caller),
    };
    const appended = await this.runtime.store.append(
      reconStream(caller.tenant_id),
      [{ id: randomUUID(), type: STATEMENT_IMPORTED, data: result, metadata: { tenant_id: caller.tenant_id, actor: actorOf(caller), occurred_at: result.imported_at } }],
      'any',
    );
    this.runtime.watermark.wrote(caller.tenant_id, appended.positions[0]);
    return result;
  }
}
