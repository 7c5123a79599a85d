import { readFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import path from 'node:path';
import { Pool } from 'pg';
import { ALL_PROJECTIONS } from '#projections/index.js';
import { createTestDatabase, TestDatabase } from './support/database.js';
import { TestLedger } from './support/ledger.js';
import { cli, runScript } from './support/process.js';
import { schemaShape } from './support/schema-shape.js';
import { waitFor } from './support/wait.js';

const FIXTURE = path.resolve('test/fixtures/class-migrations.sql');
const kept = (db: TestDatabase): TestDatabase => ({ ...db, drop: async () => undefined });

/** What cannot be rebuilt from the log, in the order foreign keys allow inserting it. */
const KEPT_TABLES = ['events', 'streams', 'tenants', 'api_keys', 'chain_heads', 'intents', 'webhook_endpoints', 'reconciliation_runs_active', 'reconciliation_statement_lines', 'reconciliation_statement_unreconciled'];
const READ_MODEL_TABLES = ALL_PROJECTIONS.flatMap((p) => p.tables);

async function tableRows(pool: Pool, table: string): Promise<unknown[]> {
  return (await pool.query(`select coalesce(json_agg(t order by t::text), '[]'::json) as rows from ${table} t`)).rows[0].rows;
}

/** Every request a receiver got, answered 200. */
async function receiver(): Promise<{ server: Server; url: string; received: string[] }> {
  const received: string[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received.push(String(req.headers['zentra-event-id']));
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
}

/** Postings, a hold captured in part, a reversal, a drift run, a refused cross-tenant read, a webhook endpoint: rows in every read model. */
async function scenario(t: TestLedger, hookUrl: string) {
  const { key, funding, accounts } = await t.fundedTenant(2, '500');
  const other = await t.fundedTenant(1, '10');
  const endpoint = await t.request('POST', '/webhook-endpoints', { token: key, body: { url: hookUrl, events: ['*'] } });
  expect(endpoint.status).toBe(201);
  const moved = await t.transfer(key, accounts[0].id, accounts[1].id, '125');
  const hold = await t.placeHold(key, { account_id: accounts[0].id, destination_account_id: funding.id, amount: '30' });
  await t.request('POST', `/holds/${hold.body.id}/capture`, { token: key, body: { amount: '10' } });
  const reversal = await t.request('POST', `/transactions/${moved.body.id}/reverse`, { token: key });
  expect(reversal.status).toBe(201);
  expect((await t.request('GET', `/accounts/${other.accounts[0].id}`, { token: key })).status).toBe(404);
  const run = await t.request('POST', '/reconciliation/runs', { token: key });
  expect(run.status).toBe(201);
  return {
    key,
    accounts: [funding.id, ...accounts.map((a: any) => a.id)] as string[],
    positions: [moved.body.position, hold.body.position] as string[],
    transactions: [moved.body.id, reversal.body.id] as string[],
    hold: hold.body.id as string,
    run: run.body.id as string,
  };
}

type Written = Awaited<ReturnType<typeof scenario>>;

/** What the API answers from the read models. */
async function answers(t: TestLedger, w: Written) {
  const get = async (route: string) => {
    const res = await t.request('GET', route, { token: w.key });
    expect({ route, status: res.status }).toEqual({ route, status: 200 });
    return res.body;
  };
  const seen: unknown[] = [];
  for (const id of w.accounts) {
    seen.push(await get(`/accounts/${id}`), await get(`/accounts/${id}/entries`));
    for (const position of w.positions) seen.push(await get(`/accounts/${id}/balances?as_of_position=${position}`));
  }
  for (const id of w.transactions) seen.push(await get(`/transactions/${id}`), await get(`/evidence/transactions/${id}`));
  seen.push(await get(`/holds/${w.hold}`), await get(`/evidence/holds/${w.hold}`), await get('/events?limit=100'), await get('/audit-log?limit=100'));
  seen.push(await get('/reconciliation/trial-balance'), await get(`/reconciliation/runs/${w.run}`), await get('/webhook-deliveries?limit=100'));
  return seen;
}

describe('upgrade from the class migrations', () => {
  it('a database the class migrations built starts on this code: log and tenancy kept, every read model rebuilt identical, the same structure as a fresh one', async () => {
    const hook = await receiver();
    const allowPrivate = { LEDGER_WEBHOOK_ALLOW_PRIVATE: 'true' }; // the receiver listens on 127.0.0.1
    // The data: written through this code on a fresh database (its read models are the released shapes, at version 1).
    const source = await createTestDatabase();
    const writer = await TestLedger.start(allowPrivate, kept(source));
    let written: Written;
    let before: unknown[];
    try {
      written = await scenario(writer, hook.url);
      await waitFor('every delivery delivered', async () => {
        const rows = await writer.query(`select count(*) filter (where status = 'delivered')::int as done, count(*)::int as n from webhook_deliveries`);
        return rows[0].n > 0 && rows[0].done === rows[0].n;
      });
      before = await answers(writer, written);
    } finally {
      await writer.ledger.shutdown();
    }
    const sent = hook.received.length;

    // The same rows in a database built by the released class migrations (test/fixtures/class-migrations.sql).
    const old = await createTestDatabase({ migrate: false });
    const from = new Pool({ connectionString: source.url, max: 1 });
    const to = new Pool({ connectionString: old.url, max: 1 });
    const keptBefore: Record<string, unknown[]> = {};
    let upgraded: TestLedger | null = null;
    try {
      await to.query(readFileSync(FIXTURE, 'utf8'));
      for (const table of [...KEPT_TABLES, 'projection_checkpoints', ...READ_MODEL_TABLES]) {
        // A read model newer than the class migrations (policies) has no table there: its projection builds it on start.
        if (READ_MODEL_TABLES.includes(table) && (await to.query(`select to_regclass($1) as found`, [table])).rows[0].found === null) continue;
        const rows = await tableRows(from, table);
        if (KEPT_TABLES.includes(table)) keptBefore[table] = rows;
        await to.query(`insert into ${table} ${table === 'events' ? 'overriding system value' : ''} select * from json_populate_recordset(null::${table}, $1)`, [JSON.stringify(rows)]);
      }
      await to.query(`select setval('events_global_position_seq', (select max(global_position) from events))`);

      upgraded = await TestLedger.start(allowPrivate, kept(old));
      await waitFor('every read model rebuilt at its version', async () => {
        const rows = await upgraded!.query(`select name, version from projection_versions`);
        return rows.length === ALL_PROJECTIONS.length && ALL_PROJECTIONS.every((p) => rows.some((r: any) => r.name === p.name && r.version === p.version));
      }, 60_000);
      for (const table of KEPT_TABLES) expect({ table, rows: await tableRows(to, table) }).toEqual({ table, rows: keptBefore[table] });
      expect(await answers(upgraded, written)).toEqual(before);
      const verify = await cli(old.url, ['projections', 'verify', '--all', '--json']);
      expect(verify.stdout.trim().split('\n').map((line) => JSON.parse(line)).map((r) => [r.projection, r.identical])).toEqual(ALL_PROJECTIONS.map((p) => [p.name, true]));
      expect(verify.code).toBe(0);
      // Deliveries carried over with their state: nothing sent again.
      expect(hook.received.length).toBe(sent);
      expect(await schemaShape(old.url)).toEqual(await schemaShape(source.url));
      expect(await upgraded.query(`select nspname from pg_namespace where nspname like 'rebuild_%'`)).toEqual([]);
    } finally {
      await from.end();
      await to.end();
      await upgraded?.ledger.shutdown();
      await old.drop();
      await source.drop();
      await new Promise((resolve) => hook.server.close(resolve));
    }
  });
  it('a database on which a released migration was applied as other text refuses to start: the API, the projector process and the CLI say which and why', async () => {
    const db = await createTestDatabase();
    const pool = new Pool({ connectionString: db.url, max: 1 });
    try {
      // As if 0002-tenancy had been edited after this database applied it: the stored checksum is not the file's.
      await pool.query(`update schema_migration_checksums set sha256 = repeat('0', 64) where id = '0002-tenancy'`);
      const refused = await TestLedger.start({}, kept(db)).catch((error) => error);
      expect(refused).toBeInstanceOf(Error);
      expect(refused.message).toContain('migration 0002-tenancy was changed after it was applied');
      const projector = await runScript('dist/apps/projector/src/main.js', [], { DATABASE_URL: db.url });
      for (const result of [projector, await cli(db.url, ['migrate']), await cli(db.url, ['status'])]) {
        expect(result.code).toBe(1);
        expect(result.stderr).toContain('migration 0002-tenancy was changed after it was applied');
      }
      expect(await tableRows(pool, 'projection_versions')).toEqual([]); // nothing started
    } finally {
      await pool.end();
      await db.drop();
    }
  });
});
