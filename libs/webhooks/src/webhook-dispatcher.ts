import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Pool } from 'pg';
import { MasterKey } from '#audit/signing.js';
import { nextAttemptDelay } from './backoff.js';
import { signature } from './signature.js';
import { postPinned } from './pinned-post.js';
import { checkUrl, Resolver, systemResolver } from './url-policy.js';
import { WebhookConfig } from './webhook-config.js';
import { deliveryBody, DeliveryPayload } from './webhook-events.js';
import type { Span } from '@opentelemetry/api';
import { contextOf, inSpan } from '#telemetry/index.js';

/**
 * A claim stays leased for the timeout plus this margin (time to record the outcome). A process
 * that dies mid-attempt leaves its lease behind; once it lapses the delivery is due again.
 */
export const LEASE_MARGIN_MS_DEFAULT = 5000;
/** Attempt error texts are cut to this length. */
const ERROR_LENGTH_MAX = 200;

export type DispatcherConfig = Pick<WebhookConfig, 'timeoutMs' | 'backoffMs' | 'maxAttempts' | 'allowPrivate' | 'concurrency' | 'pollIntervalMs'> & {
  leaseMarginMs?: number;
};

export interface DispatcherOptions {
  log?: (line: string) => void;
  resolve?: Resolver;
  random?: () => number;
}

export type AttemptResult = { status_code: number } | { error: string };
export type Attempt = { at: string; duration_ms: number } & AttemptResult;

interface Claim {
  id: string;
  endpoint_id: string;
  payload: DeliveryPayload;
  /** Attempts made since the delivery was created or last replayed, before this one. */
  attempts_made: number;
  url: string;
  secret_sealed: string;
  previous_secret_sealed: string | null;
  /** The trace of the request whose event this delivers, when tracing was on. */
  traceparent: string | null;
}

const SQL = {
  /*
   * One request in flight per endpoint, across every process: an endpoint is leased with the
   * delivery it sends. Endpoints are locked (skip locked) while claiming, so concurrent
   * claimers take disjoint endpoints, and a claimer that waited re-checks the lease on the row
   * it locks. Least recently served endpoints go first. A rotated-out secret is handed out only
   * while its grace period lasts.
   */
  claim: `
    with ready as (
      select e.id from webhook_endpoints e
       where e.status = 'enabled'
         and (e.dispatch_lease_until is null or e.dispatch_lease_until <= now())
         and exists (select 1 from webhook_deliveries d
                      where d.endpoint_id = e.id and d.status in ('pending', 'retrying') and d.next_attempt_at <= now())
       order by e.dispatch_lease_until nulls first, e.id
       limit $1
       for no key update of e skip locked
    ), picked as (
      select distinct on (d.endpoint_id) d.id, d.endpoint_id
        from webhook_deliveries d join ready on ready.id = d.endpoint_id
       where d.status in ('pending', 'retrying') and d.next_attempt_at <= now()
       order by d.endpoint_id, d.next_attempt_at, d.event_position
    ), leased as (
      update webhook_endpoints e
         set dispatch_lease_id = $2, dispatch_lease_until = now() + make_interval(secs => $3::double precision / 1000)
        from picked
       where e.id = picked.endpoint_id
      returning e.id, e.url, e.secret_sealed,
                case when e.previous_secret_expires_at > now() then e.previous_secret_sealed end as previous_secret_sealed
    )
    update webhook_deliveries d
       set dispatch_lease_id = $2, next_attempt_at = now() + make_interval(secs => $3::double precision / 1000)
      from picked join leased on leased.id = picked.endpoint_id
     where d.id = picked.id
    returning d.id, d.endpoint_id, d.payload, jsonb_array_length(d.attempts) - d.attempts_before_replay as attempts_made,
              leased.url, leased.secret_sealed, leased.previous_secret_sealed, d.traceparent`,
  /*
   * The outcome counts only if this claim still holds the delivery (a replay or a claimer that
   * took over a lapsed lease wins). The endpoint is released either way; its lease time stays
   * as "last served" for the round robin.
   */
  record: `
    with recorded as (
      update webhook_deliveries
         set status = $3,
             attempts = attempts || jsonb_build_array($4::jsonb),
             next_attempt_at = case when $3 = 'retrying' then now() + make_interval(secs => $5::double precision / 1000) end,
             delivered_at = case when $3 = 'delivered' then now() else delivered_at end,
             dispatch_lease_id = null
       where id = $1 and dispatch_lease_id = $2
      returning id
    )
    update webhook_endpoints set dispatch_lease_id = null, dispatch_lease_until = now()
     where id = $6 and dispatch_lease_id = $2`,
};

function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const text = cause?.code ?? cause?.message ?? (error as Error)?.message ?? String(error);
  return text.slice(0, ERROR_LENGTH_MAX);
}

/** Rejects when `signal` aborts first, so a hanging DNS lookup counts against the timeout too. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error('aborted'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * Sends due webhook deliveries. Whoever owns the process starts and stops it; any number of
 * processes may run one against the same database. A delivery is claimed with a lease and sent
 * outside any transaction (a slow receiver holds no connection); per endpoint one request at
 * a time, per process at most `concurrency`, each bounded by `timeoutMs`. Delivery is at
 * least once: a process that dies mid-attempt leaves a lease that lapses, and the next claimer
 * sends again. Secrets are unsealed only to sign and are never logged.
 */
export class WebhookDispatcher {
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;
  private claiming: Promise<void> | null = null;
  private pollAgain = false;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly log: (line: string) => void;
  private readonly resolve: Resolver;
  private readonly random: () => number;
  readonly stats = { attempts: 0, delivered: 0, failed: 0 };

  constructor(
    private readonly pool: Pool,
    private readonly masterKey: MasterKey,
    private readonly config: DispatcherConfig,
    options: DispatcherOptions = {},
  ) {
    if (config.concurrency < 1 || config.maxAttempts < 1 || config.timeoutMs < 1) throw new Error('webhook dispatcher limits must be positive');
    this.log = options.log ?? (() => undefined);
    this.resolve = options.resolve ?? systemResolver;
    this.random = options.random ?? Math.random;
  }

  start(): this {
    if (!this.stopped) return this;
    this.stopped = false;
    this.timer = setInterval(() => this.poll(), this.config.pollIntervalMs);
    this.poll();
    return this;
  }

  /** Stops claiming and waits for the attempts in flight (each bounded by the timeout) to be recorded. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.claiming;
    await Promise.all([...this.inFlight]);
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  private poll(): void {
    if (this.stopped) return;
    if (this.claiming) {
      this.pollAgain = true;
      return;
    }
    const capacity = this.config.concurrency - this.inFlight.size;
    if (capacity <= 0) return;
    this.pollAgain = false;
    this.claiming = this.claim(capacity)
      .then((claims) => {
        for (const claim of claims) this.track(claim);
        if (claims.length === capacity) this.pollAgain = true;
      })
      .catch((error) => this.log(`webhook dispatcher: claiming failed: ${describe(error)}`))
      .finally(() => {
        this.claiming = null;
        if (this.pollAgain) setImmediate(() => this.poll());
      });
  }

  private track(claim: Claim & { lease_id: string }): void {
    const running: Promise<void> = this.attempt(claim)
      .catch((error) => this.log(`webhook dispatcher: delivery ${claim.id}: recording failed: ${describe(error)}`))
      .finally(() => {
        this.inFlight.delete(running);
        this.poll();
      });
    this.inFlight.add(running);
  }

  private async claim(limit: number): Promise<(Claim & { lease_id: string })[]> {
    const leaseId = randomUUID();
    const leaseMs = this.config.timeoutMs + (this.config.leaseMarginMs ?? LEASE_MARGIN_MS_DEFAULT);
    const { rows } = await this.pool.query(SQL.claim, [limit, leaseId, leaseMs]);
    return rows.map((row) => ({ ...row, attempts_made: Number(row.attempts_made), lease_id: leaseId }));
  }

  private attempt(claim: Claim & { lease_id: string }): Promise<void> {
    const attributes = { 'ledger.webhook.delivery_id': claim.id, 'ledger.webhook.endpoint_id': claim.endpoint_id, 'ledger.event_type': claim.payload.type, 'ledger.webhook.attempt': claim.attempts_made + 1 };
    return inSpan('webhook.attempt', { parent: contextOf(claim.traceparent), attributes }, (span) => this.attemptNow(claim, span));
  }

  private async attemptNow(claim: Claim & { lease_id: string }, span: Span | null): Promise<void> {
    const at = new Date().toISOString();
    const started = performance.now();
    const result = await this.send(claim);
    span?.setAttribute('ledger.webhook.outcome', 'status_code' in result ? String(result.status_code) : result.error);
    const attempt: Attempt = { at, ...result, duration_ms: Math.round(performance.now() - started) };
    const made = claim.attempts_made + 1;
    const delivered = 'status_code' in result && result.status_code >= 200 && result.status_code < 300;
    const status = delivered ? 'delivered' : made >= this.config.maxAttempts ? 'failed' : 'retrying';
    const delayMs = status === 'retrying' ? nextAttemptDelay(made, this.config.backoffMs, this.random) : 0;
    this.stats.attempts++;
    if (status === 'delivered') this.stats.delivered++;
    if (status === 'failed') this.stats.failed++;
    await this.pool.query(SQL.record, [claim.id, claim.lease_id, status, JSON.stringify(attempt), delayMs, claim.endpoint_id]);
  }

  /** One POST: URL policy, signature, timeout. Never throws; every failure is an attempt result. */
  private async send(claim: Claim): Promise<AttemptResult> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.config.timeoutMs);
    try {
      const checked = await checkUrl(claim.url, this.config.allowPrivate, (host) => untilAborted(this.resolve(host), controller.signal));
      if (!checked.ok) return { error: controller.signal.aborted ? `timeout after ${this.config.timeoutMs} ms` : `refused: ${checked.message}`.slice(0, ERROR_LENGTH_MAX) };
      const body = deliveryBody(claim.payload);
      const headers = {
        'content-type': 'application/json',
        'user-agent': 'Zentra-Webhooks/1',
        'zentra-signature': signature(this.secrets(claim), Math.floor(Date.now() / 1000), body),
        'zentra-event-id': claim.payload.id,
        'zentra-delivery-id': claim.id,
      };
      // To the addresses just checked only; a redirect is not followed (it could lead past the policy).
      const status = await postPinned(checked.url, checked.addresses, headers, body, controller.signal);
      return { status_code: status };
    } catch (error) {
      if (controller.signal.aborted) return { error: `timeout after ${this.config.timeoutMs} ms` };
      return { error: describe(error) };
    } finally {
      clearTimeout(timer);
    }
  }

  /** The current secret, and the previous one while its grace period lasts (newest first). */
  private secrets(claim: Claim): string[] {
    const secrets = [this.masterKey.decrypt(claim.secret_sealed)];
    if (claim.previous_secret_sealed) secrets.push(this.masterKey.decrypt(claim.previous_secret_sealed));
    return secrets;
  }
}
