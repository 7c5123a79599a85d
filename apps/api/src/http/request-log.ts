import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { activeTraceId, errorFields, Logger } from '#telemetry/index.js';
import type { LedgerRequest } from './request-context.js';

/** A caller's `X-Request-Id` is kept when it is 1 to this many printable ASCII characters; otherwise one is made. */
export const REQUEST_ID_LENGTH_MAX = 128;
const PRINTABLE = /^[\x21-\x7e]+$/;
export const REQUEST_ID_HEADER = 'x-request-id';
/** Probed every few seconds by load balancers and scrapers: their answers are logged at debug, unless they fail. */
const PROBE_ROUTES = new Set(['/health', '/metrics']);

/** What a request did, noted while it runs and written in its one log line when it is answered. */
export interface RequestOutcome {
  /** The command's intent id (X-Intent-Id or the body's), when a command carried one. */
  intent_id?: string;
  /** The log position of the last event the request appended (or replayed). */
  position?: string;
  /** The error envelope's code, when the answer is an error. */
  error_code?: string;
  /** What was thrown, for a 5xx: its stack goes into the line. */
  error?: unknown;
  /** The trace this request is part of, when tracing is on. */
  trace_id?: string;
}

/** The request a command runs for: the gateway notes its intent and position without being handed the request. */
const running = new AsyncLocalStorage<RequestOutcome>();

/** The request id: the caller's `X-Request-Id` if it is a sane token, else a new UUID. Fastify's `genReqId`. */
export function requestIdOf(raw: IncomingMessage): string {
  const sent = raw.headers[REQUEST_ID_HEADER];
  const value = Array.isArray(sent) ? sent[0] : sent;
  return typeof value === 'string' && value.length <= REQUEST_ID_LENGTH_MAX && PRINTABLE.test(value) ? value : randomUUID();
}

/** Notes the intent id a command of this request carries (commandEnvelope), accepted or not. */
export function noteIntent(request: LedgerRequest, intentId: string | null): void {
  if (intentId) (request.outcome ??= {}).intent_id = intentId;
}

/** Notes the log position an accepted command of the running request left (a batch: the line keeps the highest). */
export function notePosition(position: bigint | undefined): void {
  const outcome = running.getStore();
  if (!outcome || position === undefined) return;
  if (outcome.position === undefined || BigInt(outcome.position) < position) outcome.position = position.toString();
}

/** Notes the error a request is answered with (ErrorFilter). */
export function noteError(request: LedgerRequest, code: string, error: unknown): void {
  const outcome = (request.outcome ??= {});
  outcome.error_code = code;
  outcome.error = error;
}

/**
 * One log line per request, written when it is answered: request id (also the `X-Request-Id`
 * response header), method, route (the pattern, not the path), status, duration, tenant and key
 * id (never the key), intent id and log position of a command, error code; a 5xx is logged at
 * `error` with the error's stack. Bodies, headers and metadata are never logged.
 */
export function installRequestLog(fastify: FastifyInstance, logger: Logger): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    (request as LedgerRequest).outcome = { trace_id: activeTraceId() };
    done();
  });
  // Entered last before the handler (after the body is read, whose stream events lose the
  // async context): the command the handler submits notes itself into this request's outcome.
  fastify.addHook('preHandler', (request, _reply, done) => {
    running.run(((request as LedgerRequest).outcome ??= {}), done);
  });
  fastify.addHook('onResponse', async (request, reply) => {
    const ledgerRequest = request as LedgerRequest;
    const outcome = ledgerRequest.outcome ?? {};
    const principal = ledgerRequest.principal;
    const line = {
      request_id: request.id,
      method: request.method,
      route: request.routeOptions?.url ?? 'unmatched',
      status: reply.statusCode,
      duration_ms: Math.round(reply.elapsedTime * 10) / 10,
      ...(principal?.kind === 'api_key' ? { tenant_id: principal.tenant_id, key_id: principal.key_id } : principal ? { principal: principal.kind } : {}),
      ...(outcome.intent_id ? { intent_id: outcome.intent_id } : {}),
      ...(outcome.position ? { position: outcome.position } : {}),
      ...(outcome.error_code ? { error_code: outcome.error_code } : {}),
      ...(outcome.trace_id ? { trace_id: outcome.trace_id } : {}),
    };
    if (reply.statusCode >= 500) logger.error({ ...line, err: errorFields(outcome.error ?? 'no error was thrown') }, 'request failed');
    else if (reply.statusCode < 400 && PROBE_ROUTES.has(line.route)) logger.debug(line, 'request');
    else logger.info(line, 'request');
  });
}
