import { randomUUID } from 'node:crypto';
import { ContendedEventStore, contendedLog } from './support/contended-store.js';
import { HttpResponse, TestLedger } from './support/ledger.js';

/**
 * Regressions of "no 500 for bad input": each was a 500 before. Dates
 * (`2030-W01-1` passed IsISO8601 and then broke `new Date(...).toISOString()`; year 0000 passed
 * the old parser and broke PostgreSQL's timestamptz) and a tenant writer that lost every
 * optimistic-concurrency race. Each refusal is checked to change nothing.
 */

/** Dates every date field refuses: week and ordinal dates, years out of 0001-9999, dates that do not exist, non-RFC 3339 forms. */
const BAD_TIMES = [
  '2030-W01-1',
  '2030-W01-1T00:00:00Z',
  '2030-001T00:00:00Z',
  '0000-01-01T00:00:00Z',
  '0000-01-01',
  '10000-01-01T00:00:00Z',
  '+010000-01-01T00:00:00Z',
  '-000001-01-01T00:00:00Z',
  '0001-01-01T00:00:00+01:00', // year 0000 in UTC
  '9999-12-31T23:00:00-01:00', // year 10000 in UTC
  '2030-02-31T00:00:00Z',
  '2030-01-01T24:00:00Z',
  '2016-12-31T23:59:60Z',
  '2030-01-01T00:00:00+24:00',
  '2030-01-01',
  '2030-01-01 00:00:00Z',
  '',
];

function expectRefusedField(res: HttpResponse, field: string): void {
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status: 400, code: 'validation_failed' });
  expect(Object.keys(res.body.error.details.fields)).toEqual([field]);
}

describe('bad dates (and positions) are 400 validation_failed naming the field, and change nothing', () => {
  let t: TestLedger;
  let key: string;
  let payer: { id: string };
  let merchant: { id: string };
  beforeAll(async () => {
    t = await TestLedger.start({ LEDGER_WEBHOOK_ALLOW_PRIVATE: 'true' }); // an endpoint on 127.0.0.1 (it is never reached)
    const tenant = await t.fundedTenant(2, '1000');
    key = tenant.key;
    [payer, merchant] = tenant.accounts;
  });
  afterAll(async () => {
    await t.stop();
  });

  const balances = async (id: string) => (await t.request('GET', `/accounts/${id}`, { token: key })).body.balances;

  it('POST /holds expires_at (was a 500 for 2030-W01-1)', async () => {
    const before = { events: await t.eventCount(), payer: await balances(payer.id) };
    for (const expires_at of [...BAD_TIMES, 20300101, true, ['2030-01-01T00:00:00Z'], { at: '2030-01-01T00:00:00Z' }]) {
      const res = await t.placeHold(key, { account_id: payer.id, destination_account_id: merchant.id, amount: '1', expires_at }, { 'Idempotency-Key': randomUUID() });
      expectRefusedField(res, 'expires_at');
    }
    expect({ events: await t.eventCount(), payer: await balances(payer.id) }).toEqual(before);

    // A time with an offset is kept as the instant it names, in UTC; the last day of 9999 is a time.
    const offset = await t.placeHold(key, { account_id: payer.id, destination_account_id: merchant.id, amount: '1', expires_at: '2030-01-01T01:00:00.5+01:00' });
    expect(offset.status).toBe(201);
    expect(offset.body.expires_at).toBe('2030-01-01T00:00:00.500Z');
    const latest = await t.placeHold(key, { account_id: payer.id, destination_account_id: merchant.id, amount: '1', expires_at: '9999-12-31T23:59:59.999Z' });
    expect(latest.status).toBe(201);
    expect((await t.request('GET', `/holds/${latest.body.id}`, { token: key })).body.expires_at).toBe('9999-12-31T23:59:59.999Z');
  });

  it('GET /accounts/:id/balances?as_of= (was a 500 for 0000-01-01T00:00:00Z)', async () => {
    for (const asOf of [...BAD_TIMES, '2026-01-01T00:00:00']) {
      const res = await t.request('GET', `/accounts/${payer.id}/balances?as_of=${encodeURIComponent(asOf)}`, { token: key });
      expectRefusedField(res, 'as_of');
    }
    const twice = await t.request('GET', `/accounts/${payer.id}/balances?as_of=2026-01-01T00:00:00Z&as_of=2026-01-02T00:00:00Z`, { token: key });
    expectRefusedField(twice, 'as_of');
    // The earliest time there is reaches PostgreSQL and answers: nothing had happened yet.
    const earliest = await t.request('GET', `/accounts/${payer.id}/balances?as_of=0001-01-01T00:00:00Z`, { token: key });
    expect(earliest.status).toBe(200);
    expect(earliest.body).toMatchObject({ as_of: '0001-01-01T00:00:00.000Z', balances: { posted: '0', available: '0' }, position: null });
  });

  it('POST /webhook-deliveries/replay from and to', async () => {
    const endpoint = await t.request('POST', '/webhook-endpoints', { token: key, body: { url: 'http://127.0.0.1:9/never', events: ['*'] } });
    expect(endpoint.status).toBe(201);
    const events = await t.eventCount();
    for (const bad of BAD_TIMES) {
      const from = await t.request('POST', '/webhook-deliveries/replay', { token: key, body: { endpoint_id: endpoint.body.id, from: bad, to: '2030-01-01T00:00:00Z' } });
      expectRefusedField(from, 'from');
      const to = await t.request('POST', '/webhook-deliveries/replay', { token: key, body: { endpoint_id: endpoint.body.id, from: '2020-01-01T00:00:00Z', to: bad } });
      expectRefusedField(to, 'to');
    }
    expect(await t.eventCount()).toBe(events);
    // The widest range there is reaches PostgreSQL and answers.
    const widest = await t.request('POST', '/webhook-deliveries/replay', { token: key, body: { endpoint_id: endpoint.body.id, from: '0001-01-01T00:00:00Z', to: '9999-12-31T23:59:59.999Z' } });
    expect(widest.status).toBe(202);
    expect(widest.body).toEqual({ replayed: 0 });
  });

  it('min_position past the log head is refused at once, not waited for and answered 503 (found by the fuzz)', async () => {
    const written = await t.transfer(key, payer.id, merchant.id, '1');
    expect(written.status).toBe(201);
    const head = BigInt(written.body.position);
    for (const path of [`/accounts/${payer.id}`, '/accounts', '/events', `/holds`]) {
      const started = Date.now();
      const past = await t.request('GET', `${path}?min_position=${head + 1000n}`, { token: key });
      expectRefusedField(past, 'min_position');
      expect(Date.now() - started).toBeLessThan(2_000); // LEDGER_READ_WAIT_MS is 5000
    }
    // The position a write answered with is waited for and read, as before.
    const own = await t.request('GET', `/accounts/${payer.id}?min_position=${head}`, { token: key });
    expect(own.status).toBe(200);
  });

  it('a URL that is not valid percent-encoded UTF-8, or an id over the router limit, answers in the API envelope (found by the fuzz)', async () => {
    for (const id of ['%80%00', '%E0%A4%A', '%zz', 'a'.repeat(101)]) {
      const res = await t.request('POST', `/transactions/${id}/reverse`, { token: key, body: {} });
      expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status: 400, code: 'validation_failed' });
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    }
  });
});

describe('optimistic-concurrency retries running out are 503 unavailable, never 500', () => {
  let t: TestLedger;
  let store: ContendedEventStore;
  beforeAll(async () => {
    t = await TestLedger.start({}, undefined, contendedLog((created) => (store = created)));
  });
  afterAll(async () => {
    await t.stop();
  });

  it('a posting that loses every race answers 503 unavailable, appends nothing, and the same Idempotency-Key then posts once', async () => {
    const { key, tenantId, funding, accounts } = await t.fundedTenant(1);
    const events = await t.query<{ n: number }>(`select count(*)::int as n from events where stream_id = $1 and metadata->>'actor' <> 'competitor'`, [`ledger-${tenantId}`]);
    // Another writer on the same database appends to this tenant's stream before each of the
    // API's appends: every one of the writer's attempts (the first and all its retries) fails.
    store.contend(Number.MAX_SAFE_INTEGER);
    const lost = await t.transfer(key, funding.id, accounts[0].id, '25', { 'Idempotency-Key': 'contended-1' });
    expect({ status: lost.status, code: lost.body?.error?.code }).toEqual({ status: 503, code: 'unavailable' });
    expect(lost.body.error.message).toMatch(/retry with the same Idempotency-Key/);
    expect(store.competitorAppends).toBeGreaterThan(20); // CONFLICT_RETRIES_MAX + 1 attempts, each lost
    const after = await t.query<{ n: number }>(`select count(*)::int as n from events where stream_id = $1 and metadata->>'actor' <> 'competitor'`, [`ledger-${tenantId}`]);
    expect(after[0].n).toBe(events[0].n);

    // The batch API answers the same in the item's slot.
    const batch = await t.request('POST', '/transactions/batch', {
      token: key,
      body: { transactions: [{ idempotency_key: 'contended-2', entries: [{ account_id: funding.id, direction: 'debit', amount: '1' }, { account_id: accounts[0].id, direction: 'credit', amount: '1' }] }] },
    });
    expect(batch.status).toBe(200);
    expect(batch.body.results[0]).toMatchObject({ status: 503, body: { error: { code: 'unavailable' } } });

    store.contend(0);
    const retried = await t.transfer(key, funding.id, accounts[0].id, '25', { 'Idempotency-Key': 'contended-1' });
    expect(retried.status).toBe(201);
    const replayed = await t.transfer(key, funding.id, accounts[0].id, '25', { 'Idempotency-Key': 'contended-1' });
    expect(replayed.status).toBe(201);
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    expect(replayed.body.id).toBe(retried.body.id);
    expect((await t.request('GET', `/accounts/${accounts[0].id}`, { token: key })).body.balances.posted).toBe('25');
  });
});
