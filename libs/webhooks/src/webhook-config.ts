export const WEBHOOK_TIMEOUT_MS_DEFAULT = 10_000;
export const WEBHOOK_BACKOFF_MS_DEFAULT = 1000;
export const WEBHOOK_MAX_ATTEMPTS_DEFAULT = 10;
export const WEBHOOK_SECRET_GRACE_SECONDS_DEFAULT = 24 * 60 * 60;
export const WEBHOOK_POLL_INTERVAL_MS_DEFAULT = 500;
/** Requests in flight per process, over all endpoints. */
export const WEBHOOK_CONCURRENCY_DEFAULT = 16;

const LIMITS = {
  timeoutMs: [1, 120_000],
  backoffMs: [0, 3_600_000],
  maxAttempts: [1, 100],
  graceSeconds: [0, 30 * 24 * 60 * 60],
  pollIntervalMs: [10, 60_000],
  concurrency: [1, 256],
} as const;

export interface WebhookConfig {
  /** A delivery that has not answered (status line and headers) by then has failed this attempt. */
  timeoutMs: number;
  /** Base of the exponential backoff between attempts. */
  backoffMs: number;
  /** Attempts before a delivery is `failed` (a replay grants as many again). */
  maxAttempts: number;
  /** Loopback, private and link-local targets are refused unless this is set. */
  allowPrivate: boolean;
  /** How long a rotated-out secret keeps signing next to the new one. */
  secretGraceSeconds: number;
  pollIntervalMs: number;
  concurrency: number;
}

function intFrom(env: Readonly<Record<string, string | undefined>>, name: string, fallback: number, [min, max]: readonly [number, number]): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  return value;
}

/**
 * Webhook settings from the given environment. Called once, by loadConfig at start (a bad
 * LEDGER_WEBHOOK_* refuses to start); this file imports nothing, so the configuration can use it
 * without an import cycle.
 */
export function webhookConfig(env: Readonly<Record<string, string | undefined>>): WebhookConfig {
  return {
    timeoutMs: intFrom(env, 'LEDGER_WEBHOOK_TIMEOUT_MS', WEBHOOK_TIMEOUT_MS_DEFAULT, LIMITS.timeoutMs),
    backoffMs: intFrom(env, 'LEDGER_WEBHOOK_BACKOFF_MS', WEBHOOK_BACKOFF_MS_DEFAULT, LIMITS.backoffMs),
    maxAttempts: intFrom(env, 'LEDGER_WEBHOOK_MAX_ATTEMPTS', WEBHOOK_MAX_ATTEMPTS_DEFAULT, LIMITS.maxAttempts),
    allowPrivate: ['true', '1'].includes((env.LEDGER_WEBHOOK_ALLOW_PRIVATE ?? '').toLowerCase()),
    secretGraceSeconds: intFrom(env, 'LEDGER_WEBHOOK_SECRET_GRACE_SECONDS', WEBHOOK_SECRET_GRACE_SECONDS_DEFAULT, LIMITS.graceSeconds),
    pollIntervalMs: intFrom(env, 'LEDGER_WEBHOOK_POLL_MS', WEBHOOK_POLL_INTERVAL_MS_DEFAULT, LIMITS.pollIntervalMs),
    concurrency: intFrom(env, 'LEDGER_WEBHOOK_CONCURRENCY', WEBHOOK_CONCURRENCY_DEFAULT, LIMITS.concurrency),
  };
}
