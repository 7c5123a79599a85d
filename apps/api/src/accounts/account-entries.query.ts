import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { findAccount } from '#projections/accounts/accounts.queries.js';
import { entriesPage } from '#projections/entries/entries.queries.js';
import { ApiError } from '../http/api-error.js';
import { decodeCursor, isUuid, pageOf, parseLimit } from '../http/pagination.js';
import { LedgerRequest, TenantPrincipal } from '../http/request-context.js';
import { Reads } from '../runtime/reads.js';

/** Entries per posting are bounded far below this (int4 in the read model). */
const ENTRY_INDEX_MAX = 2_147_483_647n;

export class AccountEntriesQuery {
  constructor(readonly caller: TenantPrincipal, readonly request: LedgerRequest, readonly id: string, readonly query: Record<string, unknown>) {}
}

/** Balance history, oldest first, each entry with the balances the log recorded after it. */
@QueryHandler(AccountEntriesQuery)
export class AccountEntriesHandler implements IQueryHandler<AccountEntriesQuery> {
  constructor(private readonly reads: Reads) {}

  async execute({ caller, request, id, query }: AccountEntriesQuery) {
    const limit = parseLimit(query.limit);
    const cursor = decodeCursor(query.cursor, 2);
    if (cursor && BigInt(cursor[1]) > ENTRY_INDEX_MAX) throw ApiError.validation('cursor is not valid', { cursor: ['not a cursor this API returned'] });
    await this.reads.settle(caller, ['accounts', 'entries'], query.min_position);
    const found = isUuid(id) ? await findAccount(this.reads.pool, id) : null;
    await this.reads.ownedOrNotFound(caller, request, found, 'account', id, 'list_entries');
    const after = cursor ? { position: BigInt(cursor[0]), entry_index: Number(cursor[1]) } : { position: 0n, entry_index: -1 };
    const rows = await entriesPage(this.reads.pool, id, after, limit + 1);
    return pageOf(rows, limit, (r) => [r.cursor.position, r.cursor.entry_index], (r) => r.entry);
  }
}
