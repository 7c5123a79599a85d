import { waitFor } from './support/wait.js';
import { TestLedger } from './support/ledger.js';

describe('batch postings and group commit', () => {
  let t: TestLedger;
  beforeAll(async () => {
    t = await TestLedger.start();
  });
  afterAll(async () => {
    await t.stop();
  });

  const posting = (from: string, to: string, amount: string, idempotency_key?: string) => ({
    entries: [
      { account_id: from, direction: 'debit', amount },
      { account_id: to, direction: 'credit', amount },
    ],
    ...(idempotency_key ? { idempotency_key } : {}),
  });

  it('decides 1,000 items in order as if posted one by one; refused items in the middle refuse alone', async () => {
    const { key, funding, accounts } = await t.fundedTenant(2);
    const [alice, bob] = accounts;
    const before = await t.eventCount();
    const transactions = [];
    // alice is funded with 10 per step and spends 15 every 10th item: those overdraw until she has enough.
    for (let i = 0; i < 1000; i++) {
      if (i % 10 === 9) transactions.push(posting(alice.id, bob.id, '95'));
      else transactions.push(posting(funding.id, alice.id, '10'));
    }
    transactions[500] = { entries: [{ account_id: alice.id, direction: 'debit', amount: '1.5' }] } as any; // invalid
    transactions[501] = posting(alice.id, '00000000-0000-4000-8000-000000000000', '1'); // unknown account
    const res = await t.request('POST', '/transactions/batch', { token: key, body: { transactions } });
    expect(res.status).toBe(200);
    expect(res.body.results).toHaveLength(1000);
    expect(res.body.results[500].status).toBe(400);
    expect(Object.keys(res.body.results[500].body.error.details.fields)).toEqual(expect.arrayContaining(['entries']));
    expect(res.body.results[501]).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });

    // Replay the same decisions locally: item by item, in order.
    let available = 0n;
    let accepted = 0;
    res.body.results.forEach((result: any, i: number) => {
      if (i === 500 || i === 501) return;
      const amount = i % 10 === 9 ? -95n : 10n;
      if (available + amount >= 0n) {
        available += amount;
        accepted++;
        expect(result.status).toBe(201);
        const aliceEntry = result.body.entries.find((e: any) => e.account_id === alice.id);
        expect(aliceEntry.balance_after.available).toBe(available.toString());
      } else {
        expect(result).toMatchObject({ status: 422, body: { error: { code: 'insufficient_funds' } } });
      }
    });
    expect(await t.eventCount()).toBe(before + accepted);
    const balance = await t.request('GET', `/accounts/${alice.id}`, { token: key });
    expect(balance.body.balances.available).toBe(available.toString());
    // Results are in request order: positions increase with the index among accepted items.
    const positions = res.body.results.filter((r: any) => r.status === 201).map((r: any) => BigInt(r.body.position));
    expect(positions.every((p: bigint, i: number) => i === 0 || p > positions[i - 1])).toBe(true);
    // Every accepted spend of 95 went to bob.
    const spends = res.body.results.filter((r: any, i: number) => i % 10 === 9 && r.status === 201).length;
    expect((await t.request('GET', `/accounts/${bob.id}`, { token: key })).body.balances.posted).toBe(String(95 * spends));
  });

  it('keys each item: a repeated batch replays, a reused key with another body is refused in its slot', async () => {
    const { key, funding, accounts } = await t.fundedTenant(1);
    const items = [posting(funding.id, accounts[0].id, '5', 'b-1'), posting(funding.id, accounts[0].id, '6', 'b-2'), posting(funding.id, accounts[0].id, '5', 'b-1')];
    const first = await t.request('POST', '/transactions/batch', { token: key, body: { transactions: items } });
    expect(first.body.results.map((r: any) => r.status)).toEqual([201, 201, 201]);
    expect(first.body.results[2].replayed).toBe(true);
    expect(first.body.results[2].body).toEqual(first.body.results[0].body);
    const again = await t.request('POST', '/transactions/batch', {
      token: key,
      body: { transactions: [items[1], posting(funding.id, accounts[0].id, '7', 'b-1')] },
    });
    expect(again.body.results[0]).toMatchObject({ status: 201, replayed: true, body: first.body.results[1].body });
    expect(again.body.results[1]).toMatchObject({ status: 409, body: { error: { code: 'idempotency_key_reused' } } });
    expect((await t.request('GET', `/accounts/${accounts[0].id}`, { token: key })).body.balances.posted).toBe('11');
  });

  it("traces each item like a single posting: its intent, and an attempt on another tenant's account audited", async () => {
    const { key, funding, accounts } = await t.fundedTenant(1, '10');
    const other = await t.fundedTenant(1);
    const res = await t.request('POST', '/transactions/batch', {
      token: key,
      body: {
        transactions: [
          { ...posting(funding.id, accounts[0].id, '5', 'traced-1'), intent_id: 'batch-intent-ok' },
          { ...posting(funding.id, other.accounts[0].id, '5', 'traced-2'), intent_id: 'batch-intent-foreign' },
        ],
      },
    });
    expect(res.body.results.map((r: any) => r.status)).toEqual([201, 404]);
    const ok = await t.request('GET', '/intents/batch-intent-ok', { token: key });
    expect(ok.body.states.map((s: any) => s.state).slice(0, 3)).toEqual(['accepted', 'controlled', 'ledgered']);
    expect(ok.body.states[2].positions).toEqual([res.body.results[0].body.position]);
    const foreign = await t.request('GET', '/intents/batch-intent-foreign', { token: key });
    expect(foreign.body.states.map((s: any) => s.state)).toEqual(['accepted', 'controlled', 'refused']);
    const audit = await waitFor('the cross-tenant attempt in the audit log', async () => {
      const log = await t.request('GET', '/audit-log?outcome=denied', { token: key });
      return log.body.data.find((e: any) => e.reason === 'cross_tenant' && e.resource === `account:${other.accounts[0].id}`);
    });
    expect(audit).toMatchObject({ action: 'post_transaction', outcome: 'denied' });
  });

  it('refuses an empty batch and one over 8,190 items with 400, changing nothing', async () => {
    const { key, funding, accounts } = await t.fundedTenant(1);
    const before = await t.eventCount();
    const tooMany = Array.from({ length: 8191 }, () => posting(funding.id, accounts[0].id, '1'));
    const res = await t.request('POST', '/transactions/batch', { token: key, body: { transactions: tooMany } });
    expect(res.status).toBe(400);
    expect(res.body.error.details.fields).toHaveProperty('transactions');
    expect((await t.request('POST', '/transactions/batch', { token: key, body: { transactions: [] } })).status).toBe(400);
    expect((await t.request('POST', '/transactions/batch', { token: key, body: {} })).status).toBe(400);
    expect(await t.eventCount()).toBe(before);
    const auditor = await t.createKey(key, 'auditor');
    expect((await t.request('POST', '/transactions/batch', { token: auditor, body: { transactions: [posting(funding.id, accounts[0].id, '1')] } })).status).toBe(403);
  });

  it('takes a full batch of 8,190 postings', async () => {
    const { key, funding, accounts } = await t.fundedTenant(4);
    const transactions = Array.from({ length: 8190 }, (_, i) => posting(funding.id, accounts[i % 4].id, '1'));
    const res = await t.request('POST', '/transactions/batch', { token: key, body: { transactions } });
    expect(res.status).toBe(200);
    expect(res.body.results.every((r: any) => r.status === 201)).toBe(true);
    const balances = await Promise.all(accounts.map((a) => t.request('GET', `/accounts/${a.id}`, { token: key })));
    expect(balances.map((b) => b.body.balances.posted)).toEqual(['2048', '2048', '2047', '2047']);
  });

  it('group-committed commands racing on one account never overdraw it', async () => {
    const { key, funding, accounts } = await t.fundedTenant(2, '500');
    const [hot, other] = accounts;
    const singles = Array.from({ length: 40 }, () => t.transfer(key, hot.id, other.id, '7'));
    const batches = Array.from({ length: 4 }, () =>
      t.request('POST', '/transactions/batch', { token: key, body: { transactions: Array.from({ length: 25 }, () => posting(hot.id, funding.id, '3')) } }),
    );
    const [singleResults, batchResults] = await Promise.all([Promise.all(singles), Promise.all(batches)]);
    const spent =
      singleResults.filter((r) => r.status === 201).length * 7 +
      batchResults.flatMap((b) => b.body.results).filter((r: any) => r.status === 201).length * 3;
    expect(spent).toBeLessThanOrEqual(500);
    expect(spent).toBeGreaterThan(500 - 7);
    const balance = await t.request('GET', `/accounts/${hot.id}`, { token: key });
    expect(balance.body.balances.available).toBe(String(500 - spent));
    const history = await t.request('GET', `/accounts/${hot.id}/entries?limit=1000`, { token: key });
    for (const e of history.body.data) expect(BigInt(e.balance_after.available) >= 0n).toBe(true);
  });
});
