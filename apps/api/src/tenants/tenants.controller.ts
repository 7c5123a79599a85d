import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Caller, TenantPrincipal } from '../http/request-context.js';
import { Allow, PlatformAdminOnly } from '../http/roles.js';
import { LedgerRuntime } from '../runtime/ledger-runtime.js';
import { CreateApiKeyDto, CreateTenantDto } from './tenants.dto.js';

/** Tenants and keys are configuration, not money: plain tables, not the event log. */
@ApiTags('tenants')
@ApiBearerAuth()
@Controller()
export class TenantsController {
  constructor(private readonly runtime: LedgerRuntime) {}

  @Post('tenants')
  @HttpCode(201)
  @PlatformAdminOnly()
  async createTenant(@Body() dto: CreateTenantDto) {
    const tenant = await this.runtime.keys.createTenant(dto.name);
    return { id: tenant.id, name: tenant.name, created_at: tenant.created_at, api_key: { id: tenant.api_key.id, key: tenant.api_key.key, role: tenant.api_key.role } };
  }

  @Post('api-keys')
  @HttpCode(201)
  @Allow('create_api_key', 'admin')
  async createKey(@Body() dto: CreateApiKeyDto, @Caller() caller: TenantPrincipal) {
    const key = await this.runtime.keys.createKey(caller.tenant_id, dto.role, dto.name ?? null);
    return { id: key.id, key: key.key, role: key.role, name: key.name };
  }
}
