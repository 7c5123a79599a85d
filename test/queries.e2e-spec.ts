import { TestLedger } from './support/ledger.js';
import { cli } from './support/process.js';

/**
 * What users of other ledgers ask for (API.md "Queries, paths, effective dates, conditions, dry
 * runs"), through the API: dry runs that append nothing, lock_version conditions, metadata
 * filters on accounts, and the transactions list (filters, newest first, cursor-paged).
 */
describe('queries, conditions and dry runs over HTTP', () => {
  let t: TestLedger;
  beforeAll(async () => {
    t = await TestLedger.start();
  });
  afterAll(async () => {
    await t.stop();
  });

  const entries = (from: string, to: string, amount: string, extra: Record<string, unknown>[] = [{}, {}]) => [
    { account_id: from, direction: 'debit', amount, ...extra[0] },
    { account_id: to, direction: 'credit', amount, ...extra[1] },
  ];

  it('dry runs decide against current state, answer 200 with balance_after, append nothing and use no idempotency key', async () => {
    const { key, funding, accounts } = await t.fundedTenant(2, '100');
    const [alice, bob] = accounts;
    const events = await t.eventCount();
    const dry = await t.request('POST', '/transactions?dry_run=true', { token: key, headers: { 'Idempotency-Key': 'real-1' }, body: { entries: entries(alice.id, bob.id, '30'), reference: 'r-1' } });
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ dry_run: true, status: 'posted', reference: 'r-1', position: null });
    expect(dry.body.entries.map((e: any) => e.balance_after.available)).toEqual(['70', '130']);
    const refused = await t.request('POST', '/transactions?dry_run=true', { token: key, body: { entries: entries(alice.id, bob.id, '101') } });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('insufficient_funds');
    const hold = await t.request('POST', '/holds?dry_run=true', { token: key, body: { account_id: alice.id, destination_account_id: bob.id, amount: '40' } });
    expect(hold.status).toBe(200);
    expect(hold.body).toMatchObject({ dry_run: true, status: 'pending', amount: '40', position: null });
    expect(await t.eventCount()).toBe(events);
    expect((await t.request('GET', `/accounts/${alice.id}/balances`, { token: key })).body.balances.available).toBe('100');
    // The key the dry run carried is still free: the real posting takes it.
    const real = await t.request('POST', '/transactions', { token: key, headers: { 'Idempotency-Key': 'real-1' }, body: { entries: entries(alice.id, bob.id, '30') } });
    expect(real.status).toBe(201);
    expect(real.headers.get('idempotent-replayed')).toBeNull();
    expect((await t.request('POST', '/transactions?dry_run=maybe', { token: key, body: { entries: entries(funding.id, bob.id, '1') } })).status).toBe(400);
  });

  it('lock_version moves once per balance change; a posting expecting another is refused 409 and appends nothing', async () => {
    const { key, funding, accounts } = await t.fundedTenant(2, '100');
    const [alice, bob] = accounts;
    const before = await t.request('GET', `/accounts/${alice.id}?min_position=0`, { token: key });
    expect(before.body.lock_version).toBe(1);
    const ok = await t.request('POST', '/transactions', { token: key, body: { entries: entries(alice.id, bob.id, '10', [{ expected_lock_version: 1 }, {}]) } });
    expect(ok.status).toBe(201);
    const events = await t.eventCount();
    const stale = await t.request('POST', '/transactions', { token: key, body: { entries: entries(alice.id, bob.id, '10', [{ expected_lock_version: 1 }, {}]) } });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatchObject({ code: 'lock_version_mismatch', details: { account_id: alice.id, expected: 1, actual: 2 } });
    expect(await t.eventCount()).toBe(events);
    const after = await t.request('GET', `/accounts/${alice.id}`, { token: key });
    expect(after.body.lock_version).toBe(2);
    expect((await t.request('GET', `/accounts/${funding.id}`, { token: key })).body.lock_version).toBe(2);
    for (const bad of [-1, 1.5, '2']) {
      const res = await t.request('POST', '/transactions', { token: key, body: { entries: entries(alice.id, bob.id, '1', [{ expected_lock_version: bad }, {}]) } });
      expect(res.status).toBe(400);
    }
  });

  it('filters accounts by metadata (exact, top-level, ANDed) and lists transactions by account, reference, metadata and time, newest first', async () => {
    const tenant = await t.createTenant();
    const key = tenant.key;
    const treasury = await t.openAccount(key, { customer: 'treasury', account_type: 'operating', allow_negative: true, metadata: { kind: 'treasury' } });
    const eu = await t.openAccount(key, { customer: 'eu', metadata: { region: 'eu', tier: 'gold' } });
    const eu2 = await t.openAccount(key, { customer: 'eu2', metadata: { region: 'eu', tier: 'silver' } });
    await t.openAccount(key, { customer: 'us', metadata: { region: 'us', tier: 'gold' } });
    const list = async (q: string) => (await t.request('GET', `/accounts?${q}`, { token: key })).body.data.map((a: any) => a.customer);
    expect(await list('metadata.region=eu')).toEqual(['eu', 'eu2']);
    expect(await list('metadata.region=eu&metadata.tier=gold')).toEqual(['eu']);
    expect(await list('metadata.region=mars')).toEqual([]);
    expect((await t.request('GET', '/accounts?metadata.=x', { token: key })).status).toBe(400);

    const post = (to: string, amount: string, reference: string, metadata: Record<string, unknown>) =>
      t.request('POST', '/transactions', { token: key, body: { entries: entries(treasury.id, to, amount), reference, metadata } });
    const t1 = (await post(eu.id, '1', 'ref-a', { order: 'o-1', channel: 'web' })).body;
    const t2 = (await post(eu2.id, '2', 'ref-b', { order: 'o-2', channel: 'web' })).body;
    const t3 = (await post(eu.id, '3', 'ref-a', { order: 'o-3', channel: 'pos' })).body;
    const ids = async (q: string) => {
      const res = await t.request('GET', `/transactions?${q}`, { token: key });
      expect(res.status).toBe(200);
      return res.body.data.map((x: any) => x.id);
    };
    expect(await ids('')).toEqual([t3.id, t2.id, t1.id]);
    expect(await ids(`account_id=${eu.id}`)).toEqual([t3.id, t1.id]);
    expect(await ids('reference=ref-a')).toEqual([t3.id, t1.id]);
    expect(await ids('metadata.channel=web')).toEqual([t2.id, t1.id]);
    expect(await ids(`metadata.channel=web&account_id=${eu.id}`)).toEqual([t1.id]);
    expect(await ids(`posted_after=${encodeURIComponent(t1.posted_at)}`)).toEqual([t3.id, t2.id]);
    expect(await ids(`posted_before=${encodeURIComponent(t3.posted_at)}`)).toEqual([t2.id, t1.id]);
    const page1 = await t.request('GET', '/transactions?limit=2', { token: key });
    expect(page1.body.data.map((x: any) => x.id)).toEqual([t3.id, t2.id]);
    expect(page1.body.data[0]).toMatchObject({ reference: 'ref-a', metadata: { order: 'o-3', channel: 'pos' }, entries: expect.any(Array) });
    const page2 = await t.request('GET', `/transactions?limit=2&cursor=${page1.body.next_cursor}`, { token: key });
    expect(page2.body.data.map((x: any) => x.id)).toEqual([t1.id]);
    expect(page2.body.next_cursor).toBeNull();
    expect((await t.request('GET', '/transactions?posted_after=yesterday', { token: key })).status).toBe(400);
    expect((await t.request('GET', '/transactions?account_id=nope', { token: key })).status).toBe(400);
    // Another tenant's transactions never show.
    const other = await t.createTenant('other');
    expect((await t.request('GET', `/transactions?account_id=${eu.id}`, { token: other.key })).body.data).toEqual([]);
  });
});

describe('account paths and rollups over HTTP', () => {
  let t: TestLedger;
  beforeAll(async () => {
    t = await TestLedger.start();
  });
  afterAll(async () => {
    await t.stop();
  });

  it('sums every account at or under a prefix, segment-wise, per currency, now and as of a time', async () => {
    const { key } = await t.createTenant();
    const treasury = await t.openAccount(key, { customer: 'treasury', account_type: 'operating', allow_negative: true, path: 'treasury' });
    const acmeSettlement = await t.openAccount(key, { customer: 'acme', path: 'merchants:acme:settlement' });
    const acmeFees = await t.openAccount(key, { customer: 'acme', path: 'merchants:acme:fees' });
    const acmex = await t.openAccount(key, { customer: 'acmex', path: 'merchants:acmex' });
    await t.openAccount(key, { customer: 'acme-eur', currency: 'EUR', path: 'merchants:acme:eur' });
    expect(acmeSettlement.path).toBe('merchants:acme:settlement');
    const move = (to: string, amount: string) => t.transfer(key, treasury.id, to, amount);
    await move(acmeSettlement.id, '100');
    await move(acmeFees.id, '20');
    await move(acmex.id, '7');
    const hold = await t.placeHold(key, { account_id: acmeSettlement.id, destination_account_id: treasury.id, amount: '30' });
    expect(hold.status).toBe(201);
    const before = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    await move(acmeFees.id, '5');

    const rollup = async (q: string) => {
      const res = await t.request('GET', `/balances?${q}`, { token: key });
      expect(res.status).toBe(200);
      return res.body;
    };
    expect(await rollup('path_prefix=merchants:acme&currency=USD')).toEqual({
      path_prefix: 'merchants:acme',
      currency: 'USD',
      accounts: 2,
      balances: { posted: '125', pending_debits: '30', pending_credits: '0', available: '95' },
    });
    expect((await rollup('path_prefix=merchants&currency=USD')).balances.posted).toBe('132');
    expect((await rollup('path_prefix=merchants&currency=USD')).accounts).toBe(3);
    expect((await rollup('path_prefix=merchants:acme&currency=EUR')).accounts).toBe(1);
    expect((await rollup(`path_prefix=merchants:acme&currency=USD&as_of=${encodeURIComponent(before)}`)).balances).toMatchObject({ posted: '120', available: '90' });
    expect((await rollup('path_prefix=nobody&currency=USD')).accounts).toBe(0);
    // The rollups agree with the accounts summed by hand.
    const sum = async (ids: string[]) => {
      let posted = 0n;
      for (const id of ids) posted += BigInt((await t.request('GET', `/accounts/${id}`, { token: key })).body.balances.posted);
      return posted.toString();
    };
    expect((await rollup('path_prefix=merchants&currency=USD')).balances.posted).toBe(await sum([acmeSettlement.id, acmeFees.id, acmex.id]));

    const taken = await t.request('POST', '/accounts', { token: key, body: { customer: 'x', currency: 'USD', account_type: 'customer', path: 'merchants:acme:fees' } });
    expect(taken.status).toBe(409);
    expect(taken.body.error).toMatchObject({ code: 'path_taken', details: { account_id: acmeFees.id } });
    for (const path of ['Merchants', 'a::b', ':a', 'a:', 'a b', Array.from({ length: 17 }, () => 'x').join(':')]) {
      expect((await t.request('POST', '/accounts', { token: key, body: { customer: 'x', currency: 'USD', account_type: 'customer', path } })).status).toBe(400);
    }
    expect((await t.request('GET', '/balances?path_prefix=merchants', { token: key })).status).toBe(400);
    expect((await t.request('GET', '/balances?path_prefix=a::b&currency=USD', { token: key })).status).toBe(400);
    // Another tenant may use the same path.
    const other = await t.createTenant('other');
    expect((await t.request('POST', '/accounts', { token: other.key, body: { customer: 'x', currency: 'USD', account_type: 'customer', path: 'merchants:acme:fees' } })).status).toBe(201);
    expect((await t.request('GET', '/balances?path_prefix=merchants:acme&currency=USD', { token: other.key })).body.accounts).toBe(1);
    // The new read models (paths, accounts, entries, transactions) rebuild identically from the log.
    const verify = await cli(t.db.url, ['projections', 'verify', '--all']);
    expect(verify.code).toBe(0);
  });
});

describe('effective dates over HTTP', () => {
  let t: TestLedger;
  beforeAll(async () => {
    t = await TestLedger.start();
  });
  afterAll(async () => {
    await t.stop();
  });

  it('posts with effective_at, shows it on entries, and reads balances by effective time, also bi-temporally', async () => {
    const { key, tenantId, funding, accounts } = await t.fundedTenant(1);
    const [alice] = accounts;
    const opened = new Date((await t.request('GET', `/accounts/${alice.id}`, { token: key })).body.created_at).getTime();
    const iso = (ms: number) => new Date(ms).toISOString();
    const post = (amount: string, effective_at?: string) =>
      t.request('POST', '/transactions', { token: key, body: { entries: [{ account_id: funding.id, direction: 'debit', amount }, { account_id: alice.id, direction: 'credit', amount }], ...(effective_at && { effective_at }) } });
    await new Promise((r) => setTimeout(r, 30));
    const first = await post('100');
    expect(first.status).toBe(201);
    expect(first.body.effective_at).toBe(first.body.posted_at);
    await new Promise((r) => setTimeout(r, 30));
    const knownBefore = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 30));
    // Back-dated to just after the account was opened, posted now.
    const backdated = await post('40', iso(opened + 5));
    expect(backdated.status).toBe(201);
    expect(backdated.body.effective_at).toBe(iso(opened + 5));
    expect(backdated.body.entries[1].effective_at).toBe(iso(opened + 5));
    const entries = await t.request('GET', `/accounts/${alice.id}/entries`, { token: key });
    expect(entries.body.data.map((e: any) => e.effective_at)).toEqual([first.body.posted_at, iso(opened + 5)]);

    const balances = async (q: string) => {
      const res = await t.request('GET', `/accounts/${alice.id}/balances?${q}`, { token: key });
      expect(res.status).toBe(200);
      return res.body;
    };
    const early = iso(opened + 10);
    // By effective time, the back-dated 40 was there at `early`; the 100 was not yet.
    expect((await balances(`effective_as_of=${encodeURIComponent(early)}`)).balances.posted).toBe('40');
    // What the ledger knew at knownBefore about `early`: nothing yet (the 40 was posted later).
    const biTemporal = await balances(`effective_as_of=${encodeURIComponent(early)}&as_of=${encodeURIComponent(knownBefore)}`);
    expect(biTemporal).toMatchObject({ effective_as_of: early, as_of: knownBefore, balances: { posted: '0' } });
    expect((await balances(`effective_as_of=${encodeURIComponent(new Date().toISOString())}`)).balances.posted).toBe('140');
    // Recording-time reads are unchanged: as of knownBefore only the 100 had been posted.
    expect((await balances(`as_of=${encodeURIComponent(knownBefore)}`)).balances.posted).toBe('100');

    // The auditor's replay answers the same from the log alone, and --compare agrees with the read model.
    const replayed = async (...args: string[]) => {
      const run = await cli(t.db.url, ['replay', '--tenant', tenantId, '--json', '--compare', ...args]);
      expect(run.code).toBe(0);
      return JSON.parse(run.stdout).accounts.find((a: any) => a.account_id === alice.id).balances.posted;
    };
    expect(await replayed('--effective', early)).toBe('40');
    expect(await replayed('--effective', early, '--until', knownBefore)).toBe('0');
    expect((await cli(t.db.url, ['replay', '--tenant', tenantId, '--effective', early, '--until', '5'])).code).toBe(2);

    const events = await t.eventCount();
    for (const bad of [iso(Date.now() + 60_000), iso(opened - 60_000), '2030-W01-1']) {
      const res = await post('1', bad);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    expect(await t.eventCount()).toBe(events);
    expect((await t.request('GET', `/accounts/${alice.id}/balances?effective_as_of=tomorrow`, { token: key })).status).toBe(400);
  });
});
