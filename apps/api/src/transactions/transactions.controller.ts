import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { commandEnvelope, withDryRun } from '../http/command-request.js';
import { Caller, LedgerRequest, TenantPrincipal } from '../http/request-context.js';
import { Allow, READERS } from '../http/roles.js';
import { CommandResult, send } from '../runtime/ledger-gateway.js';
import { PostTransactionCommand } from './post-transaction.command.js';
import { ReverseTransactionCommand } from './reverse-transaction.command.js';
import { ReverseTransactionDto } from './reverse-transaction.dto.js';
import { PostTransactionDto, toPostTransaction } from './post-transaction.dto.js';
import { AcceptedPosting, PostTransactionBodyPipe } from './posting-body.js';
import { TransactionBatches } from './transaction-batches.js';
import { GetTransactionQuery, ListTransactionsQuery } from './transaction.queries.js';
import { ApiRoute, DRY_RUN_QUERY, MIN_POSITION_QUERY, PAGE_QUERY } from '../http/openapi.js';
import { BATCH_BODY, BATCH_RESULTS, DRY_RUN_TRANSACTION, TRANSACTION, TRANSACTION_EXAMPLE, TRANSACTION_PAGE } from './transactions.openapi.js';

@ApiTags('transactions')
@ApiBearerAuth()
@Controller('transactions')
export class TransactionsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly batches: TransactionBatches,
  ) {}

  /**
   * The body is validated by its own pipe (a compiled accept path, else the exact global
   * ValidationPipe); its declared type is an interface so the global pipe leaves it alone.
   */
  @ApiRoute({ operationId: 'createTransaction', summary: 'Post a balanced transaction (2 to 512 entries)', ok: [201, TRANSACTION], example: TRANSACTION_EXAMPLE, errors: [404, 409, 422], also: [[200, DRY_RUN_TRANSACTION, 'a dry run (?dry_run=true): the would-be transaction; nothing appended']], query: DRY_RUN_QUERY })
  @Post()
  @ApiBody({ type: PostTransactionDto })
  @Allow('post_transaction', 'admin', 'service')
  async post(@Body(PostTransactionBodyPipe) dto: AcceptedPosting, @Caller() caller: TenantPrincipal, @Req() req: LedgerRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const envelope = withDryRun(req, commandEnvelope(req, caller, toPostTransaction(dto), dto));
    return send(reply, await this.commands.execute<PostTransactionCommand, CommandResult>(new PostTransactionCommand(envelope)));
  }

  /**
   * Up to 8,190 postings, each with its own idempotency_key, decided in order as if posted one
   * after another, through the tenant's writer as one group. Results come back in request order.
   */
  @ApiRoute({ operationId: 'createTransactionBatch', summary: 'Post up to 8,190 transactions, each decided on its own, in order', ok: [200, BATCH_RESULTS], example: { results: [{ status: 201, body: TRANSACTION_EXAMPLE }] }, body: BATCH_BODY })
  @Post('batch')
  @HttpCode(200)
  @Allow('post_transaction', 'admin', 'service')
  async batch(@Body() body: unknown, @Caller() caller: TenantPrincipal, @Req() req: LedgerRequest) {
    return this.batches.post(body, caller, req);
  }

  /** A new transaction with every entry swapped; the original becomes `reversed`. At most once. */
  @ApiRoute({ operationId: 'reverseTransaction', summary: 'Reverse a transaction (at most once)', ok: [201, TRANSACTION], example: { ...TRANSACTION_EXAMPLE, reverses: TRANSACTION_EXAMPLE.id }, errors: [404, 409, 422] })
  @Post(':id/reverse')
  @Allow('reverse_transaction', 'admin', 'service')
  async reverse(@Param('id') id: string, @Body() dto: ReverseTransactionDto, @Caller() caller: TenantPrincipal, @Req() req: LedgerRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const envelope = commandEnvelope(req, caller, { type: 'reverse_transaction', transaction_id: id.toLowerCase(), reason: dto?.reason ?? null }, dto ?? {});
    return send(reply, await this.commands.execute<ReverseTransactionCommand, CommandResult>(new ReverseTransactionCommand(envelope)));
  }

  /** Newest first; filters by account, reference, metadata and posting time (API.md "Queries"). */
  @ApiRoute({ operationId: 'listTransactions', summary: 'List transactions, newest first (by account, reference, metadata.<key>, posting time)', ok: [200, TRANSACTION_PAGE], example: { data: [TRANSACTION_EXAMPLE], next_cursor: null }, query: { ...PAGE_QUERY, account_id: [{ type: 'string', format: 'uuid' }, 'only postings touching this account'], reference: [{ type: 'string' }, 'only this reference'], posted_after: [{ type: 'string', format: 'date-time' }, 'posted after this time (exclusive)'], posted_before: [{ type: 'string', format: 'date-time' }, 'posted before this time (exclusive)'], ...MIN_POSITION_QUERY } })
  @Get()
  @Allow('list_transactions', ...READERS)
  list(@Query() query: Record<string, unknown>, @Caller() caller: TenantPrincipal) {
    return this.queries.execute(new ListTransactionsQuery(caller, query));
  }

  @ApiRoute({ operationId: 'getTransaction', summary: 'Get a transaction', ok: [200, TRANSACTION], example: TRANSACTION_EXAMPLE, errors: [404], query: MIN_POSITION_QUERY })
  @Get(':id')
  @Allow('get_transaction', ...READERS)
  get(@Param('id') id: string, @Query('min_position') minPosition: unknown, @Caller() caller: TenantPrincipal, @Req() req: LedgerRequest) {
    return this.queries.execute(new GetTransactionQuery(caller, req, id, minPosition));
  }
}
