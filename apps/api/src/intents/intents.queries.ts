import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { IntentStatus, RouteStatus } from '#domain/index.js';
import { listIntents } from '#projections/intents/intents.queries.js';
import { listRoutes, RouteView } from '#projections/routes/routes.queries.js';
import { ApiError } from '../http/api-error.js';
import { parseOneOf } from '../http/pagination.js';
import { TenantPrincipal } from '../http/request-context.js';
import { Reads } from '../runtime/reads.js';
import { IntentReads } from './intent-reads.js';

const INTENT_STATUSES: readonly IntentStatus[] = ['open', 'settled', 'canceled', 'refused'];
const ROUTE_STATUSES: readonly RouteStatus[] = ['enabled', 'disabled'];
const FILTER_LENGTH_MAX = 64;

export class GetIntentQuery {
  constructor(readonly caller: TenantPrincipal, readonly id: string, readonly minPosition: unknown) {}
}

export class ListIntentsQuery {
  constructor(readonly caller: TenantPrincipal, readonly query: Record<string, unknown>) {}
}

export class ListRoutesQuery {
  constructor(readonly caller: TenantPrincipal, readonly query: Record<string, unknown>) {}
}

@QueryHandler(GetIntentQuery)
export class GetIntentHandler implements IQueryHandler<GetIntentQuery> {
  constructor(private readonly intents: IntentReads) {}

  execute({ caller, id, minPosition }: GetIntentQuery) {
    return this.intents.get(caller, id, minPosition);
  }
}

@QueryHandler(ListIntentsQuery)
export class ListIntentsHandler implements IQueryHandler<ListIntentsQuery> {
  constructor(private readonly reads: Reads) {}

  execute({ caller, query }: ListIntentsQuery) {
    const status = parseOneOf(query.status, 'status', INTENT_STATUSES);
    const fetch = (after: bigint | null, rows: number) => listIntents(this.reads.pool, caller.tenant_id, status, after ?? 0n, rows);
    return this.reads.page(caller, query, ['intents'], fetch, (i) => [i.created_position], ({ created_position: _, ...intent }) => intent);
  }
}

function textFilter(raw: unknown, field: string): string | null {
  if (raw === undefined) return null;
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > FILTER_LENGTH_MAX) {
    throw ApiError.validation(`${field} must be 1-${FILTER_LENGTH_MAX} characters`, { [field]: [`must be 1-${FILTER_LENGTH_MAX} characters`] });
  }
  return raw;
}

@QueryHandler(ListRoutesQuery)
export class ListRoutesHandler implements IQueryHandler<ListRoutesQuery> {
  constructor(private readonly reads: Reads) {}

  execute({ caller, query }: ListRoutesQuery) {
    const filter = { status: parseOneOf(query.status, 'status', ROUTE_STATUSES), currency: textFilter(query.currency, 'currency'), corridor: textFilter(query.corridor, 'corridor') };
    const fetch = (after: bigint | null, rows: number) => listRoutes(this.reads.pool, caller.tenant_id, filter, after ?? 0n, rows);
    return this.reads.page(caller, query, ['routes'], fetch, (r) => [r.created_position], ({ created_position: _, updated_at: __, ...route }: RouteView) => route);
  }
}
