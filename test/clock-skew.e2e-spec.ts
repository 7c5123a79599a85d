import { performance } from 'node:perf_hooks';
import type { ProcessClock } from '#api/runtime/clock-skew.js';
import { TestLedger } from './support/ledger.js';

/** Default LEDGER_CLOCK_SKEW_MAX_MS. */
const SKEW_MAX_MS = 2_000;
/** Same machine: a request's own time and the database's reading of its clock, at most this apart. */
const SLACK_MS = 500;

/** A process clock set `offsetMs` away from the real one (the database's); the monotonic clock is untouched. */
function settableClock() {
  const clock = { offsetMs: 0, wallMs: () => Date.now() + clock.offsetMs, monotonicMs: () => performance.now() };
  return clock satisfies ProcessClock;
}

describe('a process whose clock is skewed from PostgreSQL\'s', () => {
  let t: TestLedger;
  const clock = settableClock();

  beforeAll(async () => {
    t = await TestLedger.start({}, undefined, undefined, clock);
  });
  afterAll(async () => {
    await t.stop();
  });
  afterEach(() => {
    clock.offsetMs = 0;
  });

  /** The tenant's events' occurred_at, and the database's clock now, in ms. */
  async function logTimes(tenantId: string): Promise<{ occurred: number[]; databaseNow: number }> {
    const rows = await t.query(`select metadata->>'occurred_at' as at from events where stream_id = $1 order by stream_revision`, [`ledger-${tenantId}`]);
    const [now] = await t.query(`select (extract(epoch from clock_timestamp()) * 1000)::float8 as ms`);
    return { occurred: rows.map((r) => Date.parse(r.at)), databaseNow: now.ms };
  }

  it('refuses every command with 503 unavailable, says so in /health, changes nothing, and decides again once the clock agrees', async () => {
    const { key, tenantId, funding, accounts } = await t.fundedTenant(2, '100');
    const healthy = await t.request('GET', '/health');
    expect(healthy.body).toMatchObject({ status: 'ok', clock: { ok: true, max_ms: SKEW_MAX_MS } });
    expect(Math.abs(healthy.body.clock.skew_ms)).toBeLessThan(SLACK_MS);
    const eventsBefore = await t.eventCount();
    const balancesBefore = (await t.request('GET', `/accounts/${accounts[0].id}`, { token: key })).body.balances;

    clock.offsetMs = 60_000; // a minute fast
    const refused = await t.transfer(key, funding.id, accounts[0].id, '5', { 'Idempotency-Key': 'while-skewed' });
    expect(refused.status).toBe(503);
    expect(refused.body.error).toMatchObject({ code: 'unavailable', details: { clock_skew_max_ms: SKEW_MAX_MS } });
    expect(refused.body.error.message).toMatch(/clock is \d+ ms ahead of the database's/);
    expect(refused.body.error.details.clock_skew_ms).toBeGreaterThan(60_000 - SLACK_MS);
    // Every kind of command the writers decide: opening an account, a hold, a batch item.
    const opened = await t.request('POST', '/accounts', { token: key, body: { customer: 'late', currency: 'USD', account_type: 'customer' } });
    expect(opened).toMatchObject({ status: 503, body: { error: { code: 'unavailable' } } });
    const held = await t.placeHold(key, { account_id: accounts[0].id, destination_account_id: accounts[1].id, amount: '1' });
    expect(held).toMatchObject({ status: 503, body: { error: { code: 'unavailable' } } });
    const posting = { entries: [{ account_id: funding.id, direction: 'debit', amount: '1' }, { account_id: accounts[1].id, direction: 'credit', amount: '1' }] };
    const batch = await t.request('POST', '/transactions/batch', { token: key, body: { transactions: [posting, posting] } });
    expect(batch.body.results.map((r: any) => [r.status, r.body.error?.code])).toEqual([[503, 'unavailable'], [503, 'unavailable']]);

    const skewed = await t.request('GET', '/health');
    expect(skewed.status).toBe(200);
    expect(skewed.body).toMatchObject({ status: 'degraded', clock: { ok: false, max_ms: SKEW_MAX_MS } });
    expect(skewed.body.clock.skew_ms).toBeGreaterThan(60_000 - SLACK_MS);
    const metrics = await t.request('GET', '/metrics');
    expect(Number(/^zentra_clock_skew_milliseconds (-?\d+)$/m.exec(metrics.body)?.[1])).toBeGreaterThan(60_000 - SLACK_MS);

    clock.offsetMs = -60_000; // slow is refused too (holds would expire late)
    const slow = await t.transfer(key, funding.id, accounts[0].id, '5', { 'Idempotency-Key': 'while-skewed' });
    expect(slow.status).toBe(503);
    expect(slow.body.error.message).toContain('behind the database');

    expect(await t.eventCount()).toBe(eventsBefore);
    expect((await t.request('GET', `/accounts/${accounts[0].id}`, { token: key })).body.balances).toEqual(balancesBefore);

    clock.offsetMs = 0;
    const recovered = await t.request('GET', '/health');
    expect(recovered.body).toMatchObject({ status: 'ok', clock: { ok: true } });
    const retried = await t.transfer(key, funding.id, accounts[0].id, '5', { 'Idempotency-Key': 'while-skewed' });
    expect(retried.status).toBe(201);
    expect(retried.headers.get('idempotent-replayed')).toBeNull(); // decided now: the refusals were not remembered
    const { occurred, databaseNow } = await logTimes(tenantId);
    expect(Math.abs(occurred[occurred.length - 1] - databaseNow)).toBeLessThan(SLACK_MS);
  });

  it('keeps a tenant\'s log time monotonic across processes, ahead of the database by at most the allowance', async () => {
    const fastClock = settableClock();
    fastClock.offsetMs = SKEW_MAX_MS - 500; // fast, but within LEDGER_CLOCK_SKEW_MAX_MS
    const fast = await t.startSibling({}, fastClock);
    try {
      const { key, tenantId, funding, accounts } = await t.fundedTenant(1, '0');
      expect((await fast.transfer(key, funding.id, accounts[0].id, '1')).status).toBe(201);
      expect((await t.transfer(key, funding.id, accounts[0].id, '2')).status).toBe(201);
      const { occurred, databaseNow } = await logTimes(tenantId);
      for (let i = 1; i < occurred.length; i++) expect(occurred[i]).toBeGreaterThanOrEqual(occurred[i - 1]);
      // Never back after the fast process's event, and no more than the allowance ahead.
      expect(occurred[occurred.length - 1] - databaseNow).toBeLessThanOrEqual(SKEW_MAX_MS);

      fastClock.offsetMs = 10 * SKEW_MAX_MS; // beyond it: that process can push nothing further
      expect((await fast.transfer(key, funding.id, accounts[0].id, '3')).status).toBe(503);
      expect((await logTimes(tenantId)).occurred).toHaveLength(occurred.length);
    } finally {
      await fast.ledger.shutdown();
    }
  });
});
