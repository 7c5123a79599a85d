import { createServer, IncomingMessage, RequestListener, Server } from 'node:http';
import rateLimit from '@fastify/rate-limit';
import { FastifyInstance, FastifyRequest } from 'fastify';
import { LedgerConfig } from '#database/index.js';
import { ApiKeyService } from '#tenancy/index.js';
import { BATCH_ROUTE } from '../transactions/transaction-batches.js';
import { ApiError } from './api-error.js';
import { LedgerRequest } from './request-context.js';

/** Routes that take large bodies (a batch of 8,190 postings, a bank statement), and their limit. */
export const LARGE_BODY_ROUTES: readonly string[] = [BATCH_ROUTE, '/reconciliation/statements'];
export const LARGE_BODY_BYTES_MAX = 16 * 1024 * 1024;
/** Headers must arrive within this (or the request timeout, if shorter): a slow-header client holds no socket longer. */
export const HEADERS_TIMEOUT_MS_MAX = 10_000;
/** An idle keep-alive connection is closed after this. */
export const KEEP_ALIVE_TIMEOUT_MS = 5_000;
/** How often Node checks connections against the request and header timeouts. */
const TIMEOUT_CHECK_INTERVAL_MS_MAX = 1_000;
/** The rate limit's window: a key gets twice its per-second rate per window, so an idle key may burst. */
export const RATE_WINDOW_MS = 2_000;
/**
 * Unknown keys one client address may present per second before its further unknown keys are
 * refused without a database lookup (keys this process already knows still work). Without it, a
 * flood of well-formed random tokens would cost one indexed lookup each, whatever the rate limit.
 */
export const UNKNOWN_KEYS_PER_ADDRESS_PER_SECOND = 50;

const NUL_IN_URL = /%00/i;

/** The body limit of a route, decided when it is registered and enforced before its body is read. */
export function bodyLimitFor(url: string, config: Pick<LedgerConfig, 'bodyLimitBytes'>): number {
  return LARGE_BODY_ROUTES.includes(url) ? Math.max(LARGE_BODY_BYTES_MAX, config.bodyLimitBytes) : config.bodyLimitBytes;
}

/** The HTTP server with every timeout set: a slow client cannot hold a socket forever. */
export function serverWithTimeouts(config: Pick<LedgerConfig, 'requestTimeoutMs'>) {
  return (handler: RequestListener): Server =>
    createServer(
      {
        requestTimeout: config.requestTimeoutMs,
        headersTimeout: Math.min(config.requestTimeoutMs, HEADERS_TIMEOUT_MS_MAX),
        keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
        connectionsCheckingInterval: Math.min(config.requestTimeoutMs, TIMEOUT_CHECK_INTERVAL_MS_MAX),
      },
      handler,
    );
}

function hasBody(request: { headers: IncomingMessage['headers'] }): boolean {
  const length = request.headers['content-length'];
  return (length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined;
}

function bearerOf(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  const bearer = typeof header === 'string' ? /^bearer\s+(\S+)\s*$/i.exec(header) : null;
  return bearer ? bearer[1] : null;
}

/**
 * Everything a request meets before its body is read, in this order: a NUL in the URL and an
 * unknown route are refused; the key is resolved (an address that keeps presenting unknown keys
 * gets no more lookups for a while); the key (or, without one, the client address) is rate
 * limited; a body from a caller without a valid key is refused unread. The route's own guard
 * decides the role afterwards. Must run before the routes are registered (app.init).
 */
export async function installEdge(fastify: FastifyInstance, config: LedgerConfig, keys: ApiKeyService): Promise<void> {
  fastify.addHook('onRoute', (route) => {
    route.bodyLimit = bodyLimitFor(route.url, config);
  });
  const limited = config.rateLimitPerSecond > 0;
  if (limited) {
    await fastify.register(rateLimit, {
      global: true,
      max: config.rateLimitPerSecond * (RATE_WINDOW_MS / 1000),
      timeWindow: RATE_WINDOW_MS,
      keyGenerator: (request) => {
        const principal = (request as LedgerRequest).principal;
        if (!principal) return `address:${request.ip}`;
        return principal.kind === 'api_key' ? `key:${principal.key_id}` : 'platform_admin';
      },
      errorResponseBuilder: (_request, context) =>
        new ApiError(429, 'rate_limited', `rate limit of ${config.rateLimitPerSecond} requests per second exceeded; retry after ${context.after}`, {
          retry_after_seconds: Math.ceil(context.ttl / 1000),
        }),
    });
  }
  const unknownKeys = limited
    ? fastify.createRateLimit({
        keyGenerator: (request) => `unknown-keys:${request.ip}`,
        max: UNKNOWN_KEYS_PER_ADDRESS_PER_SECOND * (RATE_WINDOW_MS / 1000),
        timeWindow: RATE_WINDOW_MS,
      })
    : null;
  // Global hooks run before the rate limiter's route hooks: the key is resolved first, so the
  // limiter can count per key.
  fastify.addHook('onRequest', async (request) => {
    if (NUL_IN_URL.test(request.url)) throw ApiError.validation('the request URL has a NUL (%00)', { url: ['must not contain %00'] });
    if (request.is404) throw new ApiError(404, 'not_found', 'no such route', {});
    const token = bearerOf(request);
    if (!token) return;
    // The limiter's answer says how many unknown keys this address may still present (`isAllowed`
    // is only true for an allow-listed key, which we have none of).
    const seen = unknownKeys ? await unknownKeys(request, { increment: false }) : null;
    const mayLookUp = !seen || seen.isAllowed || seen.remaining > 0;
    const principal = await keys.authenticate(token, mayLookUp);
    if (principal) (request as LedgerRequest).principal = principal;
    else if (unknownKeys && mayLookUp) await unknownKeys(request); // counted: one more unknown key from this address
  });
  fastify.addHook('preParsing', async (request) => {
    if (hasBody(request) && !(request as LedgerRequest).principal) throw new ApiError(401, 'unauthenticated', 'missing or unknown API key');
  });
}
