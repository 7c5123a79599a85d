import { DomainError, DomainErrorCode } from '#domain/index.js';

export type ApiErrorCode =
  | DomainErrorCode
  | 'validation_failed'
  | 'unauthenticated'
  | 'forbidden'
  | 'unavailable'
  | 'payload_too_large'
  | 'tenant_suspended'
  | 'last_admin_key'
  | 'rate_limited'
  | 'unsupported_media_type'
  | 'internal';

/** The one error type controllers throw; the filter turns it into the API's envelope. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }

  /** The API's error envelope for this error. */
  toBody() {
    return { error: { code: this.code, message: this.message, details: this.details } };
  }

  static validation(message: string, fields: Record<string, string[]>): ApiError {
    return new ApiError(400, 'validation_failed', message, { fields });
  }

  static notFound(resource: string, id: string): ApiError {
    return new ApiError(404, 'not_found', `${resource} ${id} not found`, { [`${resource}_id`]: id });
  }
}

const DOMAIN_STATUS: Record<DomainErrorCode, [number, ApiErrorCode]> = {
  not_found: [404, 'not_found'],
  idempotency_key_reused: [409, 'idempotency_key_reused'],
  hold_not_pending: [409, 'hold_not_pending'],
  already_reversed: [409, 'already_reversed'],
  insufficient_funds: [422, 'insufficient_funds'],
  unbalanced_transaction: [422, 'unbalanced_transaction'],
  currency_mismatch: [422, 'currency_mismatch'],
  account_not_active: [422, 'account_not_active'],
  account_not_empty: [422, 'account_not_empty'],
  capture_exceeds_hold: [422, 'capture_exceeds_hold'],
  // A hold that cannot be placed as asked (expiry not in the future, one account twice) is bad input.
  invalid_hold: [400, 'validation_failed'],
  // A policy that breaks a limit on policies (params, name, scope) is bad input; details.fields names what.
  invalid_policy: [400, 'validation_failed'],
  policy_limit_reached: [409, 'policy_limit_reached'],
  policy_disabled: [409, 'policy_disabled'],
  policy_violation: [422, 'policy_violation'],
  // A route naming a settlement account that cannot settle (other currency, inactive, debit-normal and not allowed negative).
  invalid_route: [422, 'invalid_route'],
  route_limit_reached: [409, 'route_limit_reached'],
  no_route: [422, 'no_route'],
  intent_not_open: [409, 'intent_not_open'],
  // An intent's reservation ends only through the intent (settle, cancel, expiry), never by the holds routes.
  hold_owned_by_intent: [409, 'hold_owned_by_intent'],
  lock_version_mismatch: [409, 'lock_version_mismatch'],
  path_taken: [409, 'path_taken'],
  // An effective time in the future or before an account was opened is bad input.
  invalid_effective_at: [400, 'validation_failed'],
};

export function fromDomainError(error: DomainError): ApiError {
  const [status, code] = DOMAIN_STATUS[error.code];
  return new ApiError(status, code, error.message, error.details);
}
