import { TestLedger } from './support/ledger.js';

describe('reversals over HTTP', () => {
  let t: TestLedger;
  beforeAll(async () => {
    t = await TestLedger.start();
  });
  afterAll(async () => {
    await t.stop();
  });

  const balances = async (key: string, id: string) => (await t.request('GET', `/accounts/${id}`, { token: key })).body.balances;

  it('reverses a posting: swapped entries, linked both ways, balances restored, refused twice', async () => {
    const { key, funding, accounts } = await t.fundedTenant(1);
    const [wallet] = accounts;
    const original = await t.transfer(key, funding.id, wallet.id, '700');
    expect(await balances(key, wallet.id)).toMatchObject({ posted: '700', available: '700' });

    const reversal = await t.request('POST', `/transactions/${original.body.id}/reverse`, { token: key, body: { reason: 'duplicate charge' } });
    expect(reversal.status).toBe(201);
    expect(reversal.body).toMatchObject({ status: 'posted', reverses: original.body.id, reversed_by: null, description: 'duplicate charge', event: 'ledger.entry.posted' });
    // Undone in reverse order: the last entry of the original is the first one reversed.
    expect(reversal.body.entries.map((e: any) => [e.account_id, e.direction, e.amount])).toEqual([
      [wallet.id, 'debit', '700'],
      [funding.id, 'credit', '700'],
    ]);
    expect(reversal.body.entries[0].balance_after).toEqual({ posted: '0', available: '0' });
    expect(await balances(key, wallet.id)).toEqual({ posted: '0', pending_debits: '0', pending_credits: '0', available: '0' });
    expect(await balances(key, funding.id)).toMatchObject({ posted: '0' });

    const fetched = await t.request('GET', `/transactions/${original.body.id}`, { token: key });
    expect(fetched.body).toMatchObject({ status: 'reversed', reversed_by: reversal.body.id, reverses: null });
    const fetchedReversal = await t.request('GET', `/transactions/${reversal.body.id}`, { token: key });
    expect(fetchedReversal.body).toMatchObject({ status: 'posted', reverses: original.body.id });

    const again = await t.request('POST', `/transactions/${original.body.id}/reverse`, { token: key });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'already_reversed', details: { reversed_by: reversal.body.id } });

    const events = await t.request('GET', `/events?after=${BigInt(original.body.position)}`, { token: key });
    expect(events.body.data.map((e: any) => e.type)).toEqual(['ledger.entry.posted', 'ledger.entry.reversed']);
    expect(events.body.data[1].data).toMatchObject({ transaction_id: original.body.id, reversed_by: reversal.body.id, reason: 'duplicate charge' });
  });

  it('refuses to reverse money that has moved on, and changes nothing', async () => {
    const { key, funding, accounts } = await t.fundedTenant(2);
    const [wallet, other] = accounts;
    const original = await t.transfer(key, funding.id, wallet.id, '500');
    expect((await t.transfer(key, wallet.id, other.id, '300')).status).toBe(201);
    const before = await t.eventCount();
    const refused = await t.request('POST', `/transactions/${original.body.id}/reverse`, { token: key });
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({ code: 'insufficient_funds', details: { account_id: wallet.id, available: '200', required: '500' } });
    expect(await t.eventCount()).toBe(before);
    expect((await t.request('GET', `/transactions/${original.body.id}`, { token: key })).body.status).toBe('posted');
  });

  it('reverses a hold capture (the captured money goes back; the hold stays captured)', async () => {
    const { key, accounts } = await t.fundedTenant(2, '100');
    const [payer, merchant] = accounts;
    const hold = await t.placeHold(key, { account_id: payer.id, destination_account_id: merchant.id, amount: '40' });
    const capture = await t.request('POST', `/holds/${hold.body.id}/capture`, { token: key });
    const reversal = await t.request('POST', `/transactions/${capture.body.transaction.id}/reverse`, { token: key, body: { reason: 'refund' } });
    expect(reversal.status).toBe(201);
    expect(await balances(key, payer.id)).toMatchObject({ posted: '100', available: '100' });
    expect(await balances(key, merchant.id)).toMatchObject({ posted: '100', available: '100' });
    expect((await t.request('GET', `/holds/${hold.body.id}`, { token: key })).body.status).toBe('captured');
  });

  it('is idempotent, 404s unknown transactions and is closed to auditors', async () => {
    const { key, funding, accounts } = await t.fundedTenant(1);
    const original = await t.transfer(key, funding.id, accounts[0].id, '5');
    const first = await t.request('POST', `/transactions/${original.body.id}/reverse`, { token: key, headers: { 'Idempotency-Key': 'rev-1' } });
    const again = await t.request('POST', `/transactions/${original.body.id}/reverse`, { token: key, headers: { 'Idempotency-Key': 'rev-1' } });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    expect((await t.request('POST', '/transactions/00000000-0000-4000-8000-000000000000/reverse', { token: key })).status).toBe(404);
    const auditor = await t.createKey(key, 'auditor');
    expect((await t.request('POST', `/transactions/${first.body.id}/reverse`, { token: auditor })).status).toBe(403);
  });
});
