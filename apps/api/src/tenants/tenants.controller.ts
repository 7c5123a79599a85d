import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { parseRfc3339 } from '#domain/time.js';
import { ApiKeyService, KeyRefusal, TenantStatus } from '#tenancy/index.js';
import { actorOf } from '#tenancy/index.js';
import { Audited } from '../audit/admin-action.interceptor.js';
import { ApiError } from '../http/api-error.js';
import { decodeCursor, encodeCursor, isUuid, parseLimit } from '../http/pagination.js';
import { Caller, type LedgerRequest, type TenantPrincipal } from '../http/request-context.js';
import { Allow, PlatformAdminOnly, READERS } from '../http/roles.js';
import { Reads } from '../runtime/reads.js';
import { CreateApiKeyDto, CreateTenantDto } from './tenants.dto.js';
import { ApiRoute, PAGE_QUERY } from '../http/openapi.js';
import { API_KEY_PAGE, API_KEY, CALLER_KEY, CREATED_KEY, CREATED_TENANT, TENANT } from './tenants.openapi.js';

/** 9999-12-31T23:59:59.999999Z in microseconds: no key cursor points later. */
const CREATED_US_MAX = 253_402_300_799_999_999n;

function refused(refusal: KeyRefusal, id: string): ApiError {
  switch (refusal.code) {
    case 'not_found':
      return ApiError.notFound('api_key', id);
    case 'last_admin_key':
      return new ApiError(409, 'last_admin_key', 'this is the tenant\'s last active admin key; issue another admin key before revoking it', { api_key_id: id });
    case 'tenant_suspended':
      return new ApiError(403, 'tenant_suspended', 'this tenant is suspended by the platform admin', {});
    case 'issuer_inactive':
      return new ApiError(401, 'unauthenticated', 'missing, unknown, revoked or expired API key');
    case 'outlives_creator':
      return ApiError.validation(`expires_at must not be after the issuing key's own expiry (${refusal.creator_expires_at})`, {
        expires_at: [`must be at or before ${refusal.creator_expires_at}`],
      });
  }
}

/** Tenants and keys are configuration, not money: plain tables, not the event log. Every change is audited. */
@ApiTags('tenants')
@ApiBearerAuth()
@Controller()
export class TenantsController {
  constructor(
    private readonly keys: ApiKeyService,
    private readonly reads: Reads,
  ) {}

  @ApiRoute({ operationId: 'createTenant', summary: 'Create a tenant and its first admin key (platform admin token)', ok: [201, CREATED_TENANT], example: { id: '5f1c1f7e-2b8a-4c55-a0a4-93a1d5a1e0c2', name: 'acme', status: 'active', created_at: '2026-12-05T01:52:11.000Z', api_key: { id: '0b0c6a4e-8f5e-4a8e-9b53-7b2a4c1e9f10', key: 'zl_3hX9aQ', role: 'admin' } } })
  @Post('tenants')
  @HttpCode(201)
  @PlatformAdminOnly()
  @Audited('tenant', 'create_tenant')
  async createTenant(@Body() dto: CreateTenantDto) {
    const tenant = await this.keys.createTenant(dto.name);
    const { id, key, role } = tenant.api_key;
    return { id: tenant.id, name: tenant.name, status: tenant.status, created_at: tenant.created_at, api_key: { id, key, role } };
  }

  @ApiRoute({ operationId: 'suspendTenant', summary: 'Suspend a tenant (platform admin token)', ok: [200, TENANT], example: { id: '5f1c1f7e-2b8a-4c55-a0a4-93a1d5a1e0c2', name: 'acme', status: 'suspended' }, errors: [404] })
  @Post('tenants/:id/suspend')
  @HttpCode(200)
  @PlatformAdminOnly()
  @Audited('tenant', 'suspend_tenant')
  suspend(@Param('id') id: string) {
    return this.setStatus(id, 'suspended');
  }

  @ApiRoute({ operationId: 'resumeTenant', summary: 'Resume a suspended tenant (platform admin token)', ok: [200, TENANT], example: { id: '5f1c1f7e-2b8a-4c55-a0a4-93a1d5a1e0c2', name: 'acme', status: 'active' }, errors: [404] })
  @Post('tenants/:id/resume')
  @HttpCode(200)
  @PlatformAdminOnly()
  @Audited('tenant', 'resume_tenant')
  resume(@Param('id') id: string) {
    return this.setStatus(id, 'active');
  }

  private async setStatus(id: string, status: TenantStatus) {
    const tenant = isUuid(id) ? await this.keys.setTenantStatus(id.toLowerCase(), status) : null;
    if (!tenant) throw ApiError.notFound('tenant', id);
    return tenant;
  }

  @ApiRoute({ operationId: 'createApiKey', summary: 'Issue an API key (the key is shown once)', ok: [201, CREATED_KEY], example: { id: '0b0c6a4e-8f5e-4a8e-9b53-7b2a4c1e9f10', key: 'zl_3hX9aQ', role: 'service', name: 'payments', expires_at: null } })
  @Post('api-keys')
  @HttpCode(201)
  @Allow('create_api_key', 'admin')
  @Audited('api_key')
  async createKey(@Body() dto: CreateApiKeyDto, @Caller() caller: TenantPrincipal) {
    let expiresAt: string | null = null;
    if (dto.expires_at !== undefined) {
      const millis = parseRfc3339(dto.expires_at);
      if (millis === null) throw ApiError.validation('expires_at must be an RFC 3339 time', { expires_at: ['must be an RFC 3339 date-time with an offset'] });
      if (millis <= Date.now()) throw ApiError.validation('expires_at must be in the future', { expires_at: ['must be in the future'] });
      expiresAt = new Date(millis).toISOString();
    }
    const key = await this.keys.createKey(caller.tenant_id, dto.role, dto.name ?? null, expiresAt, { key_id: caller.key_id, actor: actorOf(caller) });
    if ('code' in key) throw refused(key, 'new');
    return { id: key.id, key: key.key, role: key.role, name: key.name, expires_at: key.expires_at };
  }

  /** Who is calling: any role may ask, so a client shows only what this key's role may do. */
  @ApiRoute({ operationId: 'getCallerApiKey', summary: 'The calling key: its id, role and tenant', ok: [200, CALLER_KEY], example: { id: '0b0c6a4e-8f5e-4a8e-9b53-7b2a4c1e9f10', role: 'operator', tenant_id: '5f1c1f7e-2b8a-4c55-a0a4-93a1d5a1e0c2' } })
  @Get('api-keys/me')
  @Allow('get_caller_api_key', ...READERS)
  me(@Caller() caller: TenantPrincipal) {
    return { id: caller.key_id, role: caller.role, tenant_id: caller.tenant_id };
  }

  /** The tenant's keys, oldest first, never the key itself: its first 8 characters (`prefix`) identify it. */
  @ApiRoute({ operationId: 'listApiKeys', summary: "List the tenant's keys (never the key itself)", ok: [200, API_KEY_PAGE], example: { data: [], next_cursor: null }, query: PAGE_QUERY })
  @Get('api-keys')
  @Allow('list_api_keys', 'admin')
  async listKeys(@Query('limit') rawLimit: unknown, @Query('cursor') rawCursor: unknown, @Caller() caller: TenantPrincipal) {
    const limit = parseLimit(rawLimit);
    const cursor = decodeCursor(rawCursor, 2);
    if (cursor && BigInt(cursor[0]) > CREATED_US_MAX) throw ApiError.validation('cursor is not valid', { cursor: ['not a cursor this API returned'] });
    const after = cursor ? { created_us: cursor[0], id: uuidOf(BigInt(cursor[1])) } : null;
    const rows = await this.keys.listKeys(caller.tenant_id, after, limit + 1);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    const next = rows.length > limit && last ? encodeCursor([last.cursor.created_us, BigInt(`0x${last.cursor.id.replace(/-/g, '')}`)]) : null;
    return { data: page.map((row) => row.key), next_cursor: next };
  }

  @ApiRoute({ operationId: 'revokeApiKey', summary: 'Revoke an API key', ok: [200, API_KEY], example: { id: '0b0c6a4e-8f5e-4a8e-9b53-7b2a4c1e9f10', name: 'payments', role: 'service', prefix: 'zl_3hX9a', created_at: '2026-12-05T01:52:11.000Z', created_by: null, last_used_at: null, expires_at: null, revoked_at: '2026-12-05T02:00:00.000Z' }, errors: [404, 409] })
  @Post('api-keys/:id/revoke')
  @HttpCode(200)
  @Allow('revoke_api_key', 'admin')
  @Audited('api_key')
  async revokeKey(@Param('id') id: string, @Caller() caller: TenantPrincipal, @Req() req: LedgerRequest) {
    if (!isUuid(id)) throw ApiError.notFound('api_key', id);
    const found = await this.keys.findKey(id.toLowerCase());
    await this.reads.ownedOrNotFound(caller, req, found, 'api_key', id, 'revoke_api_key');
    const revoked = await this.keys.revokeKey(caller.tenant_id, id.toLowerCase());
    if ('code' in revoked) throw refused(revoked, id);
    return revoked;
  }
}

/** A uuid from the 128-bit integer a cursor carries (cursors are digits only). */
function uuidOf(value: bigint): string {
  const hex = value.toString(16).padStart(32, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
