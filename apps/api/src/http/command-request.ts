import { createHash } from 'node:crypto';
import { LedgerCommand } from '#domain/index.js';
import { actorOf } from '#tenancy/index.js';
import { CommandEnvelope } from '#write-model/index.js';
import { ApiError } from './api-error.js';
import { canonicalJson } from '#domain/index.js';
import { LedgerRequest, TenantPrincipal } from './request-context.js';
import { noteIntent } from './request-log.js';

const IDEMPOTENCY_KEY_LENGTH_MAX = 255;
const INTENT_ID_LENGTH_MAX = 255;
const PRINTABLE = /^[\x21-\x7e]+$/;
/** The idempotency keys of POST /intents: the intent id under a prefix callers' own keys may not use. */
const INTENT_KEY_PREFIX = 'intent:';

export function intentIdempotencyKey(intentId: string): string {
  return `${INTENT_KEY_PREFIX}${intentId}`;
}

function headerValue(request: LedgerRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function isToken(value: unknown, max: number): value is string {
  return typeof value === 'string' && value.length <= max && PRINTABLE.test(value);
}

/**
 * The intent id of a request (`X-Intent-Id`, else the body's `intent_id`) when it is one
 * commandEnvelope would take, else null: for tracing a refusal that happened before it.
 */
export function intentOf(request: LedgerRequest): string | null {
  const fromBody = (request.body as { intent_id?: unknown } | undefined)?.intent_id;
  const intent = headerValue(request, 'x-intent-id') ?? fromBody;
  return isToken(intent, INTENT_ID_LENGTH_MAX) ? intent : null;
}

function optionalToken(value: unknown, field: string, max: number): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (!isToken(value, max)) {
    throw ApiError.validation(`${field} must be 1-${max} printable characters`, { [field]: [`must be 1-${max} printable characters`] });
  }
  return value;
}

/**
 * Wraps a validated domain command with who sent it and its idempotency key (header
 * `Idempotency-Key` or body `idempotency_key`) and intent id (`X-Intent-Id` or body `intent_id`).
 * The request hash covers the normalised command, so "100" and 100 are the same request.
 */
export function commandEnvelope(
  request: LedgerRequest,
  caller: TenantPrincipal,
  command: LedgerCommand,
  body: { idempotency_key?: unknown; intent_id?: unknown } = {},
  /**
   * Batch items take their key and intent from their own body only. `idempotencyKey` replaces the
   * caller's key: POST /intents is idempotent on its intent id (intentIdempotencyKey).
   */
  options: { headers: boolean; idempotencyKey?: string } = { headers: true },
): CommandEnvelope {
  const fromHeader = options.headers ? optionalToken(headerValue(request, 'idempotency-key'), 'Idempotency-Key', IDEMPOTENCY_KEY_LENGTH_MAX) : null;
  const fromBody = optionalToken(body.idempotency_key, 'idempotency_key', IDEMPOTENCY_KEY_LENGTH_MAX);
  if (fromHeader && fromBody && fromHeader !== fromBody) {
    throw ApiError.validation('Idempotency-Key header and idempotency_key differ', { idempotency_key: ['differs from the Idempotency-Key header'] });
  }
  const given = fromHeader ?? fromBody;
  if (given?.startsWith(INTENT_KEY_PREFIX)) {
    throw ApiError.validation(`idempotency keys starting with "${INTENT_KEY_PREFIX}" are the runtime's (POST /intents)`, { idempotency_key: [`must not start with "${INTENT_KEY_PREFIX}"`] });
  }
  const key = options.idempotencyKey ?? given;
  const intent =
    (options.headers ? optionalToken(headerValue(request, 'x-intent-id'), 'X-Intent-Id', INTENT_ID_LENGTH_MAX) : null) ??
    optionalToken(body.intent_id, 'intent_id', INTENT_ID_LENGTH_MAX);
  noteIntent(request, intent);
  return {
    tenant_id: caller.tenant_id,
    command,
    idempotency_key: key,
    request_hash: key ? createHash('sha256').update(canonicalJson(command)).digest('hex') : null,
    metadata: {
      actor: actorOf(caller),
      role: caller.role,
      request_id: String(request.id),
      intent_id: intent,
      // What ran before the writer: the tenant came from the key, the role was allowed. The writer
      // adds one check per tenant policy the decision evaluated (none when none applied).
      policy: ['tenant_scope.passed', 'role.passed'],
    },
  };
}

/**
 * `?dry_run=true`: decide against current state, append nothing, use no idempotency key (so a
 * dry run never answers for, nor takes, a real command's key).
 */
export function withDryRun(request: LedgerRequest, envelope: CommandEnvelope): CommandEnvelope {
  const raw = (request.query as Record<string, unknown> | undefined)?.dry_run;
  if (raw === undefined || raw === 'false') return envelope;
  if (raw !== 'true') throw ApiError.validation('dry_run must be true or false', { dry_run: ['must be true or false'] });
  return { ...envelope, idempotency_key: null, request_hash: null, dry_run: true };
}
