/**
 * Several API processes serving one tenant (issue #23, part 4): two real API processes on one
 * PostgreSQL, clients posting to the same tenant through both at once. The tenant's writers take
 * turns through the log's stream exclusion (TenantWriter, LEDGER_WRITER_LOCK): no request may fail
 * (before, the writers thrashed on each other's appends until retries ran out: 500s, later 503s),
 * and every acknowledged posting is in the log exactly once.
 */
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { createTestDatabase, TestDatabase } from './support/database.js';
import { ServiceProcess } from './support/process.js';
import { waitFor } from './support/wait.js';

const ADMIN = 'several-processes-admin-token';
const MASTER_KEY = 'several-processes-master-key-0123456789';
const CLIENTS = 24;
const POSTINGS_PER_CLIENT = 15;
/** Lost races allowed between the two writers taking turns (a third of what optimistic writers lose). */
const MOST_LOST_RACES = 10;

describe('two API processes, one tenant (real processes, one PostgreSQL)', () => {
  let db: TestDatabase;
  let pool: Pool;
  const processes: ServiceProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new Pool({ connectionString: db.url, max: 2 });
    const shared = { DATABASE_URL: db.url, LEDGER_MASTER_KEY: MASTER_KEY, LEDGER_RECONCILE_INTERVAL_MINUTES: '0' };
    // The first migrates the database and projects; the second only serves.
    processes.push(new ServiceProcess(ServiceProcess.tempDataDir(), ADMIN, shared));
    processes.push(new ServiceProcess(ServiceProcess.tempDataDir(), ADMIN, { ...shared, LEDGER_PROJECTOR: 'off' }));
    for (const service of processes) await service.start();
  }, 120_000);

  afterAll(async () => {
    for (const service of processes) if (service.child && service.child.exitCode === null) await service.kill('SIGTERM');
    await pool?.end();
    await db?.drop();
  });

  it('postings through both at once: every one answered 201, each in the log once, the balances add up', async () => {
    const [a, b] = processes;
    const tenant = (await a.request('POST', '/tenants', ADMIN, { name: 'several-processes' })).body;
    const key = tenant.api_key.key;
    const treasury = (await a.request('POST', '/accounts', key, { customer: 'treasury', currency: 'USD', account_type: 'operating', allow_negative: true })).body.id;
    const customer = (await b.request('POST', '/accounts', key, { customer: 'customer', currency: 'USD', account_type: 'customer' })).body.id;

    const run = randomUUID();
    const answers = await Promise.all(
      Array.from({ length: CLIENTS }, async (_, client) => {
        const statuses: number[] = [];
        for (let i = 0; i < POSTINGS_PER_CLIENT; i++) {
          const via = (client + i) % 2 === 0 ? a : b;
          const amount = String(client + 1);
          const answer = await via.request('POST', '/transactions', key, { entries: [{ account_id: treasury, direction: 'debit', amount }, { account_id: customer, direction: 'credit', amount }] }, { 'idempotency-key': `${run}-${client}-${i}` });
          statuses.push(answer.status);
        }
        return statuses;
      }),
    );
    const statuses = answers.flat();
    expect(statuses.filter((s) => s !== 201)).toEqual([]);

    const { rows } = await pool.query(
      `select count(*)::int as events, count(distinct metadata->>'idempotency_key')::int as keys from events
        where stream_id = $1 and type = 'ledger.entry.posted' and metadata->>'idempotency_key' like $2`,
      [`ledger-${tenant.id}`, `${run}-%`],
    );
    expect(rows[0]).toEqual({ events: CLIENTS * POSTINGS_PER_CLIENT, keys: CLIENTS * POSTINGS_PER_CLIENT });

    // Sum over clients of (client + 1) * POSTINGS_PER_CLIENT, projected by the first process from both processes' appends.
    const expected = BigInt(POSTINGS_PER_CLIENT * ((CLIENTS * (CLIENTS + 1)) / 2));
    const balance = await waitFor('the customer balance to include every posting', async () => {
      const answer = await a.request('GET', `/accounts/${customer}`, key);
      return answer.status === 200 && BigInt(answer.body.balances.posted) === expected ? answer.body.balances : null;
    });
    expect(balance).toMatchObject({ posted: expected.toString(), available: expected.toString() });

    // They took turns, and lost next to no races to each other: 0–5 here, the most on a loaded
    // machine (a turn not had within the lock's wait goes optimistic for a while); optimistic
    // writers alone (LEDGER_WRITER_LOCK=off) lost 33 in a quiet run, one per group or so.
    const metric = async (service: ServiceProcess, name: string) => {
      const text = (await service.request('GET', '/metrics', '')).text;
      return Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1]);
    };
    const [turnsA, turnsB] = [await metric(a, 'zentra_writer_turns'), await metric(b, 'zentra_writer_turns')];
    expect({ a: turnsA > 0, b: turnsB > 0 }).toEqual({ a: true, b: true });
    expect((await metric(a, 'zentra_writer_conflicts')) + (await metric(b, 'zentra_writer_conflicts'))).toBeLessThanOrEqual(MOST_LOST_RACES);
  }, 120_000);
});
