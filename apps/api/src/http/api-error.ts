import { DomainError, DomainErrorCode } from '../../../../libs/domain/src/index.js';

export type ApiErrorCode =
  | DomainErrorCode
  | 'validation_failed'
  | 'unauthenticated'
  | 'forbidden'
  | 'unavailable'
  | 'payload_too_large'
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

  static validation(message: string, fields: Record<string, string[]>): ApiError {
    return new ApiError(400, 'validation_failed', message, { fields });
  }

  static notFound(resource: string, id: string): ApiError {
    return new ApiError(404, 'not_found', `${resource} ${id} not found`, { [`${resource}_id`]: id });
  }
}

const DOMAIN_STATUS: Record<DomainErrorCode, number> = {
  not_found: 404,
  idempotency_key_reused: 409,
  insufficient_funds: 422,
  unbalanced_transaction: 422,
  currency_mismatch: 422,
  account_not_active: 422,
  account_not_empty: 422,
};

export function fromDomainError(error: DomainError): ApiError {
  return new ApiError(DOMAIN_STATUS[error.code], error.code, error.message, error.details);
}
