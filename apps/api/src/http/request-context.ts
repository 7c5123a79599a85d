import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { FastifyRequest } from 'fastify';
import { Principal } from '#tenancy/index.js';
import type { RequestOutcome } from './request-log.js';

export interface LedgerRequest extends FastifyRequest {
  principal?: Principal;
  /** The body's text had an escape of a NUL or a surrogate: a batch checks each posting for text PostgreSQL cannot store. */
  bodyHasSuspectEscape?: boolean;
  /** What the request did, for its log line (request-log.ts). */
  outcome?: RequestOutcome;
}

export type TenantPrincipal = Extract<Principal, { kind: 'api_key' }>;

/** The calling API key; routes that take it are tenant-scoped. */
export const Caller = createParamDecorator((_: unknown, ctx: ExecutionContext): TenantPrincipal => {
  const request = ctx.switchToHttp().getRequest<LedgerRequest>();
  return request.principal as TenantPrincipal;
});
