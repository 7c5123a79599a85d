/** Amounts are integer minor units. The largest single amount a command may carry. */
export const AMOUNT_MAX = (1n << 63n) - 1n;
const DIGITS = /^[0-9]+$/;
export const CURRENCY_PATTERN = /^[A-Z0-9_]{3,12}$/;

/**
 * Parses a wire amount: a string of decimal digits, or a JSON safe integer.
 * Returns null for anything else (signs, decimals, exponents, zero, > 2^63-1).
 */
export function parseAmount(input: unknown): bigint | null {
  let value: bigint;
  if (typeof input === 'string') {
    if (!DIGITS.test(input) || input.length > 19) return null;
    value = BigInt(input);
  } else if (typeof input === 'number') {
    if (!Number.isSafeInteger(input)) return null;
    value = BigInt(input);
  } else {
    return null;
  }
  if (value <= 0n || value > AMOUNT_MAX) return null;
  return value;
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
  let value: bigint;
  if (typeof input === 'string') {
    if (!SIGNED_DIGITS.test(input) || input.length > 20) return null;
    value = BigInt(input);
  } else if (typeof input === 'number') {
    if (!Number.isSafeInteger(input)) return null;
    value = BigInt(input);
  } else {
    return null;
  }
  if (value > AMOUNT_MAX || value < -AMOUNT_MAX) return null;
  return value;
}
