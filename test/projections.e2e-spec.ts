// Over 300 lines on purpose: the cases share one running service (started once per file), which is what keeps the suite fast.
import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { createPool } from '#database/index.js';
import { PostgresEventStore } from '#event-store/index.js';
import { Projector } from '#projection-runtime/index.js';
import { ALL_PROJECTIONS } from '#projections/index.js';
import { TestLedger } from './support/ledger.js';
import { cli } from './support/process.js';
import { expectRebuildIdentical } from './support/read-models.js';
import { sleep, waitFor } from './support/wait.js';





describe('projection workers', () => {
  it('rebuilds every projection while 8 writers post: reads keep answering, the swap happens, verify passes', async () => {
    const t = await TestLedger.start();
    try {
      const { key, tenantId, funding, accounts } = await t.fundedTenant(8, '1000000');
      for (let i = 0; i < 300; i++) await t.transfer(key, funding.id, accounts[i % 8].id, '1');
      let writing = true;
      let posted = 0;
      const writers = accounts.map(async (account, i) => {
        while (writing) {
          const res = await t.transfer(key, account.id, accounts[(i + 1) % 8].id, '1');
          expect(res.status).toBe(201);
          posted++;
        }
      });
      let reads = 0;
      let lastSeen = 0;
      const reader = (async () => {
        while (writing) {
          const history = await t.request('GET', `/accounts/${accounts[0].id}/entries?limit=1000`, { token: key });
          expect(history.status).toBe(200);
          // Never an empty or half-built model: the history only grows.
          expect(history.body.data.length).toBeGreaterThanOrEqual(lastSeen);
          lastSeen = history.body.data.length;
          const account = await t.request('GET', `/accounts/${accounts[0].id}`, { token: key });
          expect(account.status).toBe(200);
          reads++;
        }
      })();
      const rebuild = await cli(t.db.url, ['projections', 'rebuild', '--all']);
      writing = false;
      await Promise.all([...writers, reader]);
      expect(rebuild.code).toBe(0);
      for (const p of ALL_PROJECTIONS) expect(rebuild.stdout).toContain(`${p.name}: rebuilt and swapped at position`);
      // One pass over the log fed them all.
      expect(rebuild.stdout).toMatch(new RegExp(`all ${ALL_PROJECTIONS.length}: \\d+ log events read once`));
      expect(posted).toBeGreaterThan(0);
      expect(reads).toBeGreaterThan(0);
      // The rebuilt models keep being followed by the live projector after the swap.
      const after = await t.transfer(key, funding.id, accounts[0].id, '5');
      expect((await t.request('GET', `/transactions/${after.body.id}`, { token: key })).status).toBe(200);

      const verify = await cli(t.db.url, ['projections', 'verify', '--all', '--json']);
      expect(verify.code).toBe(0);
      const results = verify.stdout.trim().split('\n').map((line) => JSON.parse(line));
      expect(results.map((r) => r.projection).sort()).toEqual(ALL_PROJECTIONS.map((p) => p.name).sort());
      for (const r of results) expect(r).toMatchObject({ identical: true, live_hash: r.rebuilt_hash });
      const compare = await cli(t.db.url, ['replay', '--tenant', tenantId, '--compare']);
      expect(compare.code).toBe(0);
    } finally {
      await t.stop();
    }
  });

  it('holds and accounts applied in batches (runs of one statement) equal the same events applied one by one', async () => {
    // The live projector applies every event alone; verify rebuilds in batches of hundreds, where
    // creations, captures, releases and status changes of the same rows share statements.
    const t = await TestLedger.start({ LEDGER_PROJECTION_BATCH: '1', LEDGER_HOLD_SWEEP_MS: '200' });
    try {
      expect(t.ledger.projector!.runners.map((r) => (r as any).batchSize)).toEqual(ALL_PROJECTIONS.map(() => 1));
      const { key, accounts } = await t.fundedTenant(4, '100000');
      const [payer, merchant, frozen] = accounts;
      for (let i = 0; i < 5; i++) await t.openAccount(key, { customer: `extra-${i}`, metadata: { i, nested: { tag: `t${i}` } } });
      const holds: string[] = [];
      for (let i = 0; i < 8; i++) {
        const placed = await t.placeHold(key, {
          account_id: payer.id, destination_account_id: merchant.id, amount: String(100 + i), reference: `order-${i}`,
          metadata: { n: i }, ...(i === 7 ? { expires_at: new Date(Date.now() + 600).toISOString() } : {}),
        });
        expect(placed.status).toBe(201);
        holds.push(placed.body.id);
      }
      const act = async (path: string, body: object = {}) => expect((await t.request('POST', path, { token: key, body })).status).toBe(200);
      await act(`/holds/${holds[0]}/capture`); // in full
      await act(`/holds/${holds[1]}/capture`, { amount: '40' }); // captured, then the remainder released: two events, one hold
      await act(`/holds/${holds[2]}/release`);
      await act(`/holds/${holds[3]}/capture`, { amount: '1' });
      await act(`/accounts/${frozen.id}/freeze`);
      await act(`/accounts/${frozen.id}/unfreeze`);
      expect((await t.transfer(key, frozen.id, merchant.id, '5')).status).toBe(201);
      // Changes of one row back to back: each must land in order (only the last one shows).
      for (const target of accounts) {
        await act(`/accounts/${target.id}/freeze`);
        await act(`/accounts/${target.id}/unfreeze`);
      }
      await act(`/accounts/${frozen.id}/freeze`);
      await waitFor('the short hold to expire', async () => {
        const hold = await t.request('GET', `/holds/${holds[7]}`, { token: key });
        return hold.body.status === 'expired' ? hold.body : null;
      });
      const captured = await t.request('GET', `/holds/${holds[1]}`, { token: key });
      expect(captured.body).toMatchObject({ status: 'captured', captured_amount: '40', released_amount: '61' });

      for (const projection of ['holds', 'accounts']) await expectRebuildIdentical(t.db.url, projection);
    } finally {
      await t.stop();
    }
  });

  it('verify detects a tampered read model', async () => {
    const t = await TestLedger.start();
    try {
      const { key, accounts } = await t.fundedTenant(2, '100');
      await t.request('GET', `/accounts/${accounts[0].id}/entries`, { token: key });
      await t.query(`update entries set amount = amount + 1 where account_id = $1`, [accounts[0].id]);
      const verify = await cli(t.db.url, ['projections', 'verify', 'entries']);
      expect(verify.code).toBe(1);
      expect(verify.stdout).toContain('DIFFERENT');
      const others = await cli(t.db.url, ['projections', 'verify', 'accounts']);
      expect(others.code).toBe(0);
      expect(others.stdout).toContain('identical');
    } finally {
      await t.stop();
    }
  });

  it('a projector process killed mid-catch-up resumes with nothing lost or applied twice', async () => {
    const t = await TestLedger.start({ LEDGER_PROJECTOR: 'off', LEDGER_READ_WAIT_MS: '20000' });
    let child: ChildProcess | null = null;
    try {
      const tenant = await t.createTenant();
      // With no projector, the writes still succeed; reads would wait. Write through the API.
      const open = async (body: object) =>
        (await t.request('POST', '/accounts', { token: tenant.key, body: { customer: 'c', currency: 'USD', account_type: 'x', ...body } })).body;
      const funding = await open({ allow_negative: true });
      const wallets = [await open({}), await open({})];
      for (let wave = 0; wave < 20; wave++) {
        const posted = await Promise.all(Array.from({ length: 100 }, (_, i) => t.transfer(tenant.key, funding.id, wallets[i % 2].id, String(1 + i))));
        expect(posted.map((r) => r.status)).toEqual(Array(100).fill(201));
      }
      const head = BigInt((await t.query(`select max(global_position)::text as h from events`))[0].h);
      let projectorOutput = '';
      const startProjector = () => {
        const c = spawn(process.execPath, [path.resolve('dist/apps/projector/src/main.js')], {
          env: { ...process.env, DATABASE_URL: t.db.url, LEDGER_PROJECTION_BATCH: '10' },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        c.stdout!.on('data', (chunk) => (projectorOutput += chunk));
        c.stderr!.on('data', (chunk) => (projectorOutput += chunk));
        return c;
      };
      child = startProjector();
      const midway = await waitFor(`a checkpoint between 0 and head (projector said: ${projectorOutput})`, async () => {
        const rows = await t.query(`select max(position)::text as p from projection_checkpoints where name not like '%@%'`);
        const p = rows[0]?.p ? BigInt(rows[0].p) : 0n;
        return p > 0n ? p : null;
      });
      child.kill('SIGKILL');
      await new Promise((r) => child!.once('exit', r));
      expect(midway < head).toBe(true);
      child = startProjector();
      await waitFor('caught up', async () => {
        const rows = await t.query(`select count(*)::int as n, min(position)::text as p from projection_checkpoints where name not like '%@%'`);
        return rows[0].n === ALL_PROJECTIONS.length && BigInt(rows[0].p) >= head;
      }, 60_000);
      const compare = await cli(t.db.url, ['replay', '--tenant', tenant.id, '--compare']);
      expect(compare.stdout).toContain('projections agree');
      expect(compare.code).toBe(0);
      const verify = await cli(t.db.url, ['projections', 'verify', '--all']);
      expect(verify.code).toBe(0);
      const entries = await t.query(`select count(*)::int as n from entries`);
      expect(entries[0].n).toBe(2000 * 2);
    } finally {
      child?.kill('SIGKILL');
      await t.stop();
    }
  });

  it('two projectors race for ownership: one applies each projection, the other takes over when it stops', async () => {
    const t = await TestLedger.start();
    const pool = createPool(t.db.url, 10);
    const store = new PostgresEventStore(pool);
    const second = new Projector(ALL_PROJECTIONS, store, pool, t.db.url).start();
    try {
      await sleep(300);
      const first = t.ledger.projector!;
      for (let i = 0; i < ALL_PROJECTIONS.length; i++) {
        const statuses = [first.runners[i].status, second.runners[i].status].sort();
        expect(statuses).toEqual(['running', 'waiting_for_ownership']);
      }
      await first.stop();
      await waitFor('takeover', async () => second.runners.every((r) => r.status === 'running'), 10_000);
      const { key, accounts } = await t.fundedTenant(1, '42');
      expect((await t.request('GET', `/accounts/${accounts[0].id}`, { token: key })).body.balances.posted).toBe('42');
    } finally {
      await second.stop();
      await store.close();
      await pool.end();
      await t.stop();
    }
  });

  it('a poison event stops only its projection, is reported with its position, and resumes after a fix', async () => {
    const t = await TestLedger.start({ LEDGER_READ_WAIT_MS: '1000' });
    try {
      const { key, tenantId, accounts } = await t.fundedTenant(1, '10');
      const pool = createPool(t.db.url, 2);
      const store = new PostgresEventStore(pool);
      const head = BigInt((await t.query(`select max(stream_revision)::text as r from events where stream_id = $1`, [`ledger-${tenantId}`]))[0].r);
      // An account.created the accounts table cannot hold (no customer): a poison event for that projection only.
      const poison = await store.append(
        `ledger-${tenantId}`,
        [{ id: randomUUID(), type: 'account.created', data: { account_id: randomUUID(), customer: null, currency: 'USD', account_type: 'x', normal_balance: 'credit', allow_negative: false, metadata: {}, created_at: new Date().toISOString() }, metadata: { tenant_id: tenantId, actor: 'test', role: 'admin', occurred_at: new Date().toISOString() } }],
        head,
      );
      const health = await waitFor('failed projection in health', async () => {
        const res = await t.request('GET', '/health');
        return res.body.projection_lag.accounts.status === 'failed' && res.body;
      });
      expect(health.status).toBe('degraded');
      expect(health.projection_lag.accounts.error).toMatchObject({ position: poison.positions[0].toString() });
      expect(health.projection_lag.accounts.error.message).toContain('customer');
      await waitFor('others continue', async () => {
        const res = await t.request('GET', '/health');
        return ['entries', 'event_feed', 'balance_history'].every((n) => res.body.projection_lag[n].position === poison.positions[0].toString());
      });
      // Never skipped: the checkpoint stays before the poison event.
      expect(BigInt(health.projection_lag.accounts.position) < poison.positions[0]).toBe(true);

      // The fix (a migration allowing it), then a restart of the projection.
      await t.query(`alter table accounts alter column customer drop not null`);
      const runner = t.ledger.projector!.runners.find((r) => r.projection.name === 'accounts')!;
      await runner.stop();
      runner.start();
      await waitFor('recovered', async () => {
        const res = await t.request('GET', '/health');
        return res.body.projection_lag.accounts.status === 'ok' && res.body.status === 'ok';
      });
      expect((await t.request('GET', `/accounts/${accounts[0].id}`, { token: key })).status).toBe(200);
      await store.close();
      await pool.end();
    } finally {
      await t.stop();
    }
  });

  it('a read waits for every projection it reads: with any one of them held back it answers 503, never a partial view', async () => {
    const t = await TestLedger.start({ LEDGER_PROJECTOR: 'off', LEDGER_READ_WAIT_MS: '300' });
    const pool = createPool(t.db.url, 10);
    const store = new PostgresEventStore(pool);
    try {
      const { key, funding, accounts } = await t.fundedTenant(1, '100');
      const hold = await t.placeHold(key, { account_id: accounts[0].id, destination_account_id: funding.id, amount: '30' });
      expect(hold.status).toBe(201);
      const capture = await t.request('POST', `/holds/${hold.body.id}/capture`, { token: key, body: { amount: '10' } });
      expect(capture.status).toBe(200);
      const posting = await t.transfer(key, accounts[0].id, funding.id, '5');
      expect(posting.status).toBe(201);
      let head = 0n;
      // Each read and the projections it answers from.
      const reads: Record<string, string[]> = {
        [`/accounts/${accounts[0].id}`]: ['accounts'],
        [`/accounts/${accounts[0].id}/balances`]: ['accounts', 'balance_history', 'entries'],
        [`/accounts/${accounts[0].id}/entries`]: ['accounts', 'entries'],
        [`/holds/${hold.body.id}`]: ['holds'],
        [`/evidence/holds/${hold.body.id}`]: ['holds', 'event_feed'],
        [`/transactions/${posting.body.id}`]: ['transactions'],
        [`/evidence/transactions/${posting.body.id}`]: ['transactions'],
        '/events': ['event_feed'],
      };
      const heldBack = ['accounts', 'entries', 'balance_history', 'holds', 'event_feed', 'transactions'];
      const caughtUp = async (names: string[]) => {
        const rows = await t.query(`select name, position::text as p from projection_checkpoints where name = any($1)`, [names]);
        return rows.length === names.length && rows.every((r: any) => BigInt(r.p) >= head);
      };
      for (const name of heldBack) {
        // A new write each round: the projection held back is behind the caller's last write.
        expect((await t.transfer(key, accounts[0].id, funding.id, '1')).status).toBe(201);
        head = BigInt((await t.query(`select max(global_position)::text as h from events`))[0].h);
        const running = ALL_PROJECTIONS.filter((p) => p.name !== name);
        const projector = new Projector(running, store, pool, t.db.url).start();
        try {
          await waitFor(`all but ${name} caught up`, () => caughtUp(running.map((p) => p.name)), 20_000);
          expect(await caughtUp([name])).toBe(false);
          for (const [route, needs] of Object.entries(reads)) {
            const res = await t.request('GET', route, { token: key });
            expect({ held_back: name, route, status: res.status }).toEqual({ held_back: name, route, status: needs.includes(name) ? 503 : 200 });
          }
        } finally {
          await projector.stop();
        }
      }
      const projector = new Projector(ALL_PROJECTIONS, store, pool, t.db.url).start();
      try {
        await waitFor('all caught up', () => caughtUp(ALL_PROJECTIONS.map((p) => p.name)), 20_000);
        const balances = await t.request('GET', `/accounts/${accounts[0].id}/balances`, { token: key });
        expect(balances.status).toBe(200);
        // 100 funded, 10 captured out of a 30 hold (the rest released), 5 and 6 x 1 posted out.
        expect(balances.body.balances).toMatchObject({ posted: '79', available: '79' });
        const evidence = await t.request('GET', `/evidence/holds/${hold.body.id}`, { token: key });
        expect(evidence.status).toBe(200);
        expect(evidence.body.events.map((e: any) => e.ledger_entry.type)).toEqual(['balance.hold.created', 'ledger.entry.posted', 'balance.released']);
      } finally {
        await projector.stop();
      }
    } finally {
      await store.close();
      await pool.end();
      await t.stop();
    }
  });

  it("audits a posting naming another tenant's account opened a moment ago, before the accounts view has it", async () => {
    const t = await TestLedger.start({ LEDGER_PROJECTOR: 'off', LEDGER_READ_WAIT_MS: '10000' });
    const pool = createPool(t.db.url, 10);
    const store = new PostgresEventStore(pool);
    const projectors: Projector[] = [];
    try {
      const mine = await t.createTenant('mine');
      const theirs = await t.createTenant('theirs');
      const open = async (key: string) => (await t.request('POST', '/accounts', { token: key, body: { customer: 'c', currency: 'USD', account_type: 'x', allow_negative: true } })).body;
      const funding = await open(mine.key);
      const foreign = await open(theirs.key);
      // Everything is projected but the accounts view, which knows neither account yet.
      projectors.push(new Projector(ALL_PROJECTIONS.filter((p) => p.name !== 'accounts'), store, pool, t.db.url).start());
      const refused = t.request('POST', '/transactions', {
        token: mine.key,
        body: { entries: [{ account_id: funding.id, direction: 'debit', amount: '5' }, { account_id: foreign.id, direction: 'credit', amount: '5' }] },
      });
      await sleep(300);
      projectors.push(new Projector(ALL_PROJECTIONS.filter((p) => p.name === 'accounts'), store, pool, t.db.url).start());
      const res = await refused;
      expect(res.status).toBe(404);
      const audit = await waitFor('the cross-tenant attempt in the audit log', async () => {
        const log = await t.request('GET', '/audit-log?outcome=denied', { token: mine.key });
        return log.body.data?.find((e: any) => e.reason === 'cross_tenant' && e.resource === `account:${foreign.id}`);
      }, 10_000);
      expect(audit).toMatchObject({ action: 'post_transaction', outcome: 'denied' });
    } finally {
      for (const projector of projectors) await projector.stop();
      await store.close();
      await pool.end();
      await t.stop();
    }
  });

  it('reports lag per projection in /health and /metrics when no projector runs', async () => {
    const t = await TestLedger.start({ LEDGER_PROJECTOR: 'off', LEDGER_READ_WAIT_MS: '200', LEDGER_LAG_EVENTS_DEGRADED: '3' });
    try {
      const tenant = await t.createTenant();
      for (let i = 0; i < 5; i++) {
        await t.request('POST', '/accounts', { token: tenant.key, body: { customer: 'c', currency: 'USD', account_type: 'x' } });
      }
      const health = await t.request('GET', '/health');
      expect(health.body.status).toBe('degraded');
      expect(health.body.projector).toBe('external');
      expect(BigInt(health.body.projection_lag.accounts.lag_events)).toBeGreaterThanOrEqual(5n);
      expect(health.body.projection_lag.accounts.status).toBe('lagging');
      const metrics = await t.request('GET', '/metrics');
      expect(metrics.body).toMatch(/zentra_projection_lag_events\{projection="accounts"\} [5-9]/);
      // Read-your-writes cannot be honoured without a projector: a bounded wait, then 503.
      const read = await t.request('GET', '/accounts', { token: tenant.key });
      expect(read.status).toBe(503);
      expect(read.body.error.code).toBe('unavailable');
    } finally {
      await t.stop();
    }
  });
});
