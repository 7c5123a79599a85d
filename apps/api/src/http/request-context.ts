import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { FastifyRequest } from 'fastify';
import { Principal } from '../../../../libs/tenancy/src/index.js';

export interface LedgerRequest extends FastifyRequest {
  principal?: Principal;
}

export type TenantPrincipal = Extract<Principal, { kind: 'api_key' }>;

/** The calling API key; routes that take it are tenant-scoped. */
export const Caller = createParamDecorator((_: unknown, ctx: ExecutionContext): TenantPrincipal => {
  const request = ctx.switchToHttp().getRequest<LedgerRequest>();
  return request.principal as TenantPrincipal;
});
