import { Body, Controller, Get, Param, Patch, Post, Query, Req, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { FieldErrors, LedgerCommand, parsePolicyRule, parsePolicyScope, PolicyScope } from '#domain/index.js';
import { ApiError } from '../http/api-error.js';
import { commandEnvelope } from '../http/command-request.js';
import { Caller, LedgerRequest, TenantPrincipal } from '../http/request-context.js';
import { Allow, READERS } from '../http/roles.js';
import { CommandResult, send } from '../runtime/ledger-gateway.js';
import { ChangePolicyCommand } from './change-policy.command.js';
import { CreatePolicyCommand } from './create-policy.command.js';
import { CreatePolicyDto, UpdatePolicyDto } from './policies.dto.js';
import { GetPolicyQuery, ListPoliciesQuery } from './policy.queries.js';
import { ApiRoute, COMMAND_OPTIONS, MIN_POSITION_QUERY, PAGE_QUERY } from '../http/openapi.js';
import { POLICY, POLICY_EXAMPLE, POLICY_PAGE } from './policies.openapi.js';

function invalid(fields: FieldErrors): ApiError {
  return ApiError.validation(`invalid ${Object.keys(fields).join(', ')}`, fields);
}

function scopeOf(raw: unknown): PolicyScope {
  const parsed = parsePolicyScope(raw);
  if (!parsed.ok) throw invalid(parsed.fields);
  return parsed.value;
}

/**
 * Tenant policies (API.md "Policies"). Only an admin changes them: a policy bounds what every
 * other key may do. Reading them is a read like any other, and the contract's roles give
 * `service` "all ledger commands and reads", so every tenant role reads them (READERS): a service
 * that posts can see which limits its postings meet. Each change is a ledger event, so the
 * audit log records it as allowed with its actor.
 */
@ApiTags('policies')
@ApiBearerAuth()
@Controller('policies')
export class PoliciesController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @ApiRoute({ operationId: 'createPolicy', summary: 'Create a tenant policy', ok: [201, POLICY], example: POLICY_EXAMPLE, errors: [404, 409, 422] })
  @Post()
  @Allow('create_policy', 'admin')
  async create(@Body() dto: CreatePolicyDto, @Caller() caller: TenantPrincipal, @Req() req: LedgerRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const rule = parsePolicyRule(dto.type, dto.params);
    if (!rule.ok) throw invalid(rule.fields);
    const command: LedgerCommand = { type: 'create_policy', name: dto.name, mode: dto.mode ?? 'enforce', scope: scopeOf(dto.scope), rule: rule.value };
    const envelope = commandEnvelope(req, caller, command, dto);
    return send(reply, await this.commands.execute<CreatePolicyCommand, CommandResult>(new CreatePolicyCommand(envelope)));
  }

  @ApiRoute({ operationId: 'listPolicies', summary: 'List policies', ok: [200, POLICY_PAGE], example: { data: [], next_cursor: null }, query: { ...PAGE_QUERY, status: [{ type: 'string', enum: ['active', 'disabled'] }, 'only this status'], ...MIN_POSITION_QUERY } })
  @Get()
  @Allow('list_policies', ...READERS)
  list(@Caller() caller: TenantPrincipal, @Query() query: Record<string, unknown>) {
    return this.queries.execute(new ListPoliciesQuery(caller, query));
  }

  @ApiRoute({ operationId: 'getPolicy', summary: 'Get a policy', ok: [200, POLICY], example: POLICY_EXAMPLE, errors: [404], query: MIN_POSITION_QUERY })
  @Get(':id')
  @Allow('get_policy', ...READERS)
  get(@Param('id') id: string, @Query('min_position') minPosition: unknown, @Caller() caller: TenantPrincipal, @Req() req: LedgerRequest) {
    return this.queries.execute(new GetPolicyQuery(caller, req, id, minPosition));
  }

  /** The params are parsed by the decider, which knows the policy's type (see UpdatePolicy). */
  @ApiRoute({ operationId: 'updatePolicy', summary: "Change a policy's params, mode or scope (version + 1)", ok: [200, POLICY], example: { ...POLICY_EXAMPLE, version: 2, event: 'policy.updated' }, errors: [404, 409, 422] })
  @Patch(':id')
  @Allow('update_policy', 'admin')
  async update(@Param('id') id: string, @Body() dto: UpdatePolicyDto, @Caller() caller: TenantPrincipal, @Req() req: LedgerRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const command: LedgerCommand = {
      type: 'update_policy',
      policy_id: id.toLowerCase(),
      ...(dto.mode !== undefined && { mode: dto.mode }),
      ...(dto.scope !== undefined && { scope: scopeOf(dto.scope) }),
      ...(dto.params !== undefined && { params: dto.params }),
    };
    const envelope = commandEnvelope(req, caller, command, dto);
    return send(reply, await this.commands.execute<ChangePolicyCommand, CommandResult>(new ChangePolicyCommand(envelope)));
  }

  @ApiRoute({ operationId: 'disablePolicy', summary: 'Disable a policy', ok: [200, POLICY], example: { ...POLICY_EXAMPLE, status: 'disabled', version: 2, event: 'policy.disabled' }, errors: [404, 409], body: COMMAND_OPTIONS, bodyRequired: false })
  @Post(':id/disable')
  @Allow('disable_policy', 'admin')
  async disable(@Param('id') id: string, @Body() body: unknown, @Caller() caller: TenantPrincipal, @Req() req: LedgerRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const options = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
    const envelope = commandEnvelope(req, caller, { type: 'disable_policy', policy_id: id.toLowerCase() }, options);
    return send(reply, await this.commands.execute<ChangePolicyCommand, CommandResult>(new ChangePolicyCommand(envelope)));
  }
}
