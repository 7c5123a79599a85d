import { Pool } from 'pg';
import { balancesAsOf } from '../projections/balance-history/balance-history.queries.js';
import { EntriesCounters1700000001900 } from '../projections/entries/entries-counters.migration.js';
import { expectRebuildIdentical, restarted, runner, withoutLog, writtenDatabase } from './support/migrations.js';
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

  it('the entries-counters migration carries existing rows over exactly as a rebuild leaves them (down, then up)', async () => {
    const answers = async (ledger: TestLedger, { key, ids, positions }: { key: string; ids: string[]; positions: string[] }) => {
      const seen: unknown[] = [];
      for (const id of ids) {
        for (const position of positions) seen.push((await ledger.request('GET', `/accounts/${id}/balances?as_of_position=${position}`, { token: key })).body);
        seen.push((await ledger.request('GET', `/accounts/${id}/balances`, { token: key })).body.balances);
      }
      return seen;
    };
    const write = async (first: TestLedger) => {
      const { key, funding, accounts } = await first.fundedTenant(2, '500');
      const moves = [await first.transfer(key, accounts[0].id, accounts[1].id, '125'), await first.transfer(key, accounts[1].id, accounts[0].id, '5')];
      const hold = await first.placeHold(key, { account_id: accounts[0].id, destination_account_id: funding.id, amount: '30' });
      await first.request('POST', `/holds/${hold.body.id}/capture`, { token: key, body: { amount: '10' } });
      return { key, ids: [funding.id, ...accounts.map((a: any) => a.id)], positions: [...moves.map((m) => m.body.position), hold.body.position] };
    };
    const { db, kept, written: scenario, seen: before } = await writtenDatabase(write, answers);
    // Back to the schema and rows the previous version had: counters only in balance_history.
    const pool = new Pool({ connectionString: db.url, max: 1 });
    const migration = new EntriesCounters1700000001900();
    try {
      await migration.down(runner(pool));
      await pool.query(`delete from schema_migrations where name = 'EntriesCounters1700000001900'`);
      const postingRows = await pool.query(`select count(*)::int as n from balance_history h join entries e on e.account_id = h.account_id and e.position = h.position`);
      expect(postingRows.rows[0].n).toBeGreaterThan(0);

      // Without the log in this database (EventStoreDB): the counters come from balance_history,
      // and point-in-time balances answer the same.
      await withoutLog(pool, async () => {
        await migration.up(runner(pool));
        const normals = new Map((await pool.query(`select id, normal_balance from accounts`)).rows.map((r) => [r.id, r.normal_balance]));
        const answered: unknown[] = [];
        for (const id of scenario.ids) {
          for (const position of scenario.positions) {
            const at = await balancesAsOf(pool, id, normals.get(id), { position: BigInt(position) });
            answered.push({ account_id: id, as_of_position: position, ...at });
          }
          answered.push((await balancesAsOf(pool, id, normals.get(id), { position: 1n << 100n })).balances);
        }
        expect(answered).toEqual(before);
        expect((await pool.query(`select count(*)::int as n from balance_history h join entries e on e.account_id = h.account_id and e.position = h.position`)).rows[0].n).toBe(0);
        await migration.down(runner(pool));
      });
    } finally {
      await pool.end();
    }
    await restarted(db, kept, async (second) => {
      // Migrated up again at start, with the log in this database.
      expect(await answers(second, scenario)).toEqual(before);
      for (const projection of ['entries', 'balance_history']) await expectRebuildIdentical(db.url, projection);
    });
  });
});
