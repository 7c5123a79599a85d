import { createHmac, timingSafeEqual } from 'node:crypto';
import { ZentraError } from './http.js';

/** A signature older (or newer) than this is refused: a captured delivery cannot be replayed later. */
export const WEBHOOK_TOLERANCE_SECONDS_DEFAULT = 300;

export interface VerifyOptions {
  toleranceSeconds?: number;
  /** Unix seconds to compare the signature's time with (default: now). */
  nowSeconds?: number;
}

/**
 * Checks a delivery's `Zentra-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`
 * (several v1 while a secret rotates) and answers the parsed body; throws ZentraError
 * `invalid_signature` on a bad, malformed or stale signature. Pass the body exactly as received.
 */
export function verifyWebhook(rawBody: string | Buffer, header: string | null | undefined, secret: string, options: VerifyOptions = {}): unknown {
  const refuse = (message: string) => new ZentraError(400, 'invalid_signature', message);
  if (!header) throw refuse('no Zentra-Signature header');
  const parts = header.split(',').map((part) => part.trim().split('='));
  const timestamp = parts.find(([name]) => name === 't')?.[1];
  const signatures = parts.filter(([name, value]) => name === 'v1' && /^[0-9a-f]{64}$/.test(value ?? '')).map(([, value]) => Buffer.from(value, 'hex'));
  if (!timestamp || !/^[0-9]{1,12}$/.test(timestamp) || signatures.length === 0) throw refuse('malformed Zentra-Signature header');
  const tolerance = options.toleranceSeconds ?? WEBHOOK_TOLERANCE_SECONDS_DEFAULT;
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - Number(timestamp)) > tolerance) throw refuse(`signature time is more than ${tolerance} s from now`);
  const body = typeof rawBody === 'string' ? Buffer.from(rawBody) : rawBody;
  const expected = createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest();
  // Compared in constant time, every candidate, so the timing says nothing about which byte differs.
  const matches = signatures.map((candidate) => timingSafeEqual(candidate, expected)).includes(true);
  if (!matches) throw refuse('signature does not match');
  return JSON.parse(body.toString('utf8'));
}
