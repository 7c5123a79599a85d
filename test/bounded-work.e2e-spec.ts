// Bounded work : statement imports, one drift run per tenant, a statement
// timeout on API queries, and one tenant's share of the pool. Real HTTP, real PostgreSQL.
import { createHash } from 'node:crypto';
import pg from 'pg';
import { MAX_STATEMENT_LINES } from '#reconciliation/index.js';
import { STATEMENT_CONTENT_BYTES_MAX } from '#api/reconciliation/import-statement.dto.js';
import { UNRECONCILED_ENTRY_IDS_MAX } from '#api/reconciliation/statement-importer.js';
import { ReconciliationScheduler } from '#api/reconciliation/reconciliation.scheduler.js';
import { TestLedger } from './support/ledger.js';
import { sleep, waitFor } from './support/wait.js';

const HEADER = 'external_id,amount,currency,direction,date,reference';
const today = () => new Date().toISOString().slice(0, 10);
const csvOf = (count: number, date = today()) => [HEADER, ...Array.from({ length: count }, (_, i) => `s${i},${1_000_000 + i},USD,credit,${date},`)].join('\n');

/** A connection of the test's own that holds a lock until `release`. */
async function holdLock(url: string, sql: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('begin');
  await client.query(sql);
  return async () => {
    await client.query('commit');
    await client.end();
  };
}

describe('bounded statement imports and drift runs', () => {
  let t: TestLedger;
  beforeAll(async () => {
    t = await TestLedger.start();
  });
  afterAll(async () => {
    await t.stop();
  });

  const statementEvents = async () => (await t.query(`select count(*)::int as n from events where type = 'reconciliation.statement.imported'`))[0].n;

  it('a statement of 5,000 lines appends one small event (content hash and counts) and its lines are paged', async () => {
    const { key, accounts } = await t.fundedTenant(1);
    const csv = csvOf(5_000);
    const res = await t.request('POST', '/reconciliation/statements', { token: key, body: { account_id: accounts[0].id, format: 'csv', content: csv } });
    expect(res.status).toBe(201);
    expect(res.body.summary).toEqual({ matched: 0, unmatched: 5_000, ambiguous: 0, unreconciled: 0, invalid: 0 });
    expect(res.body.lines).toHaveLength(1_000);
    expect(res.body.next_cursor).toEqual(expect.any(String));

    const [event] = await t.query(`select data, octet_length(data::text) as bytes from events where type = 'reconciliation.statement.imported' and data->>'statement_id' = $1`, [res.body.id]);
    expect(event.bytes).toBeLessThan(1_024);
    expect(event.data.content_sha256).toBe(createHash('sha256').update(csv).digest('hex'));
    expect(event.data.lines).toBeUndefined();
    expect(event.data.lines_total).toBe(5_000);

    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: any = await t.request('GET', `/reconciliation/statements/${res.body.id}?limit=700${cursor ? `&cursor=${cursor}` : ''}`, { token: key });
      expect(page.status).toBe(200);
      expect(page.body.summary).toEqual(res.body.summary);
      seen.push(...page.body.lines.map((l: any) => l.line));
      cursor = page.body.next_cursor;
      pages++;
    } while (cursor && pages < 20);
    expect(pages).toBe(8);
    expect(seen).toEqual(Array.from({ length: 5_000 }, (_, i) => i + 2));
    // Without `limit`, a GET answers the first 1,000 lines, as the POST did.
    const first = await t.request('GET', `/reconciliation/statements/${res.body.id}`, { token: key });
    expect(first.body.lines).toEqual(res.body.lines);
    expect((await t.request('GET', `/reconciliation/statements/${res.body.id}?limit=0`, { token: key })).status).toBe(400);
    const bogus = Buffer.from('99999999999').toString('base64url');
    expect((await t.request('GET', `/reconciliation/statements/${res.body.id}?cursor=${bogus}`, { token: key })).body.error.code).toBe('validation_failed');
  });

  it('refuses a statement over the line limit (400) or the content limit (413) and appends nothing', async () => {
    const { key, accounts } = await t.fundedTenant(1);
    const before = await statementEvents();
    const rowsBefore = (await t.query(`select count(*)::int as n from reconciliation_statement_lines`))[0].n;
    const tooMany = await t.request('POST', '/reconciliation/statements', {
      token: key,
      body: { account_id: accounts[0].id, format: 'csv', content: csvOf(MAX_STATEMENT_LINES + 1) },
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.code).toBe('validation_failed');
    expect(tooMany.body.error.message).toContain(`at most ${MAX_STATEMENT_LINES} lines`);
    const tooBig = await t.request('POST', '/reconciliation/statements', {
      token: key,
      body: { account_id: accounts[0].id, format: 'csv', content: `${HEADER}\n${'x'.repeat(STATEMENT_CONTENT_BYTES_MAX)}` },
    });
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.error.code).toBe('payload_too_large');
    // The same number of characters, some of them two bytes each: bytes are counted, not characters.
    const wide = await t.request('POST', '/reconciliation/statements', {
      token: key,
      body: { account_id: accounts[0].id, format: 'csv', content: `${HEADER}\n${'é'.repeat(STATEMENT_CONTENT_BYTES_MAX / 2)}` },
    });
    expect(wide.status).toBe(413);
    expect(await statementEvents()).toBe(before);
    expect((await t.query(`select count(*)::int as n from reconciliation_statement_lines`))[0].n).toBe(rowsBefore);
  });

  it('lists at most UNRECONCILED_ENTRY_IDS_MAX unreconciled entries and counts them all', async () => {
    const { key, funding, accounts } = await t.fundedTenant(1);
    const transactions = Array.from({ length: UNRECONCILED_ENTRY_IDS_MAX + 1 }, () => ({
      entries: [
        { account_id: funding.id, direction: 'debit', amount: '1' },
        { account_id: accounts[0].id, direction: 'credit', amount: '1' },
      ],
    }));
    const batch = await t.request('POST', '/transactions/batch', { token: key, body: { transactions } });
    expect(batch.body.results.map((r: any) => r.status)).toEqual(transactions.map(() => 201));
    const res = await t.request('POST', '/reconciliation/statements', { token: key, body: { account_id: accounts[0].id, format: 'csv', content: csvOf(1) } });
    expect(res.status).toBe(201);
    expect(res.body.summary.unreconciled).toBe(UNRECONCILED_ENTRY_IDS_MAX + 1);
    expect(res.body.unreconciled_entry_ids).toHaveLength(UNRECONCILED_ENTRY_IDS_MAX);
    const fetched = await t.request('GET', `/reconciliation/statements/${res.body.id}`, { token: key });
    expect(fetched.body.unreconciled_entry_ids).toEqual(res.body.unreconciled_entry_ids);
  });

  it('takes statement lines dated on the first and last days of years 0001-9999 (the window stays inside them)', async () => {
    const { key, accounts } = await t.fundedTenant(1);
    for (const date of ['0001-01-01', '9999-12-31']) {
      const res = await t.request('POST', '/reconciliation/statements', {
        token: key,
        body: { account_id: accounts[0].id, format: 'csv', content: csvOf(1, date), window_days: 31 },
      });
      expect(res.status).toBe(201);
      expect(res.body.lines[0]).toMatchObject({ status: 'unmatched', line: 2 });
    }
    const yearZero = await t.request('POST', '/reconciliation/statements', { token: key, body: { account_id: accounts[0].id, format: 'csv', content: csvOf(1, '0000-12-31') } });
    expect(yearZero.status).toBe(201);
    expect(yearZero.body.lines[0]).toMatchObject({ status: 'invalid', line: 2 });
  });

});

describe('one drift run per tenant at a time', () => {
  let t: TestLedger;
  beforeAll(async () => {
    t = await TestLedger.start();
  });
  afterAll(async () => {
    await t.stop();
  });

  it('runs one drift check per tenant at a time: concurrent requests, in this process and another, answer the running one', async () => {
    const { key, tenantId } = await t.fundedTenant(2, '100');
    const sibling = await t.startSibling();
    try {
      const runsOf = async () =>
        (await t.query(`select count(*)::int as n from events where type = 'reconciliation.run.completed' and metadata->>'tenant_id' = $1`, [tenantId]))[0].n;
      const before = await runsOf();
      // The check reads trial_balance in its snapshot: holding that table makes the run last until we let go.
      const release = await holdLock(t.db.url, 'lock table trial_balance in access exclusive mode');
      let released = false;
      try {
        const first = t.request('POST', '/reconciliation/runs', { token: key });
        const [active] = await waitFor('the run to start', async () => {
          const rows = await t.query(`select run_id from reconciliation_runs_active where tenant_id = $1`, [tenantId]);
          return rows.length > 0 && rows;
        });
        const others = await Promise.all([
          ...Array.from({ length: 4 }, () => t.request('POST', '/reconciliation/runs', { token: key })),
          sibling.request('POST', '/reconciliation/runs', { token: key }),
        ]);
        for (const other of others) {
          expect(other.status).toBe(202);
          expect(other.body).toMatchObject({ id: active.run_id, status: 'running' });
        }
        const running = await sibling.request('GET', `/reconciliation/runs/${active.run_id}`, { token: key });
        expect(running.status).toBe(200);
        expect(running.body.status).toBe('running');
        // The scheduled round skips a tenant whose check is running (this database's only tenant).
        await new ReconciliationScheduler(t.ledger.runtime.pool, t.ledger.runtime.store, 60).round();
        await release();
        released = true;
        const done = await first;
        expect(done.status).toBe(201);
        expect(done.body.id).toBe(active.run_id);
        expect(done.body.status).toBe('balanced');
      } finally {
        if (!released) await release();
      }
      expect(await runsOf()).toBe(before + 1);
      expect(await t.query(`select * from reconciliation_runs_active where tenant_id = $1`, [tenantId])).toEqual([]);
      // Once it is over, the next request starts a new run.
      const next = await sibling.request('POST', '/reconciliation/runs', { token: key });
      expect(next.status).toBe(201);
      expect(await runsOf()).toBe(before + 2);
    } finally {
      await sibling.ledger.shutdown();
    }
  });
});

describe('statement_timeout on API queries', () => {
  const TIMEOUT_MS = 300;
  let t: TestLedger;
  beforeAll(async () => {
    t = await TestLedger.start({ LEDGER_STATEMENT_TIMEOUT_MS: String(TIMEOUT_MS) });
  });
  afterAll(async () => {
    await t.stop();
  });

  it('a read whose query waits past the timeout answers 503 unavailable; the projector is not cut and catches up', async () => {
    const { key, funding, accounts } = await t.fundedTenant(1, '10');
    const account = accounts[0];
    expect((await t.request('GET', `/accounts/${account.id}`, { token: key })).status).toBe(200);
    const release = await holdLock(t.db.url, 'lock table accounts in access exclusive mode');
    let released = false;
    try {
      const started = Date.now();
      const slow = await t.request('GET', `/accounts/${account.id}`, { token: key });
      expect(slow.status).toBe(503);
      expect(slow.body.error.code).toBe('unavailable');
      expect(Date.now() - started).toBeLessThan(TIMEOUT_MS * 10);
      // A write does not read the read models: accepted. Its projection waits on the lock, uncut.
      expect((await t.transfer(key, funding.id, account.id, '5')).status).toBe(201);
      const waiting = await waitFor('the projector to wait on the lock for longer than the timeout', async () => {
        const rows = await t.query(
          `select pid from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database() and now() - query_start > make_interval(secs => $1)`,
          [(TIMEOUT_MS * 4) / 1000],
        );
        return rows.length > 0 && rows;
      }, 10_000, 50);
      expect(waiting.length).toBeGreaterThan(0);
      await release();
      released = true;
    } finally {
      if (!released) await release();
    }
    const after = await t.request('GET', `/accounts/${account.id}`, { token: key });
    expect(after.status).toBe(200);
    expect(after.body.balances.posted).toBe('15');
    const health = await t.request('GET', '/health');
    expect(JSON.stringify(health.body)).not.toContain('failed');
  });
});

describe("one tenant's reads cannot take the whole pool", () => {
  let t: TestLedger;
  beforeAll(async () => {
    t = await TestLedger.start({ LEDGER_DB_POOL_SIZE: '4', LEDGER_TENANT_CONNECTIONS_MAX: '2', LEDGER_TENANT_CONNECTION_WAIT_MS: '500' });
  });
  afterAll(async () => {
    await t.stop();
  });

  it("another tenant's read answers while one tenant floods slow reads; the flood's excess waits, bounded, then 503", async () => {
    const flooder = await t.fundedTenant(1);
    const other = await t.fundedTenant(1);
    // The flooder's reads are really slow: the holds table is locked, so each one waits on a connection.
    const release = await holdLock(t.db.url, 'lock table holds in access exclusive mode');
    let released = false;
    try {
      const flood = Array.from({ length: 8 }, () => t.request('GET', '/holds', { token: flooder.key }));
      await waitFor('the flood to hold its share of the pool', () => t.ledger.runtime.tenantReads.held(flooder.tenantId) === 2, 5_000, 10);
      const started = Date.now();
      const read = await t.request('GET', `/accounts/${other.accounts[0].id}`, { token: other.key });
      expect(read.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(2_000);
      await sleep(700); // past the flood's bounded wait
      await release();
      released = true;
      const answers = await Promise.all(flood);
      const statuses = answers.map((a) => a.status).sort();
      expect(statuses).toEqual([200, 200, 503, 503, 503, 503, 503, 503]);
      expect(answers.find((a) => a.status === 503)!.body.error.code).toBe('unavailable');
    } finally {
      if (!released) await release();
    }
    expect(t.ledger.runtime.tenantReads.held(flooder.tenantId)).toBe(0);
  });
});
