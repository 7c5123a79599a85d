import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { findTransactionRow, transactionView } from '#projections/transactions/transactions.queries.js';
import { isUuid } from '../http/pagination.js';
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
