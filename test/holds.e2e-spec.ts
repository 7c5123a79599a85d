import { TestLedger } from './support/ledger.js';
import { sleep, waitFor } from './support/wait.js';

const inMs = (ms: number) => new Date(Date.now() + ms).toISOString();


describe('holds over HTTP', () => {
  let t: TestLedger;
  beforeAll(async () => {
    t = await TestLedger.start({ LEDGER_HOLD_SWEEP_MS: '200' });
  });
  afterAll(async () => {
    await t.stop();
  });

  async function balances(key: string, id: string) {
    return (await t.request('GET', `/accounts/${id}`, { token: key })).body.balances;
  }

  it('reserves at once, then captures in full', async () => {
    const { key, accounts } = await t.fundedTenant(2, '1000');
    const [payer, merchant] = accounts;
    const placed = await t.placeHold(key, { account_id: payer.id, destination_account_id: merchant.id, amount: '300', reference: 'order-1' });
    expect(placed.status).toBe(201);
    expect(placed.body).toMatchObject({ status: 'pending', account_id: payer.id, destination_account_id: merchant.id, amount: '300', currency: 'USD', expires_at: null, reference: 'order-1', event: 'balance.hold.created' });
    expect(await balances(key, payer.id)).toEqual({ posted: '1000', pending_debits: '300', pending_credits: '0', available: '700' });
    expect(await balances(key, merchant.id)).toEqual({ posted: '1000', pending_debits: '0', pending_credits: '300', available: '1000' });

    const captured = await t.request('POST', `/holds/${placed.body.id}/capture`, { token: key });
    expect(captured.status).toBe(200);
    expect(captured.body.hold).toMatchObject({ id: placed.body.id, status: 'captured', captured_amount: '300', released_amount: '0' });
    expect(captured.body.transaction).toMatchObject({ status: 'posted', hold_id: placed.body.id });
    expect(captured.body.transaction.entries.map((e: any) => [e.account_id, e.direction, e.amount])).toEqual([
      [payer.id, 'debit', '300'],
      [merchant.id, 'credit', '300'],
    ]);
    expect(await balances(key, payer.id)).toEqual({ posted: '700', pending_debits: '0', pending_credits: '0', available: '700' });
    expect(await balances(key, merchant.id)).toEqual({ posted: '1300', pending_debits: '0', pending_credits: '0', available: '1300' });

    const hold = await t.request('GET', `/holds/${placed.body.id}`, { token: key });
    expect(hold.body).toMatchObject({ status: 'captured', captured_amount: '300', released_amount: '0', reference: 'order-1' });
    expect(hold.body.evidence.capture_transaction_id).toBe(captured.body.transaction.id);
    expect(hold.body.evidence.capture_entry_ids).toEqual(captured.body.transaction.entries.map((e: any) => e.id));
    expect(hold.body.evidence.request_id).toEqual(expect.any(String));
    const history = await t.request('GET', `/accounts/${payer.id}/entries`, { token: key });
    expect(history.body.data.map((e: any) => e.amount)).toEqual(['1000', '300']);
  });

  it('captures part and releases the remainder in the same decision', async () => {
    const { key, accounts } = await t.fundedTenant(2, '1000');
    const [payer, merchant] = accounts;
    const placed = await t.placeHold(key, { account_id: payer.id, destination_account_id: merchant.id, amount: '500' });
    const captured = await t.request('POST', `/holds/${placed.body.id}/capture`, { token: key, body: { amount: '200' } });
    expect(captured.status).toBe(200);
    expect(captured.body.hold).toMatchObject({ status: 'captured', captured_amount: '200', released_amount: '300', event: 'balance.released' });
    expect(await balances(key, payer.id)).toEqual({ posted: '800', pending_debits: '0', pending_credits: '0', available: '800' });
    const events = await t.request('GET', `/events?after=${BigInt(placed.body.position)}`, { token: key });
    expect(events.body.data.map((e: any) => [e.type, e.data.reason ?? null, e.data.amount ?? null])).toEqual([
      ['ledger.entry.posted', null, null],
      ['balance.released', 'captured_remainder', '300'],
    ]);
  });

  it('releases with a reason; a second capture or release is hold_not_pending', async () => {
    const { key, accounts } = await t.fundedTenant(2, '1000');
    const [payer, merchant] = accounts;
    const placed = await t.placeHold(key, { account_id: payer.id, destination_account_id: merchant.id, amount: '400' });
    const released = await t.request('POST', `/holds/${placed.body.id}/release`, { token: key, body: { reason: 'customer cancelled' } });
    expect(released.status).toBe(200);
    expect(released.body).toMatchObject({ status: 'released', released_amount: '400', captured_amount: '0' });
    expect(await balances(key, payer.id)).toEqual({ posted: '1000', pending_debits: '0', pending_credits: '0', available: '1000' });
    for (const action of ['release', 'capture']) {
      const again = await t.request('POST', `/holds/${placed.body.id}/${action}`, { token: key });
      expect(again.status).toBe(409);
      expect(again.body.error).toMatchObject({ code: 'hold_not_pending', details: { status: 'released' } });
    }
    const hold = await t.request('GET', `/holds/${placed.body.id}`, { token: key });
    expect(hold.body.evidence).toMatchObject({ release_reason: 'released', release_note: 'customer cancelled' });

    const other = await t.placeHold(key, { account_id: payer.id, destination_account_id: merchant.id, amount: '10' });
    expect((await t.request('POST', `/holds/${other.body.id}/capture`, { token: key })).status).toBe(200);
    const twice = await t.request('POST', `/holds/${other.body.id}/capture`, { token: key });
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('hold_not_pending');
  });

  it('refuses over-capture, holds beyond available, bad amounts and dates, mismatched currencies, inactive accounts', async () => {
    const { key, funding, accounts } = await t.fundedTenant(2, '100');
    const [payer, merchant] = accounts;
    const before = await t.eventCount();
    const placed = await t.placeHold(key, { account_id: payer.id, destination_account_id: merchant.id, amount: '60' });
    const over = await t.request('POST', `/holds/${placed.body.id}/capture`, { token: key, body: { amount: '61' } });
    expect(over.status).toBe(422);
    expect(over.body.error).toMatchObject({ code: 'capture_exceeds_hold', details: { held: '60', requested: '61' } });

    const beyond = await t.placeHold(key, { account_id: payer.id, destination_account_id: merchant.id, amount: '41' });
    expect(beyond.status).toBe(422);
    expect(beyond.body.error).toMatchObject({ code: 'insufficient_funds', details: { account_id: payer.id, available: '40' } });

    for (const amount of ['0', '-1', '1.5', 'abc']) {
      const bad = await t.placeHold(key, { account_id: payer.id, destination_account_id: merchant.id, amount });
      expect(bad.status).toBe(400);
      expect(Object.keys(bad.body.error.details.fields)).toEqual(['amount']);
    }
    for (const expires_at of ['tomorrow', '2030-13-01T00:00:00Z', inMs(-60_000)]) {
      const bad = await t.placeHold(key, { account_id: payer.id, destination_account_id: merchant.id, amount: '1', expires_at });
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe('validation_failed');
    }
    const badCapture = await t.request('POST', `/holds/${placed.body.id}/capture`, { token: key, body: { amount: '0' } });
    expect(badCapture.status).toBe(400);

    const euro = await t.openAccount(key, { currency: 'EUR' });
    const mismatch = await t.placeHold(key, { account_id: payer.id, destination_account_id: euro.id, amount: '1' });
    expect(mismatch.status).toBe(422);
    expect(mismatch.body.error.code).toBe('currency_mismatch');

    expect((await t.request('POST', `/accounts/${merchant.id}/freeze`, { token: key })).status).toBe(200);
    const frozen = await t.placeHold(key, { account_id: payer.id, destination_account_id: merchant.id, amount: '1' });
    expect(frozen.status).toBe(422);
    expect(frozen.body.error.code).toBe('account_not_active');
    const frozenCapture = await t.request('POST', `/holds/${placed.body.id}/capture`, { token: key });
    expect(frozenCapture.status).toBe(422);
    expect(frozenCapture.body.error.code).toBe('account_not_active');

    const unknown = await t.placeHold(key, { account_id: payer.id, destination_account_id: funding.id.replace(/.$/, (last: string) => (last === '0' ? '1' : '0')), amount: '1' }); // another id, whatever it ended in
    expect(unknown.status).toBe(404);
    const missing = await t.request('POST', `/holds/00000000-0000-4000-8000-000000000000/capture`, { token: key });
    expect(missing.status).toBe(404);
    // One hold placed, one EUR account opened, one freeze: every refusal above appended nothing.
    expect(await t.eventCount()).toBe(before + 3);
  });

  it('is idempotent like every POST', async () => {
    const { key, accounts } = await t.fundedTenant(2, '100');
    const [payer, merchant] = accounts;
    const body = { account_id: payer.id, destination_account_id: merchant.id, amount: '10' };
    const first = await t.placeHold(key, body, { 'Idempotency-Key': 'hold-1' });
    const again = await t.placeHold(key, body, { 'Idempotency-Key': 'hold-1' });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    const capture1 = await t.request('POST', `/holds/${first.body.id}/capture`, { token: key, headers: { 'Idempotency-Key': 'cap-1' } });
    const capture2 = await t.request('POST', `/holds/${first.body.id}/capture`, { token: key, headers: { 'Idempotency-Key': 'cap-1' } });
    expect(capture2.status).toBe(200);
    expect(capture2.body).toEqual(capture1.body);
    expect(await balances(key, payer.id)).toMatchObject({ posted: '90', pending_debits: '0', available: '90' });
  });

  it('lets operators release but not capture or place; auditors only read', async () => {
    const { key, accounts } = await t.fundedTenant(2, '100');
    const [payer, merchant] = accounts;
    const operator = await t.createKey(key, 'operator');
    const auditor = await t.createKey(key, 'auditor');
    const placed = await t.placeHold(key, { account_id: payer.id, destination_account_id: merchant.id, amount: '10' });
    expect((await t.placeHold(operator, { account_id: payer.id, destination_account_id: merchant.id, amount: '1' })).status).toBe(403);
    expect((await t.request('POST', `/holds/${placed.body.id}/capture`, { token: operator })).status).toBe(403);
    expect((await t.request('POST', `/holds/${placed.body.id}/release`, { token: auditor })).status).toBe(403);
    expect((await t.request('GET', `/holds/${placed.body.id}`, { token: auditor })).status).toBe(200);
    expect((await t.request('POST', `/holds/${placed.body.id}/release`, { token: operator })).status).toBe(200);
  });

  it('lists holds by status and account, with cursors, and shows stuck holds', async () => {
    const { key, accounts } = await t.fundedTenant(3, '100');
    const [a, b, c] = accounts;
    const h1 = await t.placeHold(key, { account_id: a.id, destination_account_id: c.id, amount: '1' });
    const h2 = await t.placeHold(key, { account_id: b.id, destination_account_id: c.id, amount: '2' });
    const h3 = await t.placeHold(key, { account_id: a.id, destination_account_id: c.id, amount: '3' });
    await t.request('POST', `/holds/${h2.body.id}/release`, { token: key });
    const pendingOfA = await t.request('GET', `/holds?status=pending&account_id=${a.id}`, { token: key });
    expect(pendingOfA.body.data.map((h: any) => h.id)).toEqual([h1.body.id, h3.body.id]);
    const page1 = await t.request('GET', '/holds?limit=2', { token: key });
    expect(page1.body.data.map((h: any) => h.id)).toEqual([h1.body.id, h2.body.id]);
    const page2 = await t.request('GET', `/holds?limit=2&cursor=${page1.body.next_cursor}`, { token: key });
    expect(page2.body.data.map((h: any) => h.id)).toEqual([h3.body.id]);
    expect(page2.body.next_cursor).toBeNull();
    expect((await t.request('GET', '/holds?status=stuck', { token: key })).status).toBe(400);
    // None is past expiry or older than the threshold (24 h by default).
    expect((await t.request('GET', '/holds?stuck=true', { token: key })).body.data).toEqual([]);
    // With a threshold of zero, every pending hold is older than it: exactly those are stuck.
    const config = t.ledger.runtime.config;
    const threshold = config.stuckHoldSeconds;
    config.stuckHoldSeconds = 0;
    try {
      const stuck = await t.request('GET', '/holds?stuck=true', { token: key });
      expect(stuck.body.data.map((h: any) => h.id)).toEqual([h1.body.id, h3.body.id]);
    } finally {
      config.stuckHoldSeconds = threshold;
    }
  });

  it('expires within seconds, returns funds, and refuses capture after expires_at', async () => {
    const { key, accounts } = await t.fundedTenant(2, '100');
    const [payer, merchant] = accounts;
    const placed = await t.placeHold(key, { account_id: payer.id, destination_account_id: merchant.id, amount: '70', expires_at: inMs(800) });
    expect(placed.status).toBe(201);
    expect((await balances(key, payer.id)).available).toBe('30');
    await sleep(900);
    // Past expires_at: refused by the accepted time, whether or not the sweep has run.
    const late = await t.request('POST', `/holds/${placed.body.id}/capture`, { token: key });
    expect(late.status).toBe(409);
    expect(late.body.error).toMatchObject({ code: 'hold_not_pending' });
    const expired = await waitFor('expiry', async () => {
      const hold = await t.request('GET', `/holds/${placed.body.id}`, { token: key });
      return hold.body.status === 'expired' && hold.body;
    });
    expect(expired).toMatchObject({ released_amount: '70', captured_amount: '0', evidence: { release_reason: 'expired' } });
    expect(await balances(key, payer.id)).toEqual({ posted: '100', pending_debits: '0', pending_credits: '0', available: '100' });
  });

  it('holds racing postings on one account: exactly the affordable number succeed, available never negative', async () => {
    const { key, funding, accounts } = await t.fundedTenant(2, '1000');
    const [payer, merchant] = accounts;
    const attempts = Array.from({ length: 40 }, (_, i) =>
      i % 2 === 0
        ? t.placeHold(key, { account_id: payer.id, destination_account_id: merchant.id, amount: '50' })
        : t.transfer(key, payer.id, funding.id, '50'),
    );
    const results = await Promise.all(attempts);
    const ok = results.filter((r) => r.status === 201);
    expect(ok).toHaveLength(20); // 20 * 50 = 1000
    for (const r of results.filter((r) => r.status !== 201)) expect(r.body.error.code).toBe('insufficient_funds');
    expect((await balances(key, payer.id)).available).toBe('0');
    const history = await t.request('GET', `/accounts/${payer.id}/entries?limit=1000`, { token: key });
    for (const e of history.body.data) expect(BigInt(e.balance_after.available) >= 0n).toBe(true);
  });

  it('expiry racing capture: exactly one outcome per hold', async () => {
    const { key, accounts } = await t.fundedTenant(2, '1000');
    const [payer, merchant] = accounts;
    const holds = [];
    for (let i = 0; i < 10; i++) {
      holds.push((await t.placeHold(key, { account_id: payer.id, destination_account_id: merchant.id, amount: '10', expires_at: inMs(600) })).body);
    }
    await sleep(550);
    const captures = await Promise.all(holds.map((h, i) => sleep(i * 10).then(() => t.request('POST', `/holds/${h.id}/capture`, { token: key }))));
    for (const c of captures) expect([200, 409]).toContain(c.status);
    await waitFor('all holds ended', async () => {
      const pending = await t.request('GET', `/holds?status=pending&account_id=${payer.id}`, { token: key });
      return pending.body.data.length === 0;
    });
    for (const h of holds) {
      const ends = await t.query(
        `select type, data->>'reason' as reason from events where type in ('ledger.entry.posted', 'balance.released') and data->>'hold_id' = $1`,
        [h.id],
      );
      expect(ends).toHaveLength(1);
    }
    const capturedCount = captures.filter((c) => c.status === 200).length;
    expect((await balances(key, payer.id))).toEqual({ posted: String(1000 - capturedCount * 10), pending_debits: '0', pending_credits: '0', available: String(1000 - capturedCount * 10) });
  });

  it('two services sweeping the same database never expire a hold twice', async () => {
    const sibling = await t.startSibling({ LEDGER_HOLD_SWEEP_MS: '150' });
    try {
      const { key, accounts } = await t.fundedTenant(2, '1000');
      const [payer, merchant] = accounts;
      const ids: string[] = [];
      for (let i = 0; i < 20; i++) {
        ids.push((await t.placeHold(key, { account_id: payer.id, destination_account_id: merchant.id, amount: '5', expires_at: inMs(500) })).body.id);
      }
      await waitFor('all expired', async () => {
        const rows = await t.query(`select count(*)::int as n from events where type = 'balance.released' and data->>'hold_id' = any($1)`, [ids]);
        return rows[0].n >= 20;
      });
      await sleep(800); // let both sweepers try again
      const rows = await t.query(
        `select data->>'hold_id' as hold_id, count(*)::int as n from events where type = 'balance.released' and data->>'hold_id' = any($1) group by 1`,
        [ids],
      );
      expect(rows).toHaveLength(20);
      expect(rows.every((r) => r.n === 1)).toBe(true);
      // The sibling's expiries are not this process's writes: wait for the projection explicitly.
      const head = (await t.query(`select max(global_position)::text as head from events`))[0].head;
      const account = await t.request('GET', `/accounts/${payer.id}?min_position=${head}`, { token: key });
      expect(account.body.balances.available).toBe('1000');
    } finally {
      await sibling.ledger.shutdown();
    }
  });
});
