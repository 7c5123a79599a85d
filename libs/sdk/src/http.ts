
/** Attempts after the first, for a network error, a 429 or a 503. */
export const RETRIES_MAX_DEFAULT = 3;
/** The first backoff; each retry doubles it, and a random fraction of it is waited (full jitter). */
export const BACKOFF_BASE_MS = 200;
export const BACKOFF_MAX_MS = 10_000;
/** A Retry-After longer than this is not waited for: the error is thrown instead. */
export const RETRY_AFTER_MAX_MS = 60_000;
export const TIMEOUT_MS_DEFAULT = 30_000;

export interface ZentraOptions {
  apiKey: string;
  /** e.g. http://localhost:3000 */
  baseUrl: string;
  /** Per attempt; default 30 s. */
  timeoutMs?: number;
  /** Retries of one request (network error, 429, 503); default 3, 0 turns them off. */
  maxRetries?: number;
  /** A fetch to use instead of the global one (a proxy, a test). */
  fetch?: typeof fetch;
}

export interface RequestOptions {
  /** Sent as Idempotency-Key; a POST without one gets a generated key, reused by every retry. */
  idempotencyKey?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** Every error the API answers ({"error": {code, message, details}}), and the client's own (network, timeout). */
export class ZentraError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    /** The idempotency key the request went with, to retry it later with the same effect. */
    readonly idempotencyKey?: string,
  ) {
    super(message);
    this.name = 'ZentraError';
  }
}

type Query = Record<string, string | number | bigint | boolean | null | undefined>;

/** Amounts may be given as bigint (or safe integers); the wire carries strings of digits. */
function toJson(body: unknown): string {
  return JSON.stringify(body, (_key, value) => (typeof value === 'bigint' ? value.toString() : value));
}

function retryable(status: number): boolean {
  return status === 429 || status === 503;
}

function backoffMs(attempt: number): number {
  return Math.random() * Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** attempt);
}

/** Retry-After in seconds (or an HTTP date), as milliseconds; null when absent or unreadable. */
function retryAfterMs(header: string | null): number | null {
  if (!header) return null;
  if (/^[0-9]+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The transport: one request, with its retries, timeout and idempotency key. */
export class HttpClient {
  private readonly baseUrl: string;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: ZentraOptions) {
    if (!options.apiKey) throw new ZentraError(0, 'configuration', 'apiKey is required');
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    // Called as a method of this client, a browser's fetch throws "Illegal invocation" unless it is
    // bound to the global object; Node's does not care.
    this.fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  async request<T>(method: string, path: string, body?: object, query?: Query, options: RequestOptions = {}): Promise<T> {
    const { response, text, idempotencyKey } = await this.send(method, path, body, query, options);
    const parsed = text ? safeJson(text) : null;
    if (response.ok) return parsed as T;
    const error = (parsed as { error?: { code?: string; message?: string; details?: Record<string, unknown> } } | null)?.error;
    throw new ZentraError(response.status, error?.code ?? 'http_error', error?.message ?? `HTTP ${response.status}`, error?.details ?? {}, idempotencyKey);
  }

  private async send(method: string, path: string, body: object | undefined, query: Query | undefined, options: RequestOptions) {
    let payload = body === undefined ? undefined : { ...(body as Record<string, unknown>) };
    // One key for every attempt: a retry after a lost answer is a replay, never a second posting.
    let idempotencyKey = options.idempotencyKey;
    if (payload && typeof payload.idempotency_key === 'string') idempotencyKey ??= payload.idempotency_key;
    if (payload) delete payload.idempotency_key;
    if (method === 'POST' || method === 'PATCH') idempotencyKey ??= randomUUID();
    const headers: Record<string, string> = { authorization: `Bearer ${this.options.apiKey}`, accept: 'application/json' };
    if (payload !== undefined) headers['content-type'] = 'application/json';
    if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
    const url = this.baseUrl + path + queryString(query);
    const retriesMax = this.options.maxRetries ?? RETRIES_MAX_DEFAULT;
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs ?? TIMEOUT_MS_DEFAULT;
    for (let attempt = 0; ; attempt++) {
      const signal = options.signal ? AbortSignal.any([options.signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs);
      let response: Response;
      let text: string;
      try {
        response = await this.fetch(url, { method, headers, body: payload === undefined ? undefined : toJson(payload), signal });
        text = await response.text();
      } catch (cause) {
        if (options.signal?.aborted) throw cause;
        const timedOut = (cause as Error)?.name === 'TimeoutError';
        if (attempt >= retriesMax) {
          throw new ZentraError(0, timedOut ? 'timeout' : 'network_error', timedOut ? `no answer within ${timeoutMs} ms` : `network error: ${(cause as Error)?.message}`, {}, idempotencyKey);
        }
        await sleep(backoffMs(attempt), options.signal);
        continue;
      }
      if (!retryable(response.status) || attempt >= retriesMax) return { response, text, idempotencyKey };
      const after = retryAfterMs(response.headers.get('retry-after'));
      if (after !== null && after > RETRY_AFTER_MAX_MS) return { response, text, idempotencyKey };
      await sleep(Math.max(after ?? 0, backoffMs(attempt)), options.signal);
    }
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function queryString(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined && value !== null) params.set(name, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

/**
 * A v4 UUID from Web Crypto, which Node 20 and browsers both have (no node:crypto import, so the
 * console bundles the SDK). `randomUUID` exists only in secure contexts; a console opened over
 * plain http on another host builds one from `getRandomValues`, which exists everywhere.
 */
function randomUUID(): string {
  const webCrypto = globalThis.crypto;
  if (typeof webCrypto.randomUUID === 'function') return webCrypto.randomUUID();
  const bytes = webCrypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
