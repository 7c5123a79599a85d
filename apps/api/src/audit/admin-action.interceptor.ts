import { CallHandler, ExecutionContext, Injectable, NestInterceptor, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { mergeMap, Observable } from 'rxjs';
import { AccessAudit } from '#audit/index.js';
import { LedgerRequest } from '../http/request-context.js';
import { Access, ACCESS_KEY } from '../http/roles.js';
import { who } from './who.js';

const AUDITED_KEY = 'zentra:audited';

interface AuditedRoute {
  /** The kind of resource the route acts on: `api_key`, `tenant`, `webhook_endpoint`… */
  resource: string;
  /** The action's name in the audit log; by default the route's @Allow action. */
  action?: string;
}

/**
 * The route's successful calls are recorded in the audit log (`outcome: "allowed"`, with the
 * actor) before the response is sent: an administrative action changes no money, so the ledger
 * has no event of it, and this is the record of who did it.
 */
export const Audited = (resource: string, action?: string) => SetMetadata(AUDITED_KEY, { resource, action } satisfies AuditedRoute);

@Injectable()
export class AdminActionInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly audit: AccessAudit,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const audited = this.reflector.get<AuditedRoute | undefined>(AUDITED_KEY, context.getHandler());
    if (!audited) return next.handle();
    const access = this.reflector.get<Access | undefined>(ACCESS_KEY, context.getHandler());
    const request = context.switchToHttp().getRequest<LedgerRequest>();
    const action = audited.action ?? (access?.kind === 'roles' ? access.action : 'unknown');
    return next.handle().pipe(
      mergeMap(async (body: unknown) => {
        const params = request.params as Record<string, string> | undefined;
        const id = params?.id ?? (body as { id?: unknown } | null)?.id;
        const resource = typeof id === 'string' ? `${audited.resource}:${id}` : audited.resource;
        // The platform admin acts on a tenant: the record goes to that tenant's audit log.
        const tenantId = audited.resource === 'tenant' && typeof id === 'string' ? id : undefined;
        await this.audit.allowed(who(request.principal!, tenantId), action, resource, String(request.id));
        return body;
      }),
    );
  }
}
