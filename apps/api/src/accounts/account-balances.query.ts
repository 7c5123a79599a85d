import { parseRfc3339 } from '#domain/index.js';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { findAccount } from '#projections/accounts/accounts.queries.js';
import { balancesAsOf } from '#projections/balance-history/balance-history.queries.js';
import { effectiveSums } from '#projections/entries/entries.queries.js';
import { canonicalRfc3339 } from '#domain/index.js';
import { ApiError } from '../http/api-error.js';
import { isUuid, parsePosition } from '../http/pagination.js';
import { LedgerRequest, TenantPrincipal } from '../http/request-context.js';
import { Reads } from '../runtime/reads.js';


export class AccountBalancesQuery {
  constructor(readonly caller: TenantPrincipal, readonly request: LedgerRequest, readonly id: string, readonly query: Record<string, unknown>) {}
}

/** Parses `as_of` (RFC 3339, not in the future) or `as_of_position`; neither means now. */
export function pointInTime(query: Record<string, unknown>, now: Date): { time: string } | { position: bigint } {
  const asOf = query.as_of;
  const position = parsePosition(query.as_of_position, 'as_of_position');
  if (asOf !== undefined && position !== null) {
    throw ApiError.validation('give as_of or as_of_position, not both', { as_of: ['not together with as_of_position'] });
  }
  if (position !== null) return { position };
  if (asOf === undefined) return { time: now.toISOString() };
  const millis = parseRfc3339(asOf);
  if (millis === null) throw ApiError.validation('as_of must be an RFC 3339 time', { as_of: ['must be an RFC 3339 time with an offset, years 0001-9999, e.g. 2030-01-01T00:00:00Z'] });
  if (millis > now.getTime()) throw ApiError.validation('as_of is in the future', { as_of: ['must not be in the future'] });
  return { time: new Date(millis).toISOString() };
}

/** `effective_as_of` (RFC 3339, not in the future), or null; not with `as_of_position` (effective reads take a time). */
export function effectiveTime(query: Record<string, unknown>, now: Date): string | null {
  const raw = query.effective_as_of;
  if (raw === undefined) return null;
  if (query.as_of_position !== undefined) throw ApiError.validation('effective_as_of takes as_of, not as_of_position', { as_of_position: ['not together with effective_as_of'] });
  const millis = parseRfc3339(raw);
  if (millis === null) throw ApiError.validation('effective_as_of must be an RFC 3339 time', { effective_as_of: ['must be an RFC 3339 time with an offset'] });
  if (millis > now.getTime()) throw ApiError.validation('effective_as_of is in the future', { effective_as_of: ['must not be in the future'] });
  return canonicalRfc3339(raw);
}

/**
 * Balances at an instant: the counters of the latest event touching the account at or before
 * it, as the log recorded them. A tenant's log time never goes backwards, so this equals
 * replaying the stream up to that instant.
 */
@QueryHandler(AccountBalancesQuery)
export class AccountBalancesHandler implements IQueryHandler<AccountBalancesQuery> {
  constructor(private readonly reads: Reads) {}

  async execute({ caller, request, id, query }: AccountBalancesQuery) {
    const now = new Date();
    const effective = effectiveTime(query, now);
    const at = pointInTime(query, now);
    await this.reads.settle(caller, ['accounts', 'balance_history', 'entries'], query.min_position);
    const found = isUuid(id) ? await findAccount(this.reads.pool, id.toLowerCase()) : null;
    const account = await this.reads.ownedOrNotFound(caller, request, found, 'account', id, 'get_balances');
    const { balances, position } = await balancesAsOf(this.reads.pool, account.id, account.normal_balance, at);
    if (effective !== null) {
      // Bi-temporal: posted as the entries effective by T sum up, among those known at as_of (or now);
      // pending holds are not effective-dated: as they stood at as_of.
      const knownAt = query.as_of === undefined ? null : (at as { time: string }).time;
      const sums = await effectiveSums(this.reads.pool, account.id, effective, knownAt);
      const posted = account.normal_balance === 'credit' ? sums.credits - sums.debits : sums.debits - sums.credits;
      const outgoing = BigInt(account.normal_balance === 'credit' ? balances.pending_debits : balances.pending_credits);
      const byEffective = { ...balances, posted: posted.toString(), available: (posted - outgoing).toString() };
      return { account_id: account.id, effective_as_of: effective, ...(knownAt !== null && { as_of: knownAt }), balances: byEffective, position };
    }
    return { account_id: account.id, ...('time' in at ? { as_of: at.time } : { as_of_position: at.position.toString() }), balances, position };
  }
}
