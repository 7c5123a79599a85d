import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { auditPage } from '#projections/audit-log/audit-log.projection.js';
import { decodeCursor, pageOf, parseLimit, parseOneOf } from '../http/pagination.js';
import { Caller, TenantPrincipal } from '../http/request-context.js';
import { Allow } from '../http/roles.js';
import { Reads } from '../runtime/reads.js';
import { ApiRoute, MIN_POSITION_QUERY, PAGE_QUERY } from '../http/openapi.js';
import { AUDIT_PAGE } from './audit-log.openapi.js';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit-log')
export class AuditLogController {
  constructor(private readonly reads: Reads) {}

  @ApiRoute({ operationId: 'listAuditLog', summary: 'The access audit: allowed admin actions and denials', ok: [200, AUDIT_PAGE], example: { data: [], next_cursor: null }, query: { ...PAGE_QUERY, outcome: [{ type: 'string', enum: ['allowed', 'denied'] }, 'only this outcome'], ...MIN_POSITION_QUERY } })
  @Get()
  @Allow('read_audit_log', 'admin', 'auditor')
  async list(@Query() query: Record<string, unknown>, @Caller() caller: TenantPrincipal) {
    const limit = parseLimit(query.limit);
    const cursor = decodeCursor(query.cursor, 1);
    const outcome = parseOneOf(query.outcome, 'outcome', ['allowed', 'denied'] as const);
    await this.reads.settle(caller, ['audit_log'], query.min_position);
    const rows = await auditPage(this.reads.pool, caller.tenant_id, outcome, cursor ? BigInt(cursor[0]) : 0n, limit + 1);
    return pageOf(rows, limit, (r) => [r.position], (r) => r);
  }
}
