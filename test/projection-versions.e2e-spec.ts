import { Projection } from '#projection-runtime/index.js';
import { ALL_PROJECTIONS } from '#projections/index.js';
import { createTestDatabase, TestDatabase } from './support/database.js';
import { TestLedger } from './support/ledger.js';
import { cli } from './support/process.js';
import { expectRebuildIdentical } from './support/read-models.js';
import { sleep, waitFor } from './support/wait.js';

/** The database kept when a ledger on it stops (the test drops it). */
const kept = (db: TestDatabase): TestDatabase => ({ ...db, drop: async () => undefined });

async function versions(t: TestLedger): Promise<Record<string, { version: number; built_at: string }>> {
  const rows = await t.query(`select name, version, built_at::text from projection_versions`);
  return Object.fromEntries(rows.map((r: any) => [r.name, { version: r.version, built_at: r.built_at }]));
}

/** The released versions of the two read models these tests bump (a test's bump is always one more). */
const ACCOUNTS_VERSION = ALL_PROJECTIONS.find((p) => p.name === 'accounts')!.version;
const TRIAL_BALANCE_VERSION = ALL_PROJECTIONS.find((p) => p.name === 'trial_balance')!.version;

describe('projection versions', () => {
  it('a fresh database: without a projector reads answer 503 (never 500) and no read model exists; the projector creates every one at its version', async () => {
    const db = await createTestDatabase();
    const apiOnly = await TestLedger.start({ LEDGER_PROJECTOR: 'off', LEDGER_READ_WAIT_MS: '300' }, kept(db));
    let projector: TestLedger | null = null;
    try {
      const writer = await apiOnly.createTenant('writer');
      const account = await apiOnly.openAccount(writer.key);
      const reader = await apiOnly.createTenant('reader'); // has written nothing: no position to wait for
      for (const [key, route] of [[writer.key, `/accounts/${account.id}`], [reader.key, '/accounts'], [reader.key, '/reconciliation/trial-balance'], [reader.key, '/events'], [reader.key, '/audit-log']]) {
        const res = await apiOnly.request('GET', route, { token: key });
        expect({ route, status: res.status, code: res.body.error?.code }).toEqual({ route, status: 503, code: 'unavailable' });
      }
      expect(await apiOnly.query(`select count(*)::int as n from pg_tables where schemaname = 'public' and tablename in ('accounts', 'entries', 'trial_balance', 'event_feed')`)).toEqual([{ n: 0 }]);
      expect(await apiOnly.query(`select count(*)::int as n from projection_versions`)).toEqual([{ n: 0 }]);

      projector = await TestLedger.start({}, kept(db));
      // Created before start-up returns, empty at checkpoint 0, then caught up like any projection behind.
      const built = await versions(projector);
      expect(Object.fromEntries(Object.entries(built).map(([name, v]) => [name, v.version]))).toEqual(Object.fromEntries(ALL_PROJECTIONS.map((p) => [p.name, p.version])));
      const shown = await waitFor('the account through the API-only process', async () => {
        const res = await apiOnly.request('GET', `/accounts/${account.id}`, { token: writer.key });
        return res.status === 200 && res.body;
      });
      expect(shown).toMatchObject({ id: account.id, balances: { posted: '0' } });
      expect((await apiOnly.request('GET', '/accounts', { token: reader.key })).body.data).toEqual([]);
      const status = JSON.parse((await cli(db.url, ['status'])).stdout);
      expect(status.projections.find((p: any) => p.name === 'accounts')).toMatchObject({ version: ACCOUNTS_VERSION });

      // A read model whose table is missing although its checkpoint exists is still a 503, not a 500.
      await projector.query(`drop table trial_balance`);
      const missing = await apiOnly.request('GET', '/reconciliation/trial-balance', { token: reader.key });
      expect({ status: missing.status, code: missing.body.error?.code, message: missing.body.error?.message }).toEqual({
        status: 503, code: 'unavailable', message: 'a read model is not built yet; retry shortly',
      });
    } finally {
      await projector?.ledger.shutdown();
      await apiOnly.ledger.shutdown();
      await db.drop();
    }
  });

  it('a version bump rebuilds the model on start while writers post: old model read until the swap, /health rebuilding, nothing lost or counted twice', async () => {
    const db = await createTestDatabase();
    const first = await TestLedger.start({}, kept(db));
    const { key, tenantId, funding, accounts: wallets } = await first.fundedTenant(3, '1000');
    const other = await first.fundedTenant(1, '500');
    await first.transfer(other.key, other.funding.id, other.accounts[0].id, '25');
    const otherAccount = (await first.request('GET', `/accounts/${other.accounts[0].id}`, { token: other.key })).body;
    const otherTrialBalance = (await first.request('GET', '/reconciliation/trial-balance', { token: other.key })).body;
    expect(otherAccount.balances.posted).toBe('525');
    const builtBefore = await versions(first);
    await first.ledger.shutdown();

    // The same code at version 2 for two read models; their applies wait for the test's word, so the rebuild can be watched.
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const bumped = new Set(['accounts', 'trial_balance']);
    const projections: Projection[] = ALL_PROJECTIONS.map((p) =>
      bumped.has(p.name) ? { ...p, version: p.version + 1, apply: async (tx, events) => (await gate, p.apply(tx, events)) } : p,
    );
    const t = await TestLedger.start({ LEDGER_READ_WAIT_MS: '500' }, kept(db), undefined, undefined, projections);
    const posted: { wallet: number; amount: bigint }[] = [];
    let writing = true;
    // Once the rebuild may finish, the writers keep posting at a gentler pace, so a loaded machine
    // does not keep the rebuild chasing the log's head for longer than the wait below.
    let paceMs = 0;
    const writers = Array.from({ length: 4 }, async (_, w) => {
      for (let i = 0; writing; i++) {
        if (paceMs) await sleep(paceMs);
        const wallet = (w + i) % wallets.length;
        const amount = BigInt(1 + ((w * 7 + i) % 9));
        const res = await t.transfer(key, funding.id, wallets[wallet].id, amount.toString());
        if (res.status !== 201) throw new Error(`posting: ${res.status} ${JSON.stringify(res.body)}`);
        posted.push({ wallet, amount });
      }
    });
    try {
      const health = await waitFor('both rebuilds in /health, writers posting', async () => {
        const res = await t.request('GET', '/health');
        const lag = res.body.projection_lag;
        return posted.length >= 20 && lag.accounts.status === 'rebuilding' && lag.trial_balance.status === 'rebuilding' && res.body;
      });
      expect(health.status).toBe('degraded');
      for (const name of bumped) {
        expect(health.projection_lag[name].rebuild).toEqual({ position: '0', lag_events: expect.any(String) });
        expect(BigInt(health.projection_lag[name].rebuild.lag_events)).toBeGreaterThan(20n);
      }
      expect(health.projection_lag.entries).toMatchObject({ status: expect.stringMatching(/^(ok|lagging)$/), rebuild: null });
      // Until the swap the old models answer: another tenant's reads as they were; the writing tenant's own writes are not there yet (503).
      expect((await t.request('GET', `/accounts/${other.accounts[0].id}`, { token: other.key })).body).toEqual(otherAccount);
      expect((await t.request('GET', '/reconciliation/trial-balance', { token: other.key })).body).toEqual(otherTrialBalance);
      const own = await t.request('GET', `/accounts/${wallets[0].id}`, { token: key });
      expect({ status: own.status, code: own.body.error?.code }).toEqual({ status: 503, code: 'unavailable' });
      expect((await versions(t)).accounts.version).toBe(ACCOUNTS_VERSION);

      open();
      paceMs = 20;
      await waitFor('both swapped in at version 2', async () => {
        const built = await versions(t);
        return built.accounts.version === ACCOUNTS_VERSION + 1 && built.trial_balance.version === TRIAL_BALANCE_VERSION + 1;
      }, 60_000);
      const swappedAt = posted.length;
      await waitFor('more postings after the swap', () => posted.length >= swappedAt + 20);
    } finally {
      open();
      writing = false;
      await Promise.all(writers);
    }
    try {
      // Every posting acknowledged is in both rebuilt models, once.
      const sent = posted.reduce((sum, p) => sum + p.amount, 0n);
      for (const [i, wallet] of wallets.entries()) {
        const res = await t.request('GET', `/accounts/${wallet.id}`, { token: key });
        expect(res.status).toBe(200);
        const expected = 1000n + posted.filter((p) => p.wallet === i).reduce((sum, p) => sum + p.amount, 0n);
        expect(res.body.balances.posted).toBe(expected.toString());
      }
      const trial = await t.request('GET', '/reconciliation/trial-balance', { token: key });
      expect(trial.body.data).toEqual([
        { currency: 'USD', posted: { debits: (3000n + sent).toString(), credits: (3000n + sent).toString(), balanced: true }, pending: { debits: '0', credits: '0', balanced: true } },
      ]);
      const compare = await cli(db.url, ['replay', '--tenant', tenantId, '--compare']);
      expect(compare.stdout).toContain('projections agree');
      expect(compare.code).toBe(0);
      for (const name of bumped) await expectRebuildIdentical(db.url, name);
      // Only the bumped models were rebuilt; their shadows are gone.
      const after = await versions(t);
      for (const p of ALL_PROJECTIONS.filter((p) => !bumped.has(p.name))) expect(after[p.name]).toEqual(builtBefore[p.name]);
      expect(await t.query(`select nspname from pg_namespace where nspname like 'rebuild_%'`)).toEqual([]);
      expect(await t.query(`select name from projection_checkpoints where name like '%@%'`)).toEqual([]);
      const health = await waitFor('healthy again', async () => {
        const res = await t.request('GET', '/health');
        return res.body.status === 'ok' && res.body;
      });
      expect(health.projection_lag.accounts).toMatchObject({ status: 'ok', rebuild: null });
    } finally {
      await t.ledger.shutdown();
      await db.drop();
    }
  }, 180_000);

  it('a rebuild stopped by shutdown leaves the old model at its version and drops its shadow; the next start rebuilds', async () => {
    const db = await createTestDatabase();
    const first = await TestLedger.start({}, kept(db));
    const { key, accounts } = await first.fundedTenant(1, '70');
    await first.ledger.shutdown();
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const held: Projection[] = ALL_PROJECTIONS.map((p) => (p.name === 'accounts' ? { ...p, version: p.version + 1, apply: async (tx, events) => (await gate, p.apply(tx, events)) } : p));
    const stopping = await TestLedger.start({}, kept(db), undefined, undefined, held);
    await waitFor('the rebuild under way', async () => (await stopping.request('GET', '/health')).body.projection_lag.accounts.status === 'rebuilding');
    const shutdown = stopping.ledger.shutdown();
    await sleep(200);
    open(); // the batch in flight ends; the rebuild stops before the next one
    await shutdown;
    expect((await stopping.query(`select version from projection_versions where name = 'accounts'`))[0].version).toBe(ACCOUNTS_VERSION);
    expect(await stopping.query(`select nspname from pg_namespace where nspname like 'rebuild_%'`)).toEqual([]);
    expect(await stopping.query(`select name from projection_checkpoints where name like '%@%'`)).toEqual([]);

    const bumped: Projection[] = ALL_PROJECTIONS.map((p) => (p.name === 'accounts' ? { ...p, version: p.version + 1 } : p));
    const next = await TestLedger.start({}, kept(db), undefined, undefined, bumped);
    try {
      await waitFor('rebuilt at version 2', async () => (await versions(next)).accounts.version === ACCOUNTS_VERSION + 1);
      expect((await next.request('GET', `/accounts/${accounts[0].id}`, { token: key })).body.balances.posted).toBe('70');
      await expectRebuildIdentical(db.url, 'accounts');
    } finally {
      await next.ledger.shutdown();
      await db.drop();
    }
  });
});
