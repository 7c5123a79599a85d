import { DomainError, domainError } from './errors.js';
import { IdempotencyRecord, LedgerState } from './state.js';

/**
 * What a command's idempotency key says before the command is decided: decide it (a first use,
 * or no key), answer with what its first use produced (a replay), or refuse it (the key was
 * used for another request).
 */
export type IdempotencyAnswer = { readonly kind: 'first_use' } | { readonly kind: 'replay'; readonly original: IdempotencyRecord } | DomainError;

/** Shared: most commands carry no key or a new one, and their answer should cost no allocation. */
const FIRST_USE: IdempotencyAnswer = Object.freeze({ kind: 'first_use' });

/**
 * The idempotency rule. Same key + same request hash -> the original result (nothing is decided
 * or appended again); same key + a different request -> `idempotency_key_reused`. The key and
 * the hash travel in every event's metadata and `evolve` remembers each key's first command, so
 * the rule holds across restarts and processes: a retry after a lost answer cannot post twice.
 * A key seen before with a request that has no hash is a reuse: nothing shows it is the same
 * request. Keys are per tenant because the state is.
 */
export function idempotencyAnswer(state: Pick<LedgerState, 'idempotency'>, key: string | null, requestHash: string | null): IdempotencyAnswer {
  if (!key) return FIRST_USE;
  const original = state.idempotency.get(key);
  if (!original) return FIRST_USE;
  if (original.request_hash !== requestHash) {
    return domainError('idempotency_key_reused', 'this Idempotency-Key was used with a different request', { idempotency_key: key });
  }
  return { kind: 'replay', original };
}
