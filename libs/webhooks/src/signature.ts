import { createHmac, timingSafeEqual } from 'node:crypto';

/** Receivers should refuse a signature older (or newer) than this; it bounds replayed captures. */
export const SIGNATURE_TOLERANCE_SECONDS_DEFAULT = 300;
/** A header carries at most this many v1 values (current secret, previous secret). */
const SIGNATURES_PER_HEADER_MAX = 8;
const HEADER_LENGTH_MAX = 1024;

function hmacHex(secret: string, timestamp: number, rawBody: string | Buffer): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');
}

/**
 * The `Zentra-Signature` header value: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
 * The key is the secret string exactly as shown (`whsec_...`, UTF-8). With several secrets (a
 * rotation in its grace period) there is one `v1=` per secret, the newest first.
 */
export function signature(secret: string | readonly string[], timestamp: number, rawBody: string | Buffer): string {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new Error('timestamp must be unix seconds');
  const secrets = typeof secret === 'string' ? [secret] : secret;
  if (secrets.length === 0) throw new Error('at least one secret is needed to sign');
  return [`t=${timestamp}`, ...secrets.map((s) => `v1=${hmacHex(s, timestamp, rawBody)}`)].join(',');
}

export type SignatureCheck = { valid: true; timestamp: number } | { valid: false; reason: 'malformed' | 'outside_tolerance' | 'no_match' };

/**
 * What a receiver does with the header: parse it, refuse a timestamp outside the tolerance
 * window, and accept when any v1 value matches the HMAC under `secret` (constant-time compare).
 * `rawBody` must be the bytes as received, before any JSON parsing.
 */
export function verifySignature(
  header: string | null | undefined,
  secret: string,
  rawBody: string | Buffer,
  options: { toleranceSeconds?: number; nowSeconds?: number } = {},
): SignatureCheck {
  if (typeof header !== 'string' || header.length > HEADER_LENGTH_MAX) return { valid: false, reason: 'malformed' };
  let timestamp: number | null = null;
  const candidates: string[] = [];
  for (const part of header.split(',')) {
    const [key, value] = part.trim().split('=', 2);
    if (key === 't' && /^[0-9]{1,12}$/.test(value ?? '')) timestamp = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/.test(value ?? '')) candidates.push(value);
  }
  if (timestamp === null || candidates.length === 0 || candidates.length > SIGNATURES_PER_HEADER_MAX) return { valid: false, reason: 'malformed' };
  const tolerance = options.toleranceSeconds ?? SIGNATURE_TOLERANCE_SECONDS_DEFAULT;
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > tolerance) return { valid: false, reason: 'outside_tolerance' };
  const expected = Buffer.from(hmacHex(secret, timestamp, rawBody), 'hex');
  const matched = candidates.some((candidate) => timingSafeEqual(Buffer.from(candidate, 'hex'), expected));
  return matched ? { valid: true, timestamp } : { valid: false, reason: 'no_match' };
}
