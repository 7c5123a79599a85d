import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { isAccountPath } from '#domain/index.js';
import { findAccount, listAccounts } from '#projections/accounts/accounts.queries.js';
import { ApiError } from '../http/api-error.js';
import { isUuid, parseMetadataFilter } from '../http/pagination.js';
import { LedgerRequest, TenantPrincipal } from '../http/request-context.js';
import { Reads } from '../runtime/reads.js';

export class GetAccountQuery {
  constructor(readonly caller: TenantPrincipal, readonly request: LedgerRequest, readonly id: string, readonly minPosition: unknown) {}
}

export class ListAccountsQuery {
  constructor(readonly caller: TenantPrincipal, readonly query: Record<string, unknown>) {}
}

@QueryHandler(GetAccountQuery)
export class GetAccountHandler implements IQueryHandler<GetAccountQuery> {
  constructor(private readonly reads: Reads) {}

  async execute({ caller, request, id, minPosition }: GetAccountQuery) {
    await this.reads.settle(caller, ['accounts'], minPosition);
    const found = isUuid(id) ? await findAccount(this.reads.pool, id) : null;
    const view = await this.reads.ownedOrNotFound(caller, request, found, 'account', id, 'get_account');
    const { created_position: _, ...account } = view;
    return account;
  }
}

@QueryHandler(ListAccountsQuery)
export class ListAccountsHandler implements IQueryHandler<ListAccountsQuery> {
  constructor(private readonly reads: Reads) {}

  execute({ caller, query }: ListAccountsQuery) {
    const customer = query.customer;
    if (customer !== undefined && (typeof customer !== 'string' || customer.length > 255)) {
      throw ApiError.validation('customer must be a string', { customer: ['must be a string of at most 255 characters'] });
    }
    const pathPrefix = query.path_prefix;
    if (pathPrefix !== undefined && !isAccountPath(pathPrefix)) {
      throw ApiError.validation('path_prefix must be a path: segments of a-z, 0-9, _ and - joined by ":"', { path_prefix: ['must be an account path (or a prefix of one, whole segments)'] });
    }
    const metadata = parseMetadataFilter(query);
    const fetch = (after: bigint | null, rows: number) =>
      listAccounts(this.reads.pool, caller.tenant_id, (customer as string) ?? null, after ?? 0n, rows, metadata, (pathPrefix as string) ?? null);
    return this.reads.page(caller, query, ['accounts'], fetch, (a) => [a.created_position], ({ created_position: _, ...account }) => account);
  }
}
