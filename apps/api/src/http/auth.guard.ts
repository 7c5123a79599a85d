import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AccessAudit } from '#audit/index.js';
import { who } from '../audit/who.js';
import { ApiError } from './api-error.js';
import { LedgerRequest, TenantPrincipal } from './request-context.js';
import { Access, ACCESS_KEY } from './roles.js';

/**
 * Every route declares who may call it (@Allow, @PlatformAdminOnly, @Public); a route that
 * declares nothing is closed. The tenant always comes from the key, never from the request.
 * The key itself was resolved at the edge (installEdge), before the body was read.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly audit: AccessAudit,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const access = this.reflector.getAllAndOverride<Access | undefined>(ACCESS_KEY, [context.getHandler(), context.getClass()]);
    if (access?.kind === 'public') return true;
    const request = context.switchToHttp().getRequest<LedgerRequest>();
    const principal = request.principal;
    if (!principal) throw new ApiError(401, 'unauthenticated', 'missing, unknown, revoked or expired API key');
    if (principal.kind === 'api_key' && principal.tenant_status === 'suspended') {
      throw new ApiError(403, 'tenant_suspended', 'this tenant is suspended by the platform admin', { tenant_id: principal.tenant_id });
    }

    if (!access) throw new ApiError(403, 'forbidden', 'this route is closed');
    if (access.kind === 'platform_admin') {
      if (principal.kind === 'platform_admin') return true;
      await this.deny(principal, 'platform_admin', request);
    }
    if (principal.kind === 'platform_admin') {
      throw new ApiError(403, 'forbidden', 'the platform admin token only manages tenants; use a tenant API key');
    }
    if (access.kind === 'roles' && access.roles.includes(principal.role)) return true;
    return this.deny(principal, access.kind === 'roles' ? access.action : 'unknown', request);
  }

  private async deny(principal: TenantPrincipal, action: string, request: LedgerRequest): Promise<never> {
    await this.audit.denied(who(principal), action, request.url, 'role', String(request.id));
    throw new ApiError(403, 'forbidden', `role ${principal.role} may not ${action}`, { role: principal.role, action });
  }
}
