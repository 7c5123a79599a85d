import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { actorOf } from '../../../../libs/tenancy/src/index.js';
import { recordDriftCheck } from '../../../../libs/reconciliation/src/drift/index.js';
import { findRun, findStatement, listRuns } from '../../../../projections/reconciliation/reconciliation.projection.js';
import { trialBalance } from '../../../../projections/trial-balance/trial-balance.projection.js';
import { decodeCursor, isUuid, pageOf, parseLimit, parseOneOf } from '../http/pagination.js';
import { Caller, type LedgerRequest, type TenantPrincipal } from '../http/request-context.js';
import { Allow } from '../http/roles.js';
import { LedgerRuntime } from '../runtime/ledger-runtime.js';
import { Reads } from '../runtime/reads.js';
import { Audited } from '../audit/admin-action.interceptor.js';
import { ImportStatementDto } from './import-statement.dto.js';
import { StatementImporter } from './statement-importer.js';

/** Auditors and operators read and run reconciliation; service keys do not. */
const RECONCILERS = ['admin', 'auditor', 'operator'] as const;

@ApiTags('reconciliation')
@ApiBearerAuth()
@Controller('reconciliation')
export class ReconciliationController {
  constructor(
    private readonly runtime: LedgerRuntime,
    private readonly reads: Reads,
    private readonly statements: StatementImporter,
  ) {}

  @Get('trial-balance')
  @Allow('read_trial_balance', ...RECONCILERS)
  async trialBalance(@Query() query: Record<string, unknown>, @Caller() caller: TenantPrincipal) {
    await this.reads.settle(caller, ['trial_balance'], query.min_position);
    const lines = await trialBalance(this.reads.pool, caller.tenant_id);
    return { data: lines, balanced: lines.every((l) => l.posted.balanced && l.pending.balanced) };
  }

  @Post('runs')
  @HttpCode(201)
  @Allow('run_reconciliation', ...RECONCILERS)
  async run(@Caller() caller: TenantPrincipal) {
    // Compare against read models that include everything this caller wrote.
    await this.reads.settle(caller, ['accounts', 'trial_balance'], undefined);
    const { run_id, report, position } = await recordDriftCheck(this.runtime.pool, this.runtime.store, caller.tenant_id, actorOf(caller));
    this.runtime.watermark.wrote(caller.tenant_id, position);
    return { id: run_id, ...report, triggered_by: actorOf(caller) };
  }

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

  @Get('runs/:id')
  @Allow('get_reconciliation_run', ...RECONCILERS)
  async getRun(@Param('id') id: string, @Query('min_position') minPosition: unknown, @Caller() caller: TenantPrincipal, @Req() req: LedgerRequest) {
    await this.reads.settle(caller, ['reconciliation'], minPosition);
    const found = isUuid(id) ? await findRun(this.reads.pool, id.toLowerCase()) : null;
    return this.reads.ownedOrNotFound(caller, req, found, 'run', id, 'get_reconciliation_run');
  }

  @Post('statements')
  @HttpCode(201)
  @Allow('import_statement', ...RECONCILERS)
  @Audited('statement')
  async importStatement(@Body() dto: ImportStatementDto, @Caller() caller: TenantPrincipal, @Req() req: LedgerRequest) {
    return this.statements.import(caller, req, dto);
  }

  @Get('statements/:id')
  @Allow('get_statement', ...RECONCILERS)
  async getStatement(@Param('id') id: string, @Query('min_position') minPosition: unknown, @Caller() caller: TenantPrincipal, @Req() req: LedgerRequest) {
    await this.reads.settle(caller, ['reconciliation'], minPosition);
    const found = isUuid(id) ? await findStatement(this.reads.pool, id.toLowerCase()) : null;
    return this.reads.ownedOrNotFound(caller, req, found, 'statement', id, 'get_statement');
  }
}
