import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import { FastifyReply } from 'fastify';
import { EventStoreUnavailableError } from '#event-store/index.js';
import { isConnectionError, isQueryCanceled, isUndefinedTable } from '#database/errors.js';
import { ChainBrokenError } from '#audit/index.js';
import { ClockSkewedError, WriterContendedError, WriterOverloadedError } from '#write-model/index.js';
import { ApiError } from './api-error.js';
import { LedgerRequest } from './request-context.js';
import { intentOf } from './command-request.js';
import { noteError, noteIntent } from './request-log.js';

/** Maps anything thrown to the API's error envelope; bad input is never a 500. */
export function toApiError(exception: unknown): ApiError {
  if (exception instanceof ApiError) return exception;
  if (exception instanceof ClockSkewedError) {
    return new ApiError(503, 'unavailable', `${exception.message}; retry with the same Idempotency-Key`, { clock_skew_ms: exception.skew_ms, clock_skew_max_ms: exception.max_ms });
  }
  if (exception instanceof ChainBrokenError) {
    // The tenant's own log, named where it breaks: nothing is signed over it until it verifies.
    return new ApiError(503, 'unavailable', `the tenant's hash chain does not verify from its last signed head, so no head is signed: ${exception.reason}`, { position: exception.position, event_id: exception.event_id });
  }
  if (isUndefinedTable(exception)) {
    // Every table outside the read models exists before the API listens (migrations): this is a
    // read model its projection has not created yet (a fresh database, the projector elsewhere).
    return new ApiError(503, 'unavailable', 'a read model is not built yet; retry shortly', {});
  }
  if (exception instanceof EventStoreUnavailableError || exception instanceof WriterOverloadedError || isConnectionError(exception)) {
    return new ApiError(503, 'unavailable', 'storage is unavailable; retry with the same Idempotency-Key', {});
  }
  if (isQueryCanceled(exception)) {
    // The statement ran past LEDGER_STATEMENT_TIMEOUT_MS and was rolled back: nothing changed.
    return new ApiError(503, 'unavailable', 'the query took too long and was cancelled; retry shortly', {});
  }
  if (exception instanceof WriterContendedError) {
    return new ApiError(503, 'unavailable', "the tenant's ledger is busy with concurrent writers; retry with the same Idempotency-Key", {});
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    if (status === 404) return new ApiError(404, 'not_found', 'no such route', {});
    if (status === 413) return new ApiError(413, 'payload_too_large', 'request body is too large', {});
    if (status === 415) return new ApiError(415, 'unsupported_media_type', 'send application/json', {});
    if (status < 500) return new ApiError(400, 'validation_failed', exception.message, {});
  }
  const fastify = exception as { statusCode?: number; code?: string; message?: string };
  if (typeof fastify?.statusCode === 'number' && fastify.statusCode >= 400 && fastify.statusCode < 500) {
    if (fastify.statusCode === 413) return new ApiError(413, 'payload_too_large', 'request body is too large', {});
    if (fastify.statusCode === 415) return new ApiError(415, 'unsupported_media_type', fastify.message ?? 'unsupported media type', {});
    const message = fastify.message ?? 'bad input';
    return new ApiError(400, 'validation_failed', `malformed request: ${message}`, { fields: { body: [message] } });
  }
  return new ApiError(500, 'internal', 'internal error', {});
}

/**
 * Fastify's router refuses a URL that is not valid percent-encoded UTF-8 (400) or has a path
 * parameter over its length limit (414) before any hook, filter or route runs; answered here in
 * the API's envelope (as validation_failed, like any other malformed request) instead of
 * Fastify's own `{statusCode, code, error, message}`. Passed to Fastify as `frameworkErrors`.
 */
export function replyFrameworkError(error: unknown, _request: unknown, reply: FastifyReply): void {
  const apiError = toApiError(error);
  void reply.status(apiError.status).header('content-type', 'application/json').send(apiError.toBody());
}

const REFUSAL_STAGE = (status: number) => (status === 400 ? 'validation' : status === 401 || status === 403 ? 'control' : status >= 500 ? 'storage' : 'decision');

@Catch()
export class ErrorFilter implements ExceptionFilter {
  /** `onRefused` records where an intent stopped (the trace of GET /intents/:id). */
  constructor(private readonly onRefused: (request: LedgerRequest, error: ApiError) => Promise<void> = async () => undefined) {}

  async catch(exception: unknown, host: ArgumentsHost): Promise<void> {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const request = host.switchToHttp().getRequest<LedgerRequest>();
    const error = toApiError(exception);
    // The request's log line (request-log.ts) carries the code, and for a 5xx the stack.
    noteError(request, error.code, exception);
    // A command refused before it was enveloped (validation, role) still names its intent.
    if (!request.outcome?.intent_id) noteIntent(request, intentOf(request));
    await this.onRefused(request, error).catch(() => undefined);
    void reply.status(error.status).header('content-type', 'application/json').send(error.toBody());
  }
}

export function refusalState(error: ApiError) {
  return { state: 'refused' as const, at: new Date().toISOString(), stage: REFUSAL_STAGE(error.status), code: error.code, message: error.message };
}
