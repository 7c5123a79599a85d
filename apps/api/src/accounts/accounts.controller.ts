import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { AccountStatusAction } from '#domain/index.js';
import { commandEnvelope } from '../http/command-request.js';
import { Caller, LedgerRequest, TenantPrincipal } from '../http/request-context.js';
import { Allow, READERS } from '../http/roles.js';
import { CommandResult, send } from '../runtime/ledger-gateway.js';
import { AccountBalancesQuery } from './account-balances.query.js';
import { AccountEntriesQuery } from './account-entries.query.js';
import { GetAccountQuery, ListAccountsQuery } from './account.queries.js';
import { ChangeAccountStatusCommand } from './change-account-status.command.js';
import { OpenAccountCommand } from './open-account.command.js';
import { OpenAccountDto } from './open-account.dto.js';
import { ApiRoute, COMMAND_OPTIONS, MIN_POSITION_QUERY, PAGE_QUERY } from '../http/openapi.js';
import { ACCOUNT, ACCOUNT_EXAMPLE, ACCOUNT_PAGE, ENTRY_PAGE, POINT_IN_TIME_BALANCES } from './accounts.openapi.js';

@ApiTags('accounts')
@ApiBearerAuth()
@Controller('accounts')
export class AccountsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @ApiRoute({ operationId: 'createAccount', summary: 'Open an account', ok: [201, ACCOUNT], example: ACCOUNT_EXAMPLE, errors: [404, 409, 422] })
  @Post()
  @Allow('open_account', 'admin', 'service')
  async open(@Body() dto: OpenAccountDto, @Caller() caller: TenantPrincipal, @Req() req: LedgerRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const envelope = commandEnvelope(
      req,
      caller,
      {
        type: 'open_account',
        customer: dto.customer,
        currency: dto.currency,
        account_type: dto.account_type,
        normal_balance: dto.normal_balance ?? 'credit',
        allow_negative: dto.allow_negative ?? false,
        metadata: dto.metadata ?? {},
        path: dto.path ?? null,
      },
      dto,
    );
    return send(reply, await this.commands.execute<OpenAccountCommand, CommandResult>(new OpenAccountCommand(envelope)));
  }

  @ApiRoute({ operationId: 'listAccounts', summary: 'List accounts (by customer, path prefix, and metadata.<key>=<value>: exact, top-level, ANDed)', ok: [200, ACCOUNT_PAGE], example: { data: [ACCOUNT_EXAMPLE], next_cursor: null }, query: { ...PAGE_QUERY, customer: [{ type: 'string' }, 'only this customer\'s accounts'], path_prefix: [{ type: 'string', example: 'merchants:acme' }, 'only accounts at or under this path, whole segments (merchants:acme holds merchants:acme:fees, not merchants:acmex)'] } })
  @Get()
  @Allow('list_accounts', ...READERS)
  list(@Caller() caller: TenantPrincipal, @Query() query: Record<string, unknown>) {
    return this.queries.execute(new ListAccountsQuery(caller, query));
  }

  @ApiRoute({ operationId: 'getAccount', summary: 'Get an account with its current balances', ok: [200, ACCOUNT], example: ACCOUNT_EXAMPLE, errors: [404], query: MIN_POSITION_QUERY })
  @Get(':id')
  @Allow('get_account', ...READERS)
  get(@Param('id') id: string, @Query('min_position') minPosition: unknown, @Caller() caller: TenantPrincipal, @Req() req: LedgerRequest) {
    return this.queries.execute(new GetAccountQuery(caller, req, id, minPosition));
  }

  @ApiRoute({ operationId: 'listAccountEntries', summary: "List an account's entries, oldest first", ok: [200, ENTRY_PAGE], example: { data: [], next_cursor: null }, errors: [404], query: { ...PAGE_QUERY, ...MIN_POSITION_QUERY } })
  @Get(':id/entries')
  @Allow('list_entries', ...READERS)
  entries(@Param('id') id: string, @Query() query: Record<string, unknown>, @Caller() caller: TenantPrincipal, @Req() req: LedgerRequest) {
    return this.queries.execute(new AccountEntriesQuery(caller, req, id, query));
  }

  @ApiRoute({ operationId: 'getAccountBalances', summary: "An account's balances at a point in time", ok: [200, POINT_IN_TIME_BALANCES], example: { account_id: ACCOUNT_EXAMPLE.id, as_of: '2026-12-05T01:52:11.000Z', balances: ACCOUNT_EXAMPLE.balances, position: '42' }, errors: [404], query: { as_of: [{ type: 'string', format: 'date-time' }, 'the balances at this instant (RFC 3339, not in the future)'], as_of_position: [{ type: 'string', pattern: '^[0-9]+$' }, 'the balances after this log position'], effective_as_of: [{ type: 'string', format: 'date-time' }, 'posted summed by effective time (with as_of: what the ledger knew then about this time)'], ...MIN_POSITION_QUERY } })
  @Get(':id/balances')
  @Allow('get_balances', ...READERS)
  balances(@Param('id') id: string, @Query() query: Record<string, unknown>, @Caller() caller: TenantPrincipal, @Req() req: LedgerRequest) {
    return this.queries.execute(new AccountBalancesQuery(caller, req, id, query));
  }

  @ApiRoute({ operationId: 'freezeAccount', summary: 'Freeze an account', ok: [200, ACCOUNT], example: { ...ACCOUNT_EXAMPLE, status: 'frozen', event: 'account.status.changed' }, errors: [404, 409, 422], body: COMMAND_OPTIONS, bodyRequired: false })
  @Post(':id/freeze')
  @Allow('freeze_account', 'admin', 'service', 'operator')
  freeze(@Param('id') id: string, @Body() body: unknown, @Caller() caller: TenantPrincipal, @Req() req: LedgerRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.changeStatus(id, 'freeze', body, caller, req, reply);
  }

  @ApiRoute({ operationId: 'unfreezeAccount', summary: 'Unfreeze an account', ok: [200, ACCOUNT], example: { ...ACCOUNT_EXAMPLE, event: 'account.status.changed' }, errors: [404, 409, 422], body: COMMAND_OPTIONS, bodyRequired: false })
  @Post(':id/unfreeze')
  @Allow('unfreeze_account', 'admin', 'service', 'operator')
  unfreeze(@Param('id') id: string, @Body() body: unknown, @Caller() caller: TenantPrincipal, @Req() req: LedgerRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.changeStatus(id, 'unfreeze', body, caller, req, reply);
  }

  @ApiRoute({ operationId: 'closeAccount', summary: 'Close an account', ok: [200, ACCOUNT], example: { ...ACCOUNT_EXAMPLE, status: 'closed', event: 'account.status.changed' }, errors: [404, 409, 422], body: COMMAND_OPTIONS, bodyRequired: false })
  @Post(':id/close')
  @Allow('close_account', 'admin', 'service')
  close(@Param('id') id: string, @Body() body: unknown, @Caller() caller: TenantPrincipal, @Req() req: LedgerRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.changeStatus(id, 'close', body, caller, req, reply);
  }

  private async changeStatus(id: string, action: AccountStatusAction, body: unknown, caller: TenantPrincipal, req: LedgerRequest, reply: FastifyReply) {
    const options = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
    const envelope = commandEnvelope(req, caller, { type: 'change_account_status', account_id: id.toLowerCase(), action }, options);
    return send(reply, await this.commands.execute<ChangeAccountStatusCommand, CommandResult>(new ChangeAccountStatusCommand(envelope)));
  }
}
