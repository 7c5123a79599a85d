import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { canonicalRfc3339, parseAmount } from '#domain/index.js';
import { commandEnvelope, withDryRun } from '../http/command-request.js';
import { Caller, type LedgerRequest, type TenantPrincipal } from '../http/request-context.js';
import { Allow, READERS } from '../http/roles.js';
import { CommandResult, send } from '../runtime/ledger-gateway.js';
import { CaptureHoldCommand, PlaceHoldCommand, ReleaseHoldCommand } from './holds.commands.js';
import { CaptureHoldDto, PlaceHoldDto, ReleaseHoldDto } from './holds.dto.js';
import { GetHoldQuery, ListHoldsQuery } from './holds.queries.js';
import { ApiRoute, DRY_RUN_QUERY, MIN_POSITION_QUERY, PAGE_QUERY } from '../http/openapi.js';
import { CAPTURE, DRY_RUN_HOLD, HOLD, HOLD_EXAMPLE, HOLD_PAGE } from './holds.openapi.js';
import { TRANSACTION_EXAMPLE } from '../transactions/transactions.openapi.js';

@ApiTags('holds')
@ApiBearerAuth()
@Controller('holds')
export class HoldsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @ApiRoute({ operationId: 'createHold', summary: 'Place a hold: reserve funds on an account', ok: [201, HOLD], example: HOLD_EXAMPLE, errors: [404, 409, 422], also: [[200, DRY_RUN_HOLD, 'a dry run (?dry_run=true): the would-be hold; nothing appended']], query: DRY_RUN_QUERY })
  @Post()
  @Allow('place_hold', 'admin', 'service')
  async place(@Body() dto: PlaceHoldDto, @Caller() caller: TenantPrincipal, @Req() req: LedgerRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const command = {
      type: 'place_hold' as const,
      account_id: dto.account_id.toLowerCase(),
      destination_account_id: dto.destination_account_id.toLowerCase(),
      amount: parseAmount(dto.amount)!,
      // Checked by IsRfc3339; absent (or null) is no expiry.
      expires_at: canonicalRfc3339(dto.expires_at),
      reference: dto.reference ?? null,
      description: dto.description ?? null,
      metadata: dto.metadata ?? {},
    };
    const envelope = withDryRun(req, commandEnvelope(req, caller, command, dto));
    return send(reply, await this.commands.execute<PlaceHoldCommand, CommandResult>(new PlaceHoldCommand(envelope)));
  }

  @ApiRoute({ operationId: 'captureHold', summary: 'Capture a hold, fully or in part (the rest is released)', ok: [200, CAPTURE], example: { hold: { ...HOLD_EXAMPLE, status: 'captured', captured_amount: '300' }, transaction: TRANSACTION_EXAMPLE }, errors: [404, 409, 422] })
  @Post(':id/capture')
  @Allow('capture_hold', 'admin', 'service')
  async capture(@Param('id') id: string, @Body() dto: CaptureHoldDto, @Caller() caller: TenantPrincipal, @Req() req: LedgerRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const amount = dto?.amount === undefined ? null : parseAmount(dto.amount)!;
    const envelope = commandEnvelope(req, caller, { type: 'capture_hold', hold_id: id.toLowerCase(), amount }, dto ?? {});
    return send(reply, await this.commands.execute<CaptureHoldCommand, CommandResult>(new CaptureHoldCommand(envelope)));
  }

  @ApiRoute({ operationId: 'releaseHold', summary: 'Release a hold', ok: [200, HOLD], example: { ...HOLD_EXAMPLE, status: 'released', released_amount: '300' }, errors: [404, 409, 422] })
  @Post(':id/release')
  @Allow('release_hold', 'admin', 'service', 'operator')
  async release(@Param('id') id: string, @Body() dto: ReleaseHoldDto, @Caller() caller: TenantPrincipal, @Req() req: LedgerRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const envelope = commandEnvelope(req, caller, { type: 'release_hold', hold_id: id.toLowerCase(), note: dto?.reason ?? null }, dto ?? {});
    return send(reply, await this.commands.execute<ReleaseHoldCommand, CommandResult>(new ReleaseHoldCommand(envelope)));
  }

  @ApiRoute({ operationId: 'listHolds', summary: 'List holds (by status, account, or stuck)', ok: [200, HOLD_PAGE], example: { data: [HOLD_EXAMPLE], next_cursor: null }, query: { ...PAGE_QUERY, status: [{ type: 'string', enum: ['pending', 'captured', 'released', 'expired'] }, 'only holds in this status'], account_id: [{ type: 'string', format: 'uuid' }, 'only holds on this account'], stuck: [{ type: 'boolean' }, 'pending past expiry, or pending longer than the threshold'], ...MIN_POSITION_QUERY } })
  @Get()
  @Allow('list_holds', ...READERS)
  list(@Query() query: Record<string, unknown>, @Caller() caller: TenantPrincipal) {
    return this.queries.execute(new ListHoldsQuery(caller, query));
  }

  @ApiRoute({ operationId: 'getHold', summary: 'Get a hold', ok: [200, HOLD], example: HOLD_EXAMPLE, errors: [404], query: MIN_POSITION_QUERY })
  @Get(':id')
  @Allow('get_hold', ...READERS)
  get(@Param('id') id: string, @Query('min_position') minPosition: unknown, @Caller() caller: TenantPrincipal, @Req() req: LedgerRequest) {
    return this.queries.execute(new GetHoldQuery(caller, req, id, minPosition));
  }
}
