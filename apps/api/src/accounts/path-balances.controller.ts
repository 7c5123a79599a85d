import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { canonicalRfc3339, isAccountPath, isCurrency, parseRfc3339 } from '#domain/index.js';
import { pathRollup } from '#projections/path-balances/path-balances.queries.js';
import { ApiError } from '../http/api-error.js';
import { Caller, type TenantPrincipal } from '../http/request-context.js';
import { Allow, READERS } from '../http/roles.js';
import { Reads } from '../runtime/reads.js';
import { ApiRoute, MIN_POSITION_QUERY } from '../http/openapi.js';
import { PATH_ROLLUP } from './accounts.openapi.js';

/**
 * Rollups over account paths (API.md "Queries, paths"): the sums over every account at or
 * under a prefix, segment-wise, in one currency, now or as of a time — one row of the
 * path_balances read model, never a sum over accounts per request.
 */
@ApiTags('accounts')
@ApiBearerAuth()
@Controller('balances')
export class PathBalancesController {
  constructor(private readonly reads: Reads) {}

  @ApiRoute({ operationId: 'getPathBalances', summary: 'The balances summed over every account at or under a path prefix, in one currency', ok: [200, PATH_ROLLUP], example: { path_prefix: 'merchants:acme', currency: 'USD', accounts: 2, balances: { posted: '125', pending_debits: '30', pending_credits: '0', available: '95' } }, query: { path_prefix: [{ type: 'string', example: 'merchants:acme' }, 'whole segments: merchants:acme holds merchants:acme:fees, not merchants:acmex (required)'], currency: [{ type: 'string', example: 'USD' }, 'required'], as_of: [{ type: 'string', format: 'date-time' }, 'the sums at this instant'], ...MIN_POSITION_QUERY } })
  @Get()
  @Allow('read_path_balances', ...READERS)
  async rollup(@Query() query: Record<string, unknown>, @Caller() caller: TenantPrincipal) {
    const prefix = query.path_prefix;
    if (!isAccountPath(prefix)) {
      throw ApiError.validation('path_prefix must be a path: segments of a-z, 0-9, _ and - joined by ":"', { path_prefix: ['must be an account path (or a prefix of one, whole segments)'] });
    }
    const currency = query.currency;
    if (!isCurrency(currency)) throw ApiError.validation('currency is required: 3-12 characters of A-Z, 0-9, _', { currency: ['required, a currency code'] });
    let asOf: string | null = null;
    if (query.as_of !== undefined) {
      if (parseRfc3339(query.as_of) === null) throw ApiError.validation('as_of must be an RFC 3339 time with an offset', { as_of: ['must be an RFC 3339 time with an offset'] });
      asOf = canonicalRfc3339(query.as_of);
    }
    await this.reads.settle(caller, ['path_balances'], query.min_position);
    const rollup = await pathRollup(this.reads.pool, caller.tenant_id, currency, prefix, asOf);
    return { path_prefix: prefix, currency, ...(asOf !== null && { as_of: asOf }), accounts: rollup.accounts, balances: rollup.balances };
  }
}
