import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { PolicyStatus } from '#domain/index.js';
import { findPolicy, listPolicies, PolicyView } from '#projections/policies/policies.queries.js';
import { isUuid, parseOneOf } from '../http/pagination.js';
import { LedgerRequest, TenantPrincipal } from '../http/request-context.js';
import { Reads } from '../runtime/reads.js';

const POLICY_STATUSES: readonly PolicyStatus[] = ['active', 'disabled'];

export class GetPolicyQuery {
  constructor(readonly caller: TenantPrincipal, readonly request: LedgerRequest, readonly id: string, readonly minPosition: unknown) {}
}

export class ListPoliciesQuery {
  constructor(readonly caller: TenantPrincipal, readonly query: Record<string, unknown>) {}
}

function publicView({ created_position: _, ...policy }: PolicyView) {
  return policy;
}

@QueryHandler(GetPolicyQuery)
export class GetPolicyHandler implements IQueryHandler<GetPolicyQuery> {
  constructor(private readonly reads: Reads) {}

  async execute({ caller, request, id, minPosition }: GetPolicyQuery) {
    await this.reads.settle(caller, ['policies'], minPosition);
    const found = isUuid(id) ? await findPolicy(this.reads.pool, id.toLowerCase()) : null;
    return publicView(await this.reads.ownedOrNotFound(caller, request, found, 'policy', id, 'get_policy'));
  }
}

@QueryHandler(ListPoliciesQuery)
export class ListPoliciesHandler implements IQueryHandler<ListPoliciesQuery> {
  constructor(private readonly reads: Reads) {}

  execute({ caller, query }: ListPoliciesQuery) {
    const status = parseOneOf(query.status, 'status', POLICY_STATUSES);
    const fetch = (after: bigint | null, rows: number) => listPolicies(this.reads.pool, caller.tenant_id, status, after ?? 0n, rows);
    return this.reads.page(caller, query, ['policies'], fetch, (p) => [p.created_position], publicView);
  }
}
