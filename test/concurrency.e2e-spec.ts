import { TestLedger } from './support/ledger.js';

describe('concurrency', () => {
  let t: TestLedger;
  beforeAll(async () => {
    t = await TestLedger.start();
  });
  afterAll(async () => {
    await t.stop();
  });

  it('60 concurrent debits against one account: exactly the affordable number succeed, never negative', async () => {
    const { key, funding, accounts } = await t.fundedTenant(1, '1000');
    const [payer] = accounts;
    const results = await Promise.all(Array.from({ length: 60 }, () => t.transfer(key, payer.id, funding.id, '30')));
    const ok = results.filter((r) => r.status === 201);
    const refused = results.filter((r) => r.status !== 201);
    expect(ok).toHaveLength(33); // 33 * 30 = 990 <= 1000 < 34 * 30
    expect(refused).toHaveLength(27);
    for (const r of refused) {
      expect(r.status).toBe(422);
      expect(r.body.error.code).toBe('insufficient_funds');
    }
    const account = await t.request('GET', `/accounts/${payer.id}`, { token: key });
    expect(account.body.balances.available).toBe('10');
    const history = await t.request('GET', `/accounts/${payer.id}/entries?limit=1000`, { token: key });
    expect(history.body.data).toHaveLength(34);
    for (const entry of history.body.data) expect(BigInt(entry.balance_after.available) >= 0n).toBe(true);
    expect(history.body.data[33].balance_after.available).toBe('10');
  });

  it('20 concurrent retries with one Idempotency-Key post once and all answer the original', async () => {
    const { key, funding, accounts } = await t.fundedTenant(1);
    const [payee] = accounts;
    const before = await t.eventCount();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => t.transfer(key, funding.id, payee.id, '250', { 'Idempotency-Key': 'retry-storm-1' })),
    );
    expect(results.every((r) => r.status === 201)).toBe(true);
    const ids = new Set(results.map((r) => r.body.id));
    expect(ids.size).toBe(1);
    const bodies = new Set(results.map((r) => JSON.stringify(r.body)));
    expect(bodies.size).toBe(1);
    expect(results.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(19);
    expect(await t.eventCount()).toBe(before + 1);
    const account = await t.request('GET', `/accounts/${payee.id}`, { token: key });
    expect(account.body.balances.posted).toBe('250');
  });

  it('tenants write in parallel and each keeps its own order', async () => {
    const tenants = await Promise.all([0, 1, 2].map(() => t.fundedTenant(1)));
    await Promise.all(
      tenants.flatMap(({ key, funding, accounts }) => Array.from({ length: 10 }, () => t.transfer(key, funding.id, accounts[0].id, '1'))),
    );
    for (const { key, accounts } of tenants) {
      const history = await t.request('GET', `/accounts/${accounts[0].id}/entries`, { token: key });
      expect(history.body.data.map((e: any) => e.balance_after.posted)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
    }
  });
});
