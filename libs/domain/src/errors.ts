/** Errors are values: a decision either yields events or one of these. */
export type DomainErrorCode =
  | 'not_found'
  | 'insufficient_funds'
  | 'unbalanced_transaction'
  | 'currency_mismatch'
  | 'account_not_active'
  | 'account_not_empty'
  | 'idempotency_key_reused'
  | 'hold_not_pending'
  | 'already_reversed'
  | 'capture_exceeds_hold'
  | 'invalid_hold'
  | 'invalid_policy'
  | 'policy_limit_reached'
  | 'policy_disabled'
  | 'policy_violation'
  | 'invalid_route'
  | 'route_limit_reached'
  | 'no_route'
  | 'intent_not_open'
  | 'hold_owned_by_intent'
  | 'lock_version_mismatch'
  | 'path_taken'
  | 'invalid_effective_at';

export interface DomainError {
  readonly kind: 'domain_error';
  readonly code: DomainErrorCode;
  readonly message: string;
  readonly details: Record<string, unknown>;
}

export function domainError(code: DomainErrorCode, message: string, details: Record<string, unknown> = {}): DomainError {
  return { kind: 'domain_error', code, message, details };
}

export function isDomainError(value: unknown): value is DomainError {
  return typeof value === 'object' && value !== null && (value as DomainError).kind === 'domain_error';
}
