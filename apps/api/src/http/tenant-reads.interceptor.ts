import { CallHandler, ExecutionContext, Injectable, NestInterceptor, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { defer, finalize, from, Observable, switchMap } from 'rxjs';
import { TenantConnectionGate } from '../runtime/tenant-connection-gate.js';
import { LedgerRequest } from './request-context.js';

const READS_HEAVILY = 'zentra:reads-heavily';

/** A POST that reads like a query (a statement import loads and matches entries): gated like a GET. */
export const ReadsHeavily = () => SetMetadata(READS_HEAVILY, true);

/**
 * Every GET of a tenant (and every route marked @ReadsHeavily) runs inside the tenant's share of
 * the pool (TenantConnectionGate). Writes are not gated: they go through the tenant's one writer,
 * which appends with one connection at a time.
 */
@Injectable()
export class TenantReadsInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly tenantReads: TenantConnectionGate,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<LedgerRequest>();
    const principal = request.principal;
    if (principal?.kind !== 'api_key') return next.handle();
    if (request.method !== 'GET' && !this.reflector.get<boolean>(READS_HEAVILY, context.getHandler())) return next.handle();
    const gate = this.tenantReads;
    const tenantId = principal.tenant_id;
    return from(gate.acquire(tenantId)).pipe(switchMap(() => defer(() => next.handle()).pipe(finalize(() => gate.release(tenantId)))));
  }
}
