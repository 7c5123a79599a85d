import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { findTransactionRow, listTransactionRows, transactionView } from '#projections/transactions/transactions.queries.js';
import { canonicalRfc3339, parseRfc3339 } from '#domain/index.js';
import { ApiError } from '../http/api-error.js';
import { isUuid, parseMetadataFilter, parseUuid } from '../http/pagination.js';
import { LedgerRequest, TenantPrincipal } from '../http/request-context.js';
import { Reads } from '../runtime/reads.js';

export class GetTransactionQuery {
  constructor(readonly caller: TenantPrincipal, readonly request: LedgerRequest, readonly id: string, readonly minPosition: unknown) {}
}

@QueryHandler(GetTransactionQuery)
export class GetTransactionHandler implements IQueryHandler<GetTransactionQuery> {
  constructor(private readonly reads: Reads) {}

  async execute({ caller, request, id, minPosition }: GetTransactionQuery) {
    await this.reads.settle(caller, ['transactions'], minPosition);
    const found = isUuid(id) ? await findTransactionRow(this.reads.pool, id) : null;
    const row = await this.reads.ownedOrNotFound(caller, request, found, 'transaction', id, 'get_transaction');
    return transactionView(this.reads.store, row);
  }
}

export class ListTransactionsQuery {
  constructor(readonly caller: TenantPrincipal, readonly query: Record<string, unknown>) {}
}

const REFERENCE_FILTER_LENGTH_MAX = 255;

function timeFilter(raw: unknown, field: string): string | null {
  if (raw === undefined) return null;
  if (typeof raw !== 'string' || parseRfc3339(raw) === null) {
    throw ApiError.validation(`${field} must be an RFC 3339 time with an offset`, { [field]: ['must be an RFC 3339 time with an offset, years 0001-9999'] });
  }
  return canonicalRfc3339(raw);
}

/** GET /transactions: filtered, newest first, cursor-paged; each shown as GET /transactions/:id shows it. */
@QueryHandler(ListTransactionsQuery)
export class ListTransactionsHandler implements IQueryHandler<ListTransactionsQuery> {
  constructor(private readonly reads: Reads) {}

  async execute({ caller, query }: ListTransactionsQuery) {
    const reference = query.reference;
    if (reference !== undefined && (typeof reference !== 'string' || reference.length === 0 || reference.length > REFERENCE_FILTER_LENGTH_MAX)) {
      throw ApiError.validation(`reference must be 1-${REFERENCE_FILTER_LENGTH_MAX} characters`, { reference: [`must be 1-${REFERENCE_FILTER_LENGTH_MAX} characters`] });
    }
    const filter = {
      account_id: parseUuid(query.account_id, 'account_id'),
      reference: (reference as string | undefined) ?? null,
      metadata: parseMetadataFilter(query),
      posted_after: timeFilter(query.posted_after, 'posted_after'),
      posted_before: timeFilter(query.posted_before, 'posted_before'),
    };
    const fetch = async (before: bigint | null, rows: number) =>
      Promise.all((await listTransactionRows(this.reads.pool, caller.tenant_id, filter, before, rows)).map((row) => transactionView(this.reads.store, row)));
    return this.reads.page(caller, query, ['transactions'], fetch, (t) => [t.position], (t) => t);
  }
}
