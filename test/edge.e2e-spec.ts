import { connect, Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { jest } from '@jest/globals';
import { RATE_WINDOW_MS, UNKNOWN_KEYS_PER_ADDRESS_PER_SECOND } from '#api/http/edge.js';
import { TestLedger } from './support/ledger.js';

const MiB = 1024 * 1024;

/** A JSON object body of about `bytes` bytes (one long string member). */
const bodyOf = (bytes: number) => JSON.stringify({ customer: 'c', currency: 'USD', account_type: 'x', padding: 'p'.repeat(bytes) });

/** Writes raw bytes to the server and resolves with what it answered and how long until it closed the socket. */
function rawExchange(url: string, write: (socket: Socket) => void): Promise<{ text: string; closedAfterMs: number }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(Number(port), hostname, () => write(socket));
    let text = '';
    socket.on('data', (chunk) => (text += chunk.toString()));
    socket.on('error', reject);
    socket.on('close', () => resolve({ text, closedAfterMs: Date.now() - started }));
    socket.setTimeout(20_000, () => socket.destroy(new Error('the server kept a slow connection open for 20 s')));
  });
}

describe('the edge: body limits before parsing, authentication before the body, timeouts, rate limits', () => {
  let t: TestLedger;
  let key: string;

  beforeAll(async () => {
    t = await TestLedger.start({ LEDGER_REQUEST_TIMEOUT_MS: '1000', LEDGER_RATE_LIMIT_PER_SECOND: '0' });
    key = (await t.createTenant('edge')).key;
  });

  afterAll(async () => {
    await t?.stop();
  });

  it('refuses a body over 1 MiB with 413, but takes up to 16 MiB on the batch and statement routes', async () => {
    const large = await t.request('POST', '/accounts', { token: key, rawBody: bodyOf(1 * MiB + 10) });
    expect({ status: large.status, code: large.body.error.code }).toEqual({ status: 413, code: 'payload_too_large' });
    expect((await t.request('POST', '/accounts', { token: key, rawBody: bodyOf(MiB - 1000) })).status).toBe(201);

    // Two MiB reach the batch route's validation (400 for the shape), not the size limit.
    const batch = await t.request('POST', '/transactions/batch', { token: key, rawBody: JSON.stringify({ transactions: [], padding: 'p'.repeat(2 * MiB) }) });
    expect(batch.status).toBe(400);
    expect(batch.body.error.code).toBe('validation_failed');
    const hugeBatch = await t.request('POST', '/transactions/batch', { token: key, rawBody: JSON.stringify({ transactions: [], padding: 'p'.repeat(16 * MiB) }) });
    expect({ status: hugeBatch.status, code: hugeBatch.body.error.code }).toEqual({ status: 413, code: 'payload_too_large' });
    const statement = await t.request('POST', '/reconciliation/statements', { token: key, rawBody: JSON.stringify({ content: 'p'.repeat(2 * MiB) }) });
    expect(statement.status).toBe(400);
  });

  it('never parses the body of a caller without a valid key, nor of an unknown route', async () => {
    // Malformed JSON answers 401, not 400: the body was never read.
    for (const token of [undefined, 'zl_unknown', `zl_${'x'.repeat(43)}`]) {
      const res = await t.request('POST', '/accounts', { token, rawBody: '{not json' });
      expect({ status: res.status, code: res.body.error.code }).toEqual({ status: 401, code: 'unauthenticated' });
    }
    // Over the size limit, without a key: still 401 (authentication comes first).
    expect((await t.request('POST', '/accounts', { rawBody: bodyOf(2 * MiB) })).status).toBe(401);
    // With a key, malformed JSON is what it is.
    expect((await t.request('POST', '/accounts', { token: key, rawBody: '{not json' })).status).toBe(400);
    // An unknown route answers 404 before reading its body, whatever its size.
    const unknown = await t.request('POST', '/no/such/route', { token: key, rawBody: bodyOf(2 * MiB) });
    expect({ status: unknown.status, code: unknown.body.error.code }).toEqual({ status: 404, code: 'not_found' });
  });

  it('closes a connection whose request does not arrive whole within LEDGER_REQUEST_TIMEOUT_MS', async () => {
    // Headers, then half a body, then nothing: a slow client holding a socket.
    const slowBody = await rawExchange(t.url, (socket) => {
      socket.write(`POST /accounts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"customer":`);
    });
    expect(slowBody.closedAfterMs).toBeLessThan(5_000);
    expect(slowBody.text).toMatch(/^HTTP\/1\.1 408/);
    // Headers that never end.
    const slowHeaders = await rawExchange(t.url, (socket) => {
      socket.write('GET /health HTTP/1.1\r\nHost: x\r\n');
      const drip = setInterval(() => (socket.writable ? socket.write('X-Slow: 1\r\n') : clearInterval(drip)), 200);
      socket.on('close', () => clearInterval(drip));
    });
    expect(slowHeaders.closedAfterMs).toBeLessThan(5_000);
    // The service still answers.
    expect((await t.request('GET', '/health')).status).toBe(200);
  });
});

describe('rate limits', () => {
  let t: TestLedger;

  beforeAll(async () => {
    t = await TestLedger.start({ LEDGER_RATE_LIMIT_PER_SECOND: '5' });
  });

  afterAll(async () => {
    await t?.stop();
  });

  it('limits each key to its rate (bursts of twice that), with 429 rate_limited and Retry-After; other keys and addresses are unaffected', async () => {
    const tenant = await t.createTenant('limited');
    const service = await t.createKey(tenant.key, 'service');
    const answers = [];
    for (let i = 0; i < 12; i++) answers.push(await t.request('GET', '/accounts', { token: service }));
    // 5 per second, in a 2 s window: 10 pass.
    expect(answers.map((a) => a.status)).toEqual([...Array(10).fill(200), 429, 429]);
    const limited = answers[10];
    expect(limited.body.error.code).toBe('rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited.headers.get('content-type')).toMatch(/^application\/json/);
    expect((await t.request('GET', '/accounts', { token: tenant.key })).status).toBe(200);

    // Without a key, the client address is limited (the 11th unauthenticated request is 429, not 401).
    const anonymous = [];
    for (let i = 0; i < 11; i++) anonymous.push((await t.request('GET', '/accounts')).status);
    expect(anonymous).toEqual([...Array(10).fill(401), 429]);
  });

  it('stops looking up the unknown keys of an address that keeps sending them, while keys it knows keep working', async () => {
    const tenant = await t.createTenant('flooded');
    expect((await t.request('GET', '/accounts', { token: tenant.key })).status).toBe(200); // known to this process now
    const pool = (t.ledger.runtime.keys as unknown as { pool: { query: (...args: any[]) => unknown } }).pool;
    const lookups = jest.spyOn(pool, 'query');
    const budget = UNKNOWN_KEYS_PER_ADDRESS_PER_SECOND * (RATE_WINDOW_MS / 1000);
    const statuses: number[] = [];
    for (let i = 0; i < budget + 30; i++) {
      const unknown = `zl_${randomBytes(32).toString('base64url')}`;
      statuses.push((await t.request('GET', '/health', { token: unknown })).status);
    }
    const keyLookups = lookups.mock.calls.filter(([q]) => (q as { name?: string })?.name === 'api_key_by_hash').length;
    lookups.mockRestore();
    expect(statuses.every((s) => s === 200 || s === 429)).toBe(true); // /health is public; the address may also be rate limited
    expect(keyLookups).toBeLessThanOrEqual(budget);
    expect(keyLookups).toBeGreaterThan(0);
    expect((await t.request('GET', '/accounts', { token: tenant.key })).status).toBe(200);
  });
});
