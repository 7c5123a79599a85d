import { ALL_PROJECTIONS } from '#projections/index.js';
import { TestLedger } from './support/ledger.js';
import { cli } from './support/process.js';
import { waitFor } from './support/wait.js';

/**
 * `projections rebuild --all` fills its shadows by each projection's bulk form (COPY, indexes
 * built after, unlogged until finished: libs/projection-runtime/src/bulk-rebuild.ts); the live
 * apply stays the reference. On a log with every event type, the rebuilt read models equal the
 * live ones row for row, with the same indexes, logged.
 */

/** Every event type the log can hold: the ledger's (libs/domain events.ts) and the access audit's. */
const EVENT_TYPES = [
  'account.created', 'account.status_changed', 'ledger.entry.posted', 'ledger.entry.reversed', 'balance.hold.created', 'balance.released',
  'policy.created', 'policy.updated', 'policy.disabled', 'balance.monitor.triggered', 'route.created', 'route.status_changed',
  'intent.accepted', 'intent.routed', 'intent.refused', 'intent.settled', 'intent.canceled', 'access.denied', 'admin.action',
];

describe('bulk rebuild', () => {
  it('rebuilds every projection from a log with every event type into the same rows, indexes and persistence as its live apply', async () => {
    const t = await TestLedger.start({ LEDGER_HOLD_SWEEP_MS: '200' });
    try {
      await writeEveryEventType(t);
      const types = (await t.query(`select distinct type from events`)).map((r) => r.type);
      expect(types).toEqual(expect.arrayContaining(EVENT_TYPES));
      await caughtUp(t);
      const before = await readModels(t);
      // The projections with a bulk form have rows, so "equal" compares something for each of them.
      const bulkTables = ALL_PROJECTIONS.filter((p) => p.bulk).flatMap((p) => p.tables);
      expect(bulkTables.filter((table) => before.rows[table].length === 0)).toEqual([]);
      expect(bulkTables.length).toBeGreaterThanOrEqual(5);

      const rebuild = await cli(t.db.url, ['projections', 'rebuild', '--all']);
      expect(rebuild.code).toBe(0);
      for (const p of ALL_PROJECTIONS) expect(rebuild.stdout).toContain(`${p.name}: rebuilt and swapped at position`);
      await caughtUp(t);
      const after = await readModels(t);
      for (const table of Object.keys(before.rows)) expect({ table, rows: after.rows[table] }).toEqual({ table, rows: before.rows[table] });
      expect(after.indexes).toEqual(before.indexes);
      expect(after.unlogged).toEqual([]);
      // No shadow left behind.
      expect(await t.query(`select nspname from pg_namespace where nspname like 'rebuild\\_%'`)).toEqual([]);
    } finally {
      await t.stop();
    }
  });
});

async function writeEveryEventType(t: TestLedger): Promise<void> {
  const ok = async (method: string, path: string, key: string, body?: object) => {
    const res = await t.request(method, path, { token: key, body });
    expect({ path, status: res.status < 300 }).toEqual({ path, status: true });
    return res.body;
  };
  const { key, funding, accounts } = await t.fundedTenant(3, '100000');
  const [payer, merchant, other] = accounts;
  // Text that COPY must escape (tab, newline, backslash, quotes) in a customer, metadata and a reference.
  await t.openAccount(key, { customer: 'tab\there\nnew line \\ "quoted"', metadata: { note: 'a\tb\\c\nd', nested: { n: 1 } } });
  await t.openAccount(key, { customer: 'acme', path: 'merchants:acme' });
  await t.openAccount(key, { customer: 'acme', path: 'merchants:acme:fees' });
  const posted = await ok('POST', '/transactions', key, {
    entries: [{ account_id: funding.id, direction: 'debit', amount: '250' }, { account_id: payer.id, direction: 'credit', amount: '250' }],
    reference: 'ref\twith tab', metadata: { order: 'o-1', text: 'line\nbreak' },
  });
  await ok('POST', `/transactions/${posted.id}/reverse`, key, { reason: 'duplicate' });
  await ok('POST', `/accounts/${other.id}/freeze`, key);
  await ok('POST', `/accounts/${other.id}/unfreeze`, key);
  const hold = (amount: string, extra: object = {}) => ok('POST', '/holds', key, { account_id: payer.id, destination_account_id: merchant.id, amount, ...extra });
  const captured = await hold('100');
  await ok('POST', `/holds/${captured.id}/capture`, key, { amount: '40' });
  const released = await hold('10');
  await ok('POST', `/holds/${released.id}/release`, key);
  const expiring = await hold('5', { expires_at: new Date(Date.now() + 300).toISOString() });
  await waitFor('the short hold to expire', async () => ((await t.request('GET', `/holds/${expiring.id}`, { token: key })).body.status === 'expired' ? true : null));
  const limit = await ok('POST', '/policies', key, { name: 'limit', type: 'amount_limit', scope: { account_type: 'customer' }, params: { currency: 'USD', max_amount: '1000000' } });
  await ok('PATCH', `/policies/${limit.id}`, key, { mode: 'observe' });
  await ok('POST', `/policies/${limit.id}/disable`, key);
  await ok('POST', '/policies', key, { name: 'low', type: 'balance_monitor', scope: { account_type: 'customer' }, params: { currency: 'USD', threshold: '99000', when: 'below' } });
  await t.transfer(key, merchant.id, funding.id, '2000'); // crosses the monitor's threshold
  const settlement = await t.openAccount(key, { customer: 'acme', account_type: 'settlement' });
  const route = await ok('POST', '/routes', key, { name: 'ACH', currency: 'USD', corridor: 'us-ach', settlement_account_id: settlement.id });
  const intent = (intent_id: string, corridor = 'us-ach') =>
    t.request('POST', '/intents', {
      token: key,
      body: { intent_id, scope: 'workspace_scope', money_model: 'minor_units + ledger_currency', primitives: ['policy', 'ledger', 'events'], amount: '500', currency: 'USD', source_account_id: payer.id, destination_account_id: merchant.id, corridor },
    });
  expect((await intent('settle-me')).status).toBe(201);
  await ok('POST', '/intents/settle-me/settle', key);
  expect((await intent('cancel-me')).status).toBe(201);
  await ok('POST', '/intents/cancel-me/cancel', key, { reason: 'customer asked' });
  expect((await intent('no-route', 'eu-sepa')).status).toBe(422);
  await ok('POST', `/routes/${route.id}/disable`, key);
  await ok('POST', '/reconciliation/runs', key);
  // Denied: another tenant asks for this tenant's account.
  const stranger = await t.createTenant('stranger');
  expect((await t.request('GET', `/accounts/${payer.id}`, { token: stranger.key })).status).toBe(404);
}

/** Every live projection at the head of the log. */
async function caughtUp(t: TestLedger): Promise<void> {
  await waitFor('the live projections at the head', async () => {
    const rows = await t.query(
      `select count(*)::int as n from projection_checkpoints c where c.name = any($1) and c.position >= (select max(global_position) from events)`,
      [ALL_PROJECTIONS.map((p) => p.name)],
    );
    return rows[0].n === ALL_PROJECTIONS.length ? true : null;
  });
}

/** Each read-model table's rows as text, in order; its indexes' definitions; the tables that are unlogged. */
async function readModels(t: TestLedger): Promise<{ rows: Record<string, string[]>; indexes: string[]; unlogged: string[] }> {
  const tables = ALL_PROJECTIONS.flatMap((p) => p.tables);
  const rows: Record<string, string[]> = {};
  for (const table of tables) rows[table] = (await t.query(`select t::text as row from public."${table}" t order by 1`)).map((r) => r.row);
  const indexes = (await t.query(`select indexdef from pg_indexes where schemaname = 'public' and tablename = any($1) order by indexname`, [tables])).map((r) => r.indexdef);
  const unlogged = (await t.query(`select relname from pg_class where relnamespace = 'public'::regnamespace and relpersistence <> 'p' and relkind in ('r', 'i')`)).map((r) => r.relname);
  return { rows, indexes, unlogged };
}
