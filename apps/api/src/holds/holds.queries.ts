import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { findHold, HoldView, listHolds } from '#projections/holds/holds.queries.js';
import { ApiError } from '../http/api-error.js';
import { decodeCursor, isUuid, pageOf, parseLimit, parseOneOf, parseUuid } from '../http/pagination.js';
import { LedgerRequest, TenantPrincipal } from '../http/request-context.js';
import { Reads } from '../runtime/reads.js';

const HOLD_STATUSES = ['pending', 'captured', 'released', 'expired'];

export class GetHoldQuery {
  constructor(readonly caller: TenantPrincipal, readonly request: LedgerRequest, readonly id: string, readonly minPosition: unknown) {}
}

export class ListHoldsQuery {
  constructor(readonly caller: TenantPrincipal, readonly query: Record<string, unknown>) {}
}

function publicView({ created_position: _, position: __, ...hold }: HoldView) {
  return hold;
}

@QueryHandler(GetHoldQuery)
export class GetHoldHandler implements IQueryHandler<GetHoldQuery> {
  constructor(private readonly reads: Reads) {}

  async execute({ caller, request, id, minPosition }: GetHoldQuery) {
    await this.reads.settle(caller, ['holds'], minPosition);
    const found = isUuid(id) ? await findHold(this.reads.pool, id.toLowerCase()) : null;
    return publicView(await this.reads.ownedOrNotFound(caller, request, found, 'hold', id, 'get_hold'));
  }
}

@QueryHandler(ListHoldsQuery)
export class ListHoldsHandler implements IQueryHandler<ListHoldsQuery> {
  constructor(private readonly reads: Reads) {}

  async execute({ caller, query }: ListHoldsQuery) {
    const limit = parseLimit(query.limit);
    const cursor = decodeCursor(query.cursor, 1);
    const status = parseOneOf(query.status, 'status', HOLD_STATUSES);
    const accountId = parseUuid(query.account_id, 'account_id');
    if (query.stuck !== undefined && query.stuck !== 'true' && query.stuck !== 'false') {
      throw ApiError.validation('stuck must be true or false', { stuck: ['must be true or false'] });
    }
    await this.reads.settle(caller, ['holds'], query.min_position);
    const stuckAfter = query.stuck === 'true' ? this.reads.config.stuckHoldSeconds : null;
    const rows = await listHolds(
      this.reads.pool,
      caller.tenant_id,
      { status: status as string | null, account_id: (accountId as string | null)?.toLowerCase() ?? null, stuck_after_seconds: stuckAfter },
      cursor ? BigInt(cursor[0]) : 0n,
      limit + 1,
    );
    return pageOf(rows, limit, (h) => [h.created_position], publicView);
  }
}
