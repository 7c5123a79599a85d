import { TestLedger } from './support/ledger.js';
import { cli } from './support/process.js';
import { sleep } from './support/wait.js';



describe('balance history, point-in-time balances and auditor replay', () => {
  let t: TestLedger;
  beforeAll(async () => {
    t = await TestLedger.start();
  });
  afterAll(async () => {
    await t.stop();
  });

  it('answers as_of before, between and after postings, and as_of_position', async () => {
    const { key, funding, accounts } = await t.fundedTenant(1);
    const [wallet] = accounts;
    const created = new Date().toISOString();
    await sleep(20);
    const first = await t.transfer(key, funding.id, wallet.id, '100');
    await sleep(20);
    const between = new Date().toISOString();
    await sleep(20);
    const hold = await t.placeHold(key, { account_id: wallet.id, destination_account_id: funding.id, amount: '30' });
    await sleep(20);
    const after = new Date().toISOString();

    const at = async (query: string) => t.request('GET', `/accounts/${wallet.id}/balances?${query}`, { token: key });
    expect((await at(`as_of=${encodeURIComponent(created)}`)).body.balances).toEqual({ posted: '0', pending_debits: '0', pending_credits: '0', available: '0' });
    expect((await at(`as_of=${encodeURIComponent(between)}`)).body).toMatchObject({
      as_of: between,
      balances: { posted: '100', pending_debits: '0', pending_credits: '0', available: '100' },
      position: first.body.position,
    });
    expect((await at(`as_of=${encodeURIComponent(after)}`)).body.balances).toEqual({ posted: '100', pending_debits: '30', pending_credits: '0', available: '70' });
    expect((await at(`as_of_position=${first.body.position}`)).body.balances.available).toBe('100');
    expect((await at(`as_of_position=${hold.body.position}`)).body.balances.available).toBe('70');
    expect((await at('')).body.balances.available).toBe('70');

    const future = await at(`as_of=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`);
    expect(future.status).toBe(400);
    expect(future.body.error.details.fields).toHaveProperty('as_of');
    for (const bad of ['yesterday', '2030-02-30T00:00:00Z', '2026-01-01', '1700000000']) {
      const res = await at(`as_of=${encodeURIComponent(bad)}`);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    expect((await at(`as_of=${encodeURIComponent(between)}&as_of_position=1`)).status).toBe(400);
    expect((await at('as_of_position=-1')).status).toBe(400);
  });

  it('the CLI replay of the log equals the API as_of at random instants over a generated history', async () => {
    const { key, tenantId, funding, accounts } = await t.fundedTenant(8, '100000');
    const instants: string[] = [];
    // A few thousand postings, in waves, with instants taken between waves.
    for (let wave = 0; wave < 10; wave++) {
      await Promise.all(
        Array.from({ length: 250 }, (_, i) => {
          const from = accounts[(wave + i) % accounts.length];
          const to = i % 7 === 0 ? funding : accounts[(wave * 3 + i + 1) % accounts.length];
          return from.id === to.id ? null : t.transfer(key, from.id, to.id, String(1 + ((i * 37 + wave) % 400)));
        }),
      );
      instants.push(new Date().toISOString());
      await sleep(5);
    }
    const picks = [instants[0], instants[3], instants[6], instants[9]];
    for (const instant of picks) {
      const replay = await cli(t.db.url, ['replay', '--tenant', tenantId, '--until', instant, '--json']);
      expect(replay.code).toBe(0);
      const report = JSON.parse(replay.stdout);
      expect(report.state_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(report.accounts).toHaveLength(9);
      for (const account of report.accounts) {
        const api = await t.request('GET', `/accounts/${account.account_id}/balances?as_of=${encodeURIComponent(instant)}`, { token: key });
        expect(api.body.balances).toEqual(account.balances);
      }
    }
    const full = await cli(t.db.url, ['replay', '--tenant', tenantId, '--json', '--compare']);
    expect(full.code).toBe(0);
    const report = JSON.parse(full.stdout);
    expect(report.differences).toEqual([]);
    expect(report.events).toBeGreaterThan(2000);
    for (const account of report.accounts) {
      const api = await t.request('GET', `/accounts/${account.account_id}`, { token: key });
      expect(api.body.balances).toEqual(account.balances);
    }
    const one = await cli(t.db.url, ['replay', '--tenant', tenantId, '--account', accounts[0].id]);
    expect(one.code).toBe(0);
    expect(one.stdout).toContain(accounts[0].id);
    expect(one.stdout).not.toContain(accounts[1].id);
  });

  it('replay --compare names the account whose projection was tampered with, and exits 1', async () => {
    const { key, tenantId, funding, accounts } = await t.fundedTenant(2, '500');
    await t.transfer(key, accounts[0].id, accounts[1].id, '125');
    await t.request('GET', `/accounts/${accounts[1].id}/balances`, { token: key });
    // The transfer's counters live on the account's entry (balance_history holds events without entries).
    await t.query(
      `update entries set credits_posted = credits_posted + 1
        where account_id = $1 and position = (select max(position) from entries where account_id = $1)`,
      [accounts[1].id],
    );
    const result = await cli(t.db.url, ['replay', '--tenant', tenantId, '--compare', '--json']);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.differences).toEqual([
      { account_id: accounts[1].id, replayed: expect.objectContaining({ posted: '625' }), projected: expect.objectContaining({ posted: '626' }) },
    ]);
    // The funding account was not touched by the tampering.
    expect(report.differences.map((d: any) => d.account_id)).not.toContain(funding.id);
  });

  it('the CLI refuses bad arguments with usage', async () => {
    const missing = await cli(t.db.url, ['replay']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--tenant');
    const badUntil = await cli(t.db.url, ['replay', '--tenant', 'x', '--until', 'soon']);
    expect(badUntil.code).toBe(2);
  });
});
