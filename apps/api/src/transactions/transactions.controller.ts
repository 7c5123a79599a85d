import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { parseAmount } from '../../../../libs/domain/src/index.js';
import { commandEnvelope } from '../http/command-request.js';
import { Caller, LedgerRequest, TenantPrincipal } from '../http/request-context.js';
import { Allow, READERS } from '../http/roles.js';
import { CommandResult, send } from '../runtime/ledger-gateway.js';
import { PostTransactionCommand } from './post-transaction.command.js';
import { ReverseTransactionCommand } from './reverse-transaction.command.js';
import { ReverseTransactionDto } from './reverse-transaction.dto.js';
import { PostTransactionDto } from './post-transaction.dto.js';
import { GetTransactionQuery } from './transaction.queries.js';

@ApiTags('transactions')
@ApiBearerAuth()
@Controller('transactions')
export class TransactionsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @Allow('post_transaction', 'admin', 'service')
  async post(@Body() dto: PostTransactionDto, @Caller() caller: TenantPrincipal, @Req() req: LedgerRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const envelope = commandEnvelope(
      req,
      caller,
      {
        type: 'post_transaction',
        entries: dto.entries.map((e) => ({
          account_id: e.account_id.toLowerCase(),
          direction: e.direction,
          amount: parseAmount(e.amount)!,
          ...(e.currency !== undefined ? { currency: e.currency } : {}),
        })),
        description: dto.description ?? null,
        reference: dto.reference ?? null,
        metadata: dto.metadata ?? {},
      },
      dto,
    );
    return send(reply, await this.commands.execute<PostTransactionCommand, CommandResult>(new PostTransactionCommand(envelope)));
  }

  /** A new transaction with every entry swapped; the original becomes `reversed`. At most once. */
  @Post(':id/reverse')
  @Allow('reverse_transaction', 'admin', 'service')
  async reverse(@Param('id') id: string, @Body() dto: ReverseTransactionDto, @Caller() caller: TenantPrincipal, @Req() req: LedgerRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const envelope = commandEnvelope(req, caller, { type: 'reverse_transaction', transaction_id: id.toLowerCase(), reason: dto?.reason ?? null }, dto ?? {});
    return send(reply, await this.commands.execute<ReverseTransactionCommand, CommandResult>(new ReverseTransactionCommand(envelope)));
  }

  @Get(':id')
  @Allow('get_transaction', ...READERS)
  get(@Param('id') id: string, @Query('min_position') minPosition: unknown, @Caller() caller: TenantPrincipal, @Req() req: LedgerRequest) {
    return this.queries.execute(new GetTransactionQuery(caller, req, id, minPosition));
  }
}
