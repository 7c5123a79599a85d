/** Amounts are integer minor units. The largest single amount a command may carry. */
export const AMOUNT_MAX = (1n << 63n) - 1n;
const DIGITS = /^[0-9]+$/;
export const CURRENCY_PATTERN = /^[A-Z0-9_]{3,12}$/;

/** A wire integer: a string matching `pattern` (at most `lengthMax` characters) or a JSON safe integer; null otherwise. */
function wireInteger(input: unknown, pattern: RegExp, lengthMax: number): bigint | null {
  if (typeof input === 'string') return pattern.test(input) && input.length <= lengthMax ? BigInt(input) : null;
  if (typeof input === 'number') return Number.isSafeInteger(input) ? BigInt(input) : null;
  return null;
}

/**
 * Parses a wire amount: a string of decimal digits, or a JSON safe integer.
 * Returns null for anything else (signs, decimals, exponents, zero, > 2^63-1).
 */
export function parseAmount(input: unknown): bigint | null {
  const value = wireInteger(input, DIGITS, 19);
  return value !== null && value > 0n && value <= AMOUNT_MAX ? value : null;
}

export function isCurrency(input: unknown): input is string {
  return typeof input === 'string' && CURRENCY_PATTERN.test(input);
}

const SIGNED_DIGITS = /^-?[0-9]+$/;

/**
 * Parses a wire figure that may be zero or negative (a balance threshold): an optional `-` then
 * decimal digits, or a JSON safe integer, at most AMOUNT_MAX either way. Returns null otherwise.
 */
export function parseSignedAmount(input: unknown): bigint | null {
  const value = wireInteger(input, SIGNED_DIGITS, 20);
  return value !== null && value <= AMOUNT_MAX && value >= -AMOUNT_MAX ? value : null;
}
