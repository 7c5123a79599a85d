import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { feedPage } from '#projections/event-feed/event-feed.projection.js';
import { parseLimit, parsePosition } from '../http/pagination.js';
import { Caller, TenantPrincipal } from '../http/request-context.js';
import { Allow, READERS } from '../http/roles.js';
import { Reads } from '../runtime/reads.js';
import { ApiRoute, MIN_POSITION_QUERY, PAGE_QUERY } from '../http/openapi.js';
import { EVENT_PAGE } from './events.openapi.js';

@ApiTags('events')
@ApiBearerAuth()
@Controller('events')
export class EventsController {
  constructor(private readonly reads: Reads) {}

  /** This tenant's ledger events in log order; continue with `after=<next_after>`. */
  @ApiRoute({ operationId: 'listEvents', summary: "The tenant's events in log order, after a position", ok: [200, EVENT_PAGE], example: { data: [], next_after: '0' }, query: { after: [{ type: 'string', pattern: '^[0-9]+$' }, 'events after this position (the previous page\'s next_after)'], limit: PAGE_QUERY.limit, ...MIN_POSITION_QUERY } })
  @Get()
  @Allow('list_events', ...READERS)
  async list(@Query() query: Record<string, unknown>, @Caller() caller: TenantPrincipal) {
    const limit = parseLimit(query.limit);
    const after = parsePosition(query.after, 'after') ?? 0n;
    await this.reads.settle(caller, ['event_feed'], query.min_position);
    const data = await feedPage(this.reads.pool, this.reads.store, caller.tenant_id, after, limit);
    return { data, next_after: data.length ? data[data.length - 1].position : after.toString() };
  }
}
