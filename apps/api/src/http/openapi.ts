import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiQuery, ApiResponse } from '@nestjs/swagger';
import type { OpenAPIObject } from '@nestjs/swagger';

/**
 * The pieces every route's OpenAPI description is made of (docs/openapi.md says how to use them).
 * Response bodies are plain JSON schemas registered under a name, so the document (and the SDK
 * types generated from it, libs/sdk) calls them `Account`, `Hold`, `ErrorEnvelope`, ...
 */

/** An OpenAPI 3.0 schema object, as written in the `*.openapi.ts` file of each capability. */
export type JsonSchema = Record<string, unknown>;

const SCHEMAS = new Map<string, JsonSchema>();

/** Registers a named component schema and answers a `$ref` to it. */
export function schema(name: string, body: JsonSchema): JsonSchema {
  const known = SCHEMAS.get(name);
  if (known && JSON.stringify(known) !== JSON.stringify(body)) throw new Error(`OpenAPI schema ${name} registered twice, differently`);
  SCHEMAS.set(name, body);
  return ref(name);
}

export function ref(name: string): JsonSchema {
  return { $ref: `#/components/schemas/${name}` };
}

/** Puts every registered schema into the document's components (api-app.ts, before serving it). */
export function addSchemas(document: OpenAPIObject): OpenAPIObject {
  document.components ??= {};
  document.components.schemas = { ...(document.components.schemas ?? {}), ...Object.fromEntries([...SCHEMAS].sort(([a], [b]) => a.localeCompare(b))) };
  return document;
}

// Shared field shapes: amounts and positions are strings of digits, times RFC 3339.
export const AMOUNT: JsonSchema = { type: 'string', pattern: '^[0-9]+$', description: 'minor units, a string of decimal digits', example: '125000' };
export const SIGNED_AMOUNT: JsonSchema = { type: 'string', pattern: '^-?[0-9]+$', description: 'minor units; may be negative', example: '-300' };
export const POSITION: JsonSchema = { type: 'string', pattern: '^[0-9]+$', description: 'a position in the event log (pass it as min_position to read your write elsewhere)', example: '42' };
export const UUID: JsonSchema = { type: 'string', format: 'uuid', example: '0b0c6a4e-8f5e-4a8e-9b53-7b2a4c1e9f10' };
export const TIME: JsonSchema = { type: 'string', format: 'date-time', example: '2026-12-05T01:52:11.000Z' };
export const METADATA: JsonSchema = { type: 'object', additionalProperties: true, example: { order: '42' } };
export const nullable = (body: JsonSchema): JsonSchema => ({ ...body, nullable: true });

/** Every error code the API answers with, and the status that carries it (../shared/API.md, Errors). */
export const ERROR_STATUS = {
  validation_failed: 400,
  unauthenticated: 401,
  forbidden: 403,
  tenant_suspended: 403,
  not_found: 404,
  idempotency_key_reused: 409,
  hold_not_pending: 409,
  already_reversed: 409,
  last_admin_key: 409,
  policy_limit_reached: 409,
  policy_disabled: 409,
  intent_not_open: 409,
  route_limit_reached: 409,
  hold_owned_by_intent: 409,
  lock_version_mismatch: 409,
  path_taken: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  insufficient_funds: 422,
  unbalanced_transaction: 422,
  currency_mismatch: 422,
  account_not_active: 422,
  account_not_empty: 422,
  capture_exceeds_hold: 422,
  policy_violation: 422,
  no_route: 422,
  invalid_route: 422,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;
export type ErrorCode = keyof typeof ERROR_STATUS;

export const ERROR_ENVELOPE = schema('ErrorEnvelope', {
  type: 'object',
  description: 'Every error: the code says what happened, details name the fields or ids involved.',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'details'],
      properties: {
        code: { type: 'string', enum: Object.keys(ERROR_STATUS), example: 'validation_failed' },
        message: { type: 'string', example: 'amount must be a positive integer' },
        details: { type: 'object', additionalProperties: true, example: { fields: { amount: ['must be a positive integer'] } } },
      },
    },
  },
});

/** A page of a list: `data` and the cursor of the next page (null on the last). */
export function page(item: JsonSchema): JsonSchema {
  return {
    type: 'object',
    required: ['data', 'next_cursor'],
    properties: { data: { type: 'array', items: item }, next_cursor: { type: 'string', nullable: true, description: 'pass as cursor for the next page; null on the last' } },
  };
}

/** What each status means on any route; a route lists the ones it can answer. */
const ERROR_DESCRIPTIONS: Record<number, [string, ErrorCode]> = {
  400: ['bad input: details.fields names the fields', 'validation_failed'],
  401: ['no key, or a key that is unknown, revoked or expired', 'unauthenticated'],
  403: ["the key's role may not do this, or its tenant is suspended", 'forbidden'],
  404: ['no such resource in this tenant', 'not_found'],
  409: ['conflicts with the state of the resource, or an idempotency key reused with another request', 'idempotency_key_reused'],
  413: ["the body is over this route's limit", 'payload_too_large'],
  415: ['the body is not application/json', 'unsupported_media_type'],
  422: ['the ledger refused the command (funds, balance, currency, status, policy)', 'insufficient_funds'],
  429: ['over the key\'s request rate: retry after the Retry-After header\'s seconds', 'rate_limited'],
  503: ['storage unavailable: safe to retry with the same idempotency key', 'unavailable'],
};

/** Statuses every authenticated route can answer: the edge (auth, rate, body limit) and storage. */
export const EDGE_ERRORS = [400, 401, 403, 413, 415, 429, 503] as const;

export interface RouteDoc {
  /** `camelCase` verb + resource; the SDK's method names follow the contract, not this. */
  operationId: string;
  summary: string;
  description?: string;
  /** The success status and its body (a `$ref`, page(...) or an inline schema); null: no JSON body. */
  ok: [number, JsonSchema | null];
  /** An example of the success body. */
  example?: unknown;
  /** Other successes (or non-envelope answers) the route can give, e.g. 202 with the run under way. */
  also?: [number, JsonSchema, string][];
  /** Statuses besides EDGE_ERRORS this route can answer (404, 409, 422, ...). */
  errors?: number[];
  /** The request body, when the route takes one. */
  body?: JsonSchema;
  bodyRequired?: boolean;
  /** Query parameters, all optional: name -> [schema, description]. */
  query?: Record<string, [JsonSchema, string]>;
  /** Routes without a key (health, metrics): no security requirement. */
  open?: boolean;
  /** The success body's media type when it is not JSON. */
  mediaType?: string;
}

/** One decorator per route: operation, its success response, its error responses, its body. */
export function ApiRoute(doc: RouteDoc) {
  const [status, body] = doc.ok;
  const decorators = [
    // An open route (health, metrics) says so with an empty security requirement.
    ApiOperation({ operationId: doc.operationId, summary: doc.summary, description: doc.description, ...(doc.open ? { security: [] } : {}) }),
    ApiResponse({
      status,
      description: doc.summary,
      content: body ? { [doc.mediaType ?? 'application/json']: { schema: body, ...(doc.example !== undefined ? { example: doc.example } : {}) } } : undefined,
    }),
  ];
  for (const [code, schema, description] of doc.also ?? []) decorators.push(ApiResponse({ status: code, description, content: { 'application/json': { schema } } }));
  const errors = (doc.open ? [400, 429, 503] : [...EDGE_ERRORS]).concat(doc.errors ?? []).filter((code) => !doc.also?.some(([other]) => other === code));
  for (const code of [...new Set(errors)].sort()) {
    const [description, example] = ERROR_DESCRIPTIONS[code];
    decorators.push(
      ApiResponse({
        status: code,
        description,
        content: { 'application/json': { schema: ERROR_ENVELOPE, example: { error: { code: example, message: description, details: {} } } } },
      }),
    );
  }
  for (const [name, [schema, description]] of Object.entries(doc.query ?? {})) decorators.push(ApiQuery({ name, required: false, schema, description }));
  if (doc.body) decorators.push(ApiBody({ schema: doc.body, required: doc.bodyRequired ?? true }));
  return applyDecorators(...decorators);
}

/** The query of every paged list. */
export const PAGE_QUERY: Record<string, [JsonSchema, string]> = {
  limit: [{ type: 'integer', minimum: 1, maximum: 1000, default: 50 }, 'items per page'],
  cursor: [{ type: 'string' }, "the previous page's next_cursor"],
};
/** Read-your-writes across processes: the read waits (bounded) until the read models reach it. */
export const MIN_POSITION_QUERY: Record<string, [JsonSchema, string]> = {
  min_position: [{ type: 'string', pattern: '^[0-9]+$' }, 'a position a write returned: the answer includes that write'],
};

/** The optional body of an action route (freeze, disable, ...): only the command options. */
export const COMMAND_OPTIONS: JsonSchema = {
  type: 'object',
  properties: {
    idempotency_key: { type: 'string', description: 'same as the Idempotency-Key header', example: 'freeze-42' },
    intent_id: { type: 'string', description: 'same as the X-Intent-Id header; traced at GET /intents/:id' },
  },
};

/** `?dry_run=true` on postings and holds. */
export const DRY_RUN_QUERY: Record<string, [JsonSchema, string]> = {
  dry_run: [{ type: 'boolean' }, 'decide against current state and answer 200 with the would-be body (position null); nothing is appended, no idempotency key used'],
};

/** A dry run's answer: the body the real command would give, `dry_run: true`, no position. */
export function dryRunOf(name: string, required: string[]): JsonSchema {
  return schema(`DryRun${name}`, {
    type: 'object',
    description: `what a real ${name.toLowerCase()} would answer, decided against current state; nothing appended`,
    required: ['dry_run', ...required],
    additionalProperties: true,
    properties: {
      dry_run: { type: 'boolean', enum: [true] },
      position: { type: 'string', nullable: true, enum: [null] },
      ...Object.fromEntries(required.map((field) => [field, { description: `as the real ${name.toLowerCase()} shows it` }])),
    },
  });
}
