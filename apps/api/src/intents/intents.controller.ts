import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { canonicalRfc3339, LedgerCommand, parseAmount } from '#domain/index.js';
import { commandEnvelope, intentIdempotencyKey } from '../http/command-request.js';
import { Caller, type LedgerRequest, type TenantPrincipal } from '../http/request-context.js';
import { Allow, READERS } from '../http/roles.js';
import { CommandResult, send } from '../runtime/ledger-gateway.js';
import { CancelIntentDto, CreateIntentDto, CreateRouteDto } from './intents.dto.js';
import { ChangeRouteStatusCommand, CreateIntentCommand, CreateRouteCommand, ResolveIntentCommand } from './intents.commands.js';
import { GetIntentQuery, ListIntentsQuery, ListRoutesQuery } from './intents.queries.js';
import { ApiRoute, COMMAND_OPTIONS, MIN_POSITION_QUERY, PAGE_QUERY } from '../http/openapi.js';
import { INTENT_TRACE } from '../evidence/evidence.openapi.js';
import { CREATE_INTENT_BODY, CREATE_ROUTE_BODY, INTENT, INTENT_EXAMPLE, INTENT_PAGE, ROUTE, ROUTE_EXAMPLE, ROUTE_PAGE } from './intents.openapi.js';

/** Command bodies without fields of their own: what CommandOptionsDto would take from them. */
function optionsOf(body: unknown): Record<string, unknown> {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
}

/**
 * Routes (API.md "Intents and routes"): tenant state an admin changes (each change a ledger
 * event, so audited with its actor); every tenant role reads them.
 */
@ApiTags('routes')
@ApiBearerAuth()
@Controller('routes')
export class RoutesController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @ApiRoute({ operationId: 'createRoute', summary: 'Create a route: (currency, corridor) settles through an account', ok: [201, ROUTE], example: ROUTE_EXAMPLE, errors: [404, 409, 422], body: CREATE_ROUTE_BODY })
  @Post()
  @Allow('create_route', 'admin')
  async create(@Body() dto: CreateRouteDto, @Caller() caller: TenantPrincipal, @Req() req: LedgerRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const command: LedgerCommand = {
      type: 'create_route',
      name: dto.name,
      currency: dto.currency,
      corridor: dto.corridor,
      settlement_account_id: dto.settlement_account_id.toLowerCase(),
      priority: dto.priority ?? 100,
    };
    return send(reply, await this.commands.execute<CreateRouteCommand, CommandResult>(new CreateRouteCommand(commandEnvelope(req, caller, command))));
  }

  @ApiRoute({ operationId: 'listRoutes', summary: 'List routes', ok: [200, ROUTE_PAGE], example: { data: [ROUTE_EXAMPLE], next_cursor: null }, query: { ...PAGE_QUERY, status: [{ type: 'string', enum: ['enabled', 'disabled'] }, 'only this status'], currency: [{ type: 'string' }, 'only this currency'], corridor: [{ type: 'string' }, 'only this corridor'], ...MIN_POSITION_QUERY } })
  @Get()
  @Allow('list_routes', ...READERS)
  list(@Query() query: Record<string, unknown>, @Caller() caller: TenantPrincipal) {
    return this.queries.execute(new ListRoutesQuery(caller, query));
  }

  @ApiRoute({ operationId: 'disableRoute', summary: 'Disable a route (open intents keep theirs)', ok: [200, ROUTE], example: { ...ROUTE_EXAMPLE, status: 'disabled', event: 'route.status_changed' }, errors: [404], body: COMMAND_OPTIONS, bodyRequired: false })
  @Post(':id/disable')
  @Allow('disable_route', 'admin')
  disable(@Param('id') id: string, @Body() body: unknown, @Caller() caller: TenantPrincipal, @Req() req: LedgerRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.change(id, 'disable', body, caller, req, reply);
  }

  @ApiRoute({ operationId: 'enableRoute', summary: 'Enable a route', ok: [200, ROUTE], example: { ...ROUTE_EXAMPLE, event: 'route.status_changed' }, errors: [404], body: COMMAND_OPTIONS, bodyRequired: false })
  @Post(':id/enable')
  @Allow('enable_route', 'admin')
  enable(@Param('id') id: string, @Body() body: unknown, @Caller() caller: TenantPrincipal, @Req() req: LedgerRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.change(id, 'enable', body, caller, req, reply);
  }

  private async change(id: string, action: 'enable' | 'disable', body: unknown, caller: TenantPrincipal, req: LedgerRequest, reply: FastifyReply) {
    const routeId = id.toLowerCase();
    const envelope = commandEnvelope(req, caller, { type: 'change_route_status', route_id: routeId, action }, optionsOf(body));
    return send(reply, await this.commands.execute<ChangeRouteStatusCommand, CommandResult>(new ChangeRouteStatusCommand(envelope, routeId)));
  }
}

/**
 * The runtime (API.md "Intents and routes"): POST /intents drives one money movement through
 * accepted -> controlled -> ledgered -> routed in one decision of the tenant's writer;
 * synchronized and evidenced are observed on GET. Settle and cancel answer with the intent.
 */
@ApiTags('intents')
@ApiBearerAuth()
@Controller('intents')
export class IntentsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @ApiRoute({ operationId: 'createIntent', summary: 'Create an intent: accepted, controlled, ledgered (a hold), routed — idempotent on intent_id', ok: [201, INTENT], example: INTENT_EXAMPLE, errors: [404, 409, 422], body: CREATE_INTENT_BODY })
  @Post()
  @Allow('create_intent', 'admin', 'service')
  async create(@Body() dto: CreateIntentDto, @Caller() caller: TenantPrincipal, @Req() req: LedgerRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const command: LedgerCommand = {
      type: 'create_intent',
      intent_id: dto.intent_id,
      scope: dto.scope,
      money_model: dto.money_model,
      primitives: dto.primitives,
      amount: parseAmount(dto.amount)!,
      currency: dto.currency,
      source_account_id: dto.source_account_id.toLowerCase(),
      destination_account_id: dto.destination_account_id.toLowerCase(),
      corridor: dto.corridor,
      // Checked by IsRfc3339; absent (or null) is no expiry.
      expires_at: canonicalRfc3339(dto.expires_at),
      metadata: dto.metadata ?? {},
    };
    // Idempotent on the intent id, whatever key the caller sent: same body, same answer.
    const envelope = commandEnvelope(req, caller, command, { intent_id: dto.intent_id }, { headers: false, idempotencyKey: intentIdempotencyKey(dto.intent_id) });
    return send(reply, await this.commands.execute<CreateIntentCommand, CommandResult>(new CreateIntentCommand(envelope)));
  }

  @ApiRoute({ operationId: 'listIntents', summary: "List the runtime's intents", ok: [200, INTENT_PAGE], example: { data: [INTENT_EXAMPLE], next_cursor: null }, query: { ...PAGE_QUERY, status: [{ type: 'string', enum: ['open', 'settled', 'canceled', 'refused'] }, 'only this status'], ...MIN_POSITION_QUERY } })
  @Get()
  @Allow('list_intents', ...READERS)
  list(@Query() query: Record<string, unknown>, @Caller() caller: TenantPrincipal) {
    return this.queries.execute(new ListIntentsQuery(caller, query));
  }

  @ApiRoute({ operationId: 'getIntent', summary: 'An intent with its states (or the trace of commands that carried the id)', ok: [200, { anyOf: [INTENT, INTENT_TRACE] }], example: INTENT_EXAMPLE, errors: [404], query: MIN_POSITION_QUERY })
  @Get(':id')
  @Allow('read_intent', ...READERS)
  get(@Param('id') id: string, @Query('min_position') minPosition: unknown, @Caller() caller: TenantPrincipal) {
    return this.queries.execute(new GetIntentQuery(caller, id, minPosition));
  }

  @ApiRoute({ operationId: 'settleIntent', summary: 'Settle: one posting of four entries through the route, capturing the hold', ok: [200, INTENT], example: { ...INTENT_EXAMPLE, status: 'settled' }, errors: [404, 409, 422], body: COMMAND_OPTIONS, bodyRequired: false })
  @HttpCode(200)
  @Post(':id/settle')
  @Allow('settle_intent', 'admin', 'service')
  async settle(@Param('id') id: string, @Body() body: unknown, @Caller() caller: TenantPrincipal, @Req() req: LedgerRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const envelope = commandEnvelope(req, caller, { type: 'settle_intent', intent_id: id }, { ...optionsOf(body), intent_id: id });
    return send(reply, await this.commands.execute<ResolveIntentCommand, CommandResult>(new ResolveIntentCommand(envelope, id, caller)));
  }

  @ApiRoute({ operationId: 'cancelIntent', summary: 'Cancel: the hold released', ok: [200, INTENT], example: { ...INTENT_EXAMPLE, status: 'canceled' }, errors: [404, 409, 422], body: { type: 'object', properties: { reason: { type: 'string' } } }, bodyRequired: false })
  @HttpCode(200)
  @Post(':id/cancel')
  @Allow('cancel_intent', 'admin', 'service')
  async cancel(@Param('id') id: string, @Body() dto: CancelIntentDto, @Caller() caller: TenantPrincipal, @Req() req: LedgerRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const envelope = commandEnvelope(req, caller, { type: 'cancel_intent', intent_id: id, note: dto?.reason ?? null }, { ...optionsOf(dto), intent_id: id });
    return send(reply, await this.commands.execute<ResolveIntentCommand, CommandResult>(new ResolveIntentCommand(envelope, id, caller)));
  }
}
