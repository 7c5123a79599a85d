import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { Pool } from 'pg';
import type { EventStore } from '#event-store/index.js';
import { actorOf } from '#tenancy/index.js';
import { projectedBalances } from '#projections/reconciliation/projected-balances.js';
import { findActiveRun, recordExclusiveDriftCheck } from '#reconciliation/drift/index.js';
import { findRun, findStatement, listRuns } from '#projections/reconciliation/reconciliation.projection.js';
import { trialBalance } from '#projections/trial-balance/trial-balance.projection.js';
import { ApiError } from '../http/api-error.js';
import { decodeCursor, isUuid, pageOf, parseLimit, parseOneOf } from '../http/pagination.js';
import { Caller, type LedgerRequest, type TenantPrincipal } from '../http/request-context.js';
import { Allow } from '../http/roles.js';
import { ReadsHeavily } from '../http/tenant-reads.interceptor.js';
import { EVENT_STORE } from '../runtime/injection-tokens.js';
import { ProjectionWatermark } from '../runtime/projection-watermark.js';
import { Reads } from '../runtime/reads.js';
import { Audited } from '../audit/admin-action.interceptor.js';
import { ImportStatementDto } from './import-statement.dto.js';
import { StatementImporter } from './statement-importer.js';
import { readStatementView } from './statement-view.js';
import { ApiRoute, MIN_POSITION_QUERY, PAGE_QUERY } from '../http/openapi.js';
import { RUN, RUN_EXAMPLE, RUN_PAGE, STATEMENT, STATEMENT_EXAMPLE, TRIAL_BALANCE } from './reconciliation.openapi.js';

/** Auditors and operators read and run reconciliation; service keys do not. */
const RECONCILERS = ['admin', 'auditor', 'operator'] as const;

@ApiTags('reconciliation')
@ApiBearerAuth()
@Controller('reconciliation')
export class ReconciliationController {
  constructor(
    private readonly pool: Pool,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly watermark: ProjectionWatermark,
    private readonly reads: Reads,
    private readonly statements: StatementImporter,
  ) {}

  @ApiRoute({ operationId: 'getTrialBalance', summary: 'Total debits and credits per currency, posted and pending', ok: [200, TRIAL_BALANCE], example: { data: [], balanced: true }, query: MIN_POSITION_QUERY })
  @Get('trial-balance')
  @Allow('read_trial_balance', ...RECONCILERS)
  async trialBalance(@Query() query: Record<string, unknown>, @Caller() caller: TenantPrincipal) {
    await this.reads.settle(caller, ['trial_balance'], query.min_position);
    const lines = await trialBalance(this.reads.pool, caller.tenant_id);
    return { data: lines, balanced: lines.every((l) => l.posted.balanced && l.pending.balanced) };
  }

  @ApiRoute({ operationId: 'createReconciliationRun', summary: 'Run a drift check of the log against the read models', description: 'Answers 202 with the run under way when one is running already.', ok: [201, RUN], example: RUN_EXAMPLE, also: [[202, RUN, 'a run of this tenant is under way already: that run']] })
  @Post('runs')
  @HttpCode(201)
  @Allow('run_reconciliation', ...RECONCILERS)
  async run(@Caller() caller: TenantPrincipal, @Res({ passthrough: true }) reply: FastifyReply) {
    // Compare against read models that include everything this caller wrote.
    await this.reads.settle(caller, ['accounts', 'trial_balance'], undefined);
    const outcome = await recordExclusiveDriftCheck(this.pool, this.store, projectedBalances, caller.tenant_id, actorOf(caller));
    if (outcome.kind === 'running') {
      // One run per tenant at a time (any process): the one under way is the answer; GET /reconciliation/runs/:id follows it.
      if (!outcome.run) throw new ApiError(503, 'unavailable', 'a drift check of this tenant is already running; retry shortly', {});
      void reply.status(202);
      return outcome.run;
    }
    const { run_id, report, position } = outcome;
    this.watermark.wrote(caller.tenant_id, position);
    return { id: run_id, ...report, triggered_by: actorOf(caller) };
  }

  @ApiRoute({ operationId: 'listReconciliationRuns', summary: 'List drift check runs', ok: [200, RUN_PAGE], example: { data: [], next_cursor: null }, query: { ...PAGE_QUERY, status: [{ type: 'string', enum: ['balanced', 'mismatched'] }, 'only runs with this outcome'], ...MIN_POSITION_QUERY } })
  @Get('runs')
  @Allow('list_reconciliation_runs', ...RECONCILERS)
  async runs(@Query() query: Record<string, unknown>, @Caller() caller: TenantPrincipal) {
    const limit = parseLimit(query.limit);
    const cursor = decodeCursor(query.cursor, 1);
    const status = parseOneOf(query.status, 'status', ['balanced', 'mismatched'] as const);
    await this.reads.settle(caller, ['reconciliation'], query.min_position);
    const rows = await listRuns(this.reads.pool, caller.tenant_id, status, cursor ? BigInt(cursor[0]) : 0n, limit + 1);
    return pageOf(rows, limit, (r) => [r.position], (r) => r.view);
  }

  @ApiRoute({ operationId: 'getReconciliationRun', summary: 'Get a drift check run', ok: [200, RUN], example: RUN_EXAMPLE, errors: [404], query: MIN_POSITION_QUERY })
  @Get('runs/:id')
  @Allow('get_reconciliation_run', ...RECONCILERS)
  async getRun(@Param('id') id: string, @Query('min_position') minPosition: unknown, @Caller() caller: TenantPrincipal, @Req() req: LedgerRequest) {
    await this.reads.settle(caller, ['reconciliation'], minPosition);
    const found = isUuid(id) ? await findRun(this.reads.pool, id.toLowerCase()) : null;
    if (!found && isUuid(id)) {
      // Not recorded yet: the caller's tenant's run under way, if it is this one.
      const active = await findActiveRun(this.reads.pool, caller.tenant_id);
      if (active?.id === id.toLowerCase()) return active;
    }
    return this.reads.ownedOrNotFound(caller, req, found, 'run', id, 'get_reconciliation_run');
  }

  @ApiRoute({ operationId: 'importStatement', summary: 'Import an external statement and match its lines', ok: [201, STATEMENT], example: STATEMENT_EXAMPLE, errors: [404, 422] })
  @Post('statements')
  @HttpCode(201)
  @ReadsHeavily()
  @Allow('import_statement', ...RECONCILERS)
  @Audited('statement')
  async importStatement(@Body() dto: ImportStatementDto, @Caller() caller: TenantPrincipal, @Req() req: LedgerRequest) {
    return this.statements.import(caller, req, dto);
  }

  @ApiRoute({ operationId: 'getStatement', summary: 'Get a statement with a page of its lines', ok: [200, STATEMENT], example: STATEMENT_EXAMPLE, errors: [404], query: PAGE_QUERY })
  @Get('statements/:id')
  @Allow('get_statement', ...RECONCILERS)
  async getStatement(@Param('id') id: string, @Query() query: Record<string, unknown>, @Caller() caller: TenantPrincipal, @Req() req: LedgerRequest) {
    await this.reads.settle(caller, ['reconciliation'], query.min_position);
    const found = isUuid(id) ? await findStatement(this.reads.pool, id.toLowerCase()) : null;
    const recorded = await this.reads.ownedOrNotFound(caller, req, found, 'statement', id, 'get_statement');
    return readStatementView(this.reads.pool, recorded, query);
  }
}
