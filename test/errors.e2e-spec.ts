// Over 300 lines on purpose: the cases share one running service (started once per file), which is what keeps the suite fast.
import { randomUUID } from 'node:crypto';
import { HttpResponse, TEST_ADMIN_TOKEN, TestLedger } from './support/ledger.js';

/**
 * Every error code of the API over HTTP: exact status, the envelope
 * {"error": {"code", "message", "details"}}, and — for every refused command — nothing changed.
 */

const AMOUNT_MAX = '9223372036854775807';

function expectError(res: HttpResponse, status: number, code: string, details?: Record<string, unknown>): void {
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(Object.keys(res.body)).toEqual(['error']);
  expect(Object.keys(res.body.error).sort()).toEqual(['code', 'details', 'message']);
  expect(typeof res.body.error.message).toBe('string');
  expect(res.body.error.message.length).toBeGreaterThan(0);
  expect(res.body.error.details).toEqual(expect.any(Object));
  expect(Array.isArray(res.body.error.details)).toBe(false);
  if (details) expect(res.body.error.details).toMatchObject(details);
}

/** The message of a validation_failed answer about the body as a whole. */
function expectFieldsOf(res: HttpResponse): string {
  expectFields(res, ['body']);
  return res.body.error.details.fields.body.join(' ');
}

/** details.fields of a validation_failed answer: exactly these field paths. */
function expectFields(res: HttpResponse, fields: string[]): void {
  expectError(res, 400, 'validation_failed');
  expect(Object.keys(res.body.error.details.fields ?? {}).sort()).toEqual([...fields].sort());
  for (const messages of Object.values(res.body.error.details.fields) as unknown[]) {
    expect(Array.isArray(messages) && messages.length > 0 && messages.every((m) => typeof m === 'string')).toBe(true);
  }
}

function entry(account_id: string, direction: string, amount: unknown, extra: Record<string, unknown> = {}) {
  return { account_id, direction, amount, ...extra };
}

describe('error codes over HTTP', () => {
  let t: TestLedger;
  let key: string;
  let tenantId: string;
  let funding: any;
  let alice: any; // 100 USD
  let bob: any; // 0 USD
  let eurFunding: any;
  let eur: any; // 0 EUR

  beforeAll(async () => {
    t = await TestLedger.start();
    const tenant = await t.fundedTenant(2);
    ({ key, tenantId, funding } = tenant);
    [alice, bob] = tenant.accounts;
    expect((await t.transfer(key, funding.id, alice.id, '100')).status).toBe(201);
    eurFunding = await t.openAccount(key, { customer: 'treasury-eur', currency: 'EUR', account_type: 'operating', allow_negative: true });
    eur = await t.openAccount(key, { customer: 'eur-customer', currency: 'EUR' });
  });
  afterAll(async () => {
    await t.stop();
  });

  async function balancesOf(ids: string[], token = key): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    for (const id of ids) {
      const res = await t.request('GET', `/accounts/${id}`, { token });
      expect(res.status).toBe(200);
      out[id] = { status: res.body.status, balances: res.body.balances };
    }
    return out;
  }

  /** Runs a refused request and checks that the event log and the balances did not move. */
  async function refused(act: () => Promise<HttpResponse>, ids: string[] = [funding.id, alice.id, bob.id, eurFunding.id, eur.id], token = key): Promise<HttpResponse> {
    const eventsBefore = await t.eventCount();
    const before = await balancesOf(ids, token);
    const res = await act();
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(await t.eventCount()).toBe(eventsBefore);
    expect(await balancesOf(ids, token)).toEqual(before);
    return res;
  }

  const post = (body: unknown, token = key, headers: Record<string, string> = {}) => t.request('POST', '/transactions', { token, body, headers });
  const postRaw = (rawBody: string, token = key) => t.request('POST', '/transactions', { token, rawBody });

  describe('400 validation_failed', () => {
    it('malformed JSON body', async () => {
      const res = await refused(() => postRaw(`{"entries": [{"account_id": "${funding.id}", "direction": "debit", "amount": "1"},`));
      expectFields(res, ['body']);
      expectFields(await refused(() => postRaw('{not json}')), ['body']);
      expectFields(await refused(() => t.request('POST', '/accounts', { token: key, rawBody: "{'customer': 'x'}" })), ['body']);
    });

    it('a body that is a JSON array or a JSON string', async () => {
      // The body must be a JSON object; anything else is refused before field validation.
      const array = await refused(() => post([entry(funding.id, 'debit', '1'), entry(alice.id, 'credit', '1')]));
      expectError(array, 400, 'validation_failed');
      expect(array.body.error.details.fields).toEqual({ body: ['request body must be a JSON object'] });
      expectFields(await refused(() => post('entries')), ['body']);
      expectFields(await refused(() => postRaw('42')), ['body']);
      expectFields(await refused(() => postRaw('null')), ['body']);
    });

    it('wrong types: amount as boolean, entries not an array, customer as number', async () => {
      expectFields(await refused(() => post({ entries: [entry(funding.id, 'debit', true), entry(alice.id, 'credit', '1')] })), ['entries.0.amount']);
      expectFields(await refused(() => post({ entries: [entry(funding.id, 'debit', '1'), entry(alice.id, 'credit', false)] })), ['entries.1.amount']);
      expectFields(await refused(() => post({ entries: { 0: entry(funding.id, 'debit', '1'), 1: entry(alice.id, 'credit', '1') } })), [
        'entries',
        'entries.account_id',
        'entries.amount',
        'entries.direction',
      ]);
      expectFields(await refused(() => post({ entries: 'two entries' })), ['entries']);
      expectFields(await refused(() => post({ entries: [entry(funding.id, 'debit', '1'), 'credit alice 1'] })), ['entries.1']);
      expectFields(await refused(() => post({ entries: [entry(funding.id, 'debit', '1'), entry(12345 as any, 'credit', '1')] })), ['entries.1.account_id']);
      expectFields(
        await refused(() => t.request('POST', '/accounts', { token: key, body: { customer: 42, currency: 'USD', account_type: 'customer' } })),
        ['customer'],
      );
      expectFields(
        await refused(() => t.request('POST', '/accounts', { token: key, body: { customer: 'c', currency: 'USD', account_type: 'customer', allow_negative: 'yes' } })),
        ['allow_negative'],
      );
    });

    it.each([['1.5'], ['-5'], ['0'], [''], ['1e3'], ['9223372036854775808'], [' 1'], [-5], [0], [1.5], [null], [{}], [['1']]])(
      'amount %j is refused and named by its path',
      async (amount) => {
        const res = await refused(() => post({ entries: [entry(funding.id, 'debit', '1'), entry(alice.id, 'credit', amount)] }));
        expectFields(res, ['entries.1.amount']);
      },
    );

    it('an entry that is an array, or null, is refused by its path (never a 500)', async () => {
      expectFields(await refused(() => post({ entries: [[], entry(alice.id, 'credit', '1')] })), ['entries.0']);
      expectFields(await refused(() => post({ entries: [entry(funding.id, 'debit', '1'), null] })), ['entries.1']);
      const eventsBefore = await t.eventCount();
      const batch = await t.request('POST', '/transactions/batch', { token: key, body: { transactions: [{ idempotency_key: 'arr-1', entries: [[], entry(alice.id, 'credit', '1')] }] } });
      expect(batch.status).toBe(200);
      expect(batch.body.results[0]).toMatchObject({ status: 400, body: { error: { code: 'validation_failed', details: { fields: { 'entries.0': expect.any(Array) } } } } });
      expect(await t.eventCount()).toBe(eventsBefore);
    });

    it('metadata keys named like built-ins are data (toString, valueOf); __proto__, prototype, constructor are removed; in a posting and a batch alike', async () => {
      const from = await t.openAccount(key, { customer: 'meta-from', allow_negative: true });
      const to = await t.openAccount(key, { customer: 'meta-to' });
      const metadata = JSON.parse('{"constructor": {"prototype": {"x": 1}}, "__proto__": {"polluted": true}, "toString": "s", "nested": {"valueOf": [1], "prototype": 2}, "note": "ok"}');
      const stored = { toString: 's', nested: { valueOf: [1] }, note: 'ok' };
      const single = await post({ entries: [entry(from.id, 'debit', '1'), entry(to.id, 'credit', '1')], metadata });
      expect(single.status).toBe(201);
      expect(single.body.metadata).toEqual(stored);
      const batch = await t.request('POST', '/transactions/batch', {
        token: key,
        body: { transactions: [{ idempotency_key: `meta-${Date.now()}`, entries: [entry(from.id, 'debit', '1'), entry(to.id, 'credit', '1')], metadata }] },
      });
      expect(batch.status).toBe(200);
      expect(batch.body.results[0]).toMatchObject({ status: 201, body: { metadata: stored } });
      expect(({} as any).polluted).toBeUndefined();
      const account = await t.request('POST', '/accounts', { token: key, body: { customer: 'm', currency: 'USD', account_type: 'customer', metadata } });
      expect(account.status).toBe(201);
      expect(account.body.metadata).toEqual(stored);
    });

    it('a string PostgreSQL cannot store (NUL, an unpaired surrogate) is refused with its path, never a 500 (alone in its slot in a batch); a paired one is kept', async () => {
      const entries = `[{"account_id":"${funding.id}","direction":"debit","amount":"1"},{"account_id":"${alice.id}","direction":"credit","amount":"1"}]`;
      const nul = expectFieldsOf(await refused(() => postRaw(`{"entries":${entries},"description":"a\\u0000b"}`)));
      expect(nul).toContain('$.description');
      expect(expectFieldsOf(await refused(() => postRaw(`{"entries":${entries},"metadata":{"k":"\\ud800"}}`)))).toContain('$.metadata.k');
      expect(expectFieldsOf(await refused(() => postRaw(`{"entries":${entries},"metadata":{"\\udc00":1}}`)))).toContain('(the key)');
      expectFields(await refused(() => t.request('POST', '/accounts', { token: key, rawBody: '{"customer":"\\u0000","currency":"USD","account_type":"x"}' })), ['body']);
      // In a batch, the posting that has one is refused alone, in its slot.
      const toBob = `[{"account_id":"${funding.id}","direction":"debit","amount":"1"},{"account_id":"${bob.id}","direction":"credit","amount":"1"}]`;
      const batch = await t.request('POST', '/transactions/batch', {
        token: key,
        rawBody: `{"transactions":[{"idempotency_key":"nul-1","entries":${entries},"reference":"\\udbff"},{"idempotency_key":"nul-2","entries":${toBob}}]}`,
      });
      expect(batch.status).toBe(200);
      expect(batch.body.results[0]).toMatchObject({ status: 400, body: { error: { code: 'validation_failed', details: { fields: { body: expect.any(Array) } } } } });
      expect(batch.body.results[0].body.error.message).toContain('$.reference');
      expect(batch.body.results[1].status).toBe(201);
      expect((await post({ entries: [entry(bob.id, 'debit', '1'), entry(funding.id, 'credit', '1')] })).status).toBe(201); // bob back to 0
      // Outside the postings of a batch, the whole request is refused.
      expectFields(await refused(() => t.request('POST', '/transactions/batch', { token: key, rawBody: `{"transactions":[{"entries":${entries}}],"note\\u0000":1}` })), ['body']);
      // A surrogate pair is a character like any other: stored and answered as sent.
      const emoji = await post({ entries: [entry(funding.id, 'debit', '1'), entry(bob.id, 'credit', '1')], description: 'caf\u00e9 \ud83d\ude00', metadata: { '\ud83d\udc4d': 'ok' } });
      expect(emoji.status).toBe(201);
      expect(emoji.body).toMatchObject({ description: 'caf\u00e9 \ud83d\ude00', metadata: { '\ud83d\udc4d': 'ok' } });
      expect((await t.request('GET', `/transactions/${emoji.body.id}`, { token: key })).body.description).toBe('caf\u00e9 \ud83d\ude00');
      expect((await post({ entries: [entry(bob.id, 'debit', '1'), entry(funding.id, 'credit', '1')] })).status).toBe(201); // bob back to 0
    });

    it('a NUL in the URL (path or query) is refused, never a 500', async () => {
      for (const url of ['/accounts?customer=%00', '/accounts?customer=a%00b&limit=5', `/accounts/${alice.id}%00`, '/transactions/%00']) {
        const res = await refused(() => t.request('GET', url, { token: key }));
        expectFields(res, ['url']);
      }
      expectFields(await refused(() => t.request('POST', `/accounts/${bob.id}/freeze%00`, { token: key, body: {} })), ['url']);
      // An encoded percent sign followed by 00 is text, not a NUL.
      expect((await t.request('GET', '/accounts?customer=%2500', { token: key })).status).toBe(200);
    });

    it('a metadata number JSON cannot carry back (1e400 parses to Infinity) is refused by name, alone or in a batch', async () => {
      const entries = `[{"account_id":"${funding.id}","direction":"debit","amount":"1"},{"account_id":"${alice.id}","direction":"credit","amount":"1"}]`;
      expectFields(await refused(() => postRaw(`{"entries":${entries},"metadata":{"rate":1e400}}`)), ['metadata']);
      expectFields(await refused(() => postRaw(`{"entries":${entries},"metadata":{"deep":{"list":[1,-1e999]}}}`)), ['metadata']);
      expectFields(await refused(() => t.request('POST', '/accounts', { token: key, rawBody: '{"customer":"c","currency":"USD","account_type":"x","metadata":{"n":1e400}}' })), ['metadata']);
      const batch = await t.request('POST', '/transactions/batch', { token: key, rawBody: `{"transactions":[{"idempotency_key":"inf-1","entries":${entries},"metadata":{"n":1e400}}]}` });
      expect(batch.status).toBe(200);
      expect(batch.body.results[0]).toMatchObject({ status: 400, body: { error: { code: 'validation_failed', details: { fields: { metadata: expect.any(Array) } } } } });
      // Large finite numbers are kept as sent.
      const kept = await post({ entries: [entry(funding.id, 'debit', '1'), entry(bob.id, 'credit', '1')], metadata: { big: 1e300, small: -2.5e-300 } });
      expect(kept.status).toBe(201);
      expect(kept.body.metadata).toEqual({ big: 1e300, small: -2.5e-300 });
      expect((await post({ entries: [entry(bob.id, 'debit', '1'), entry(funding.id, 'credit', '1')] })).status).toBe(201); // bob back to 0
    });

    it('metadata nested deeper than 32 levels is refused by name (never a 500), alone or in a batch', async () => {
      const deep = '{"a":'.repeat(40) + '1' + '}'.repeat(40);
      const body = `{"entries":[{"account_id":"${funding.id}","direction":"debit","amount":"1"},{"account_id":"${alice.id}","direction":"credit","amount":"1"}],"metadata":${deep}}`;
      expectFields(await refused(() => postRaw(body)), ['metadata']);
      const batch = await t.request('POST', '/transactions/batch', { token: key, rawBody: `{"transactions":[${body.replace('{', '{"idempotency_key":"deep-1",')}]}` });
      expect(batch.status).toBe(200);
      expect(batch.body.results[0]).toMatchObject({ status: 400, body: { error: { code: 'validation_failed', details: { fields: { metadata: expect.any(Array) } } } } });
      const ok = JSON.parse('{"a":'.repeat(31) + '1' + '}'.repeat(31));
      expect((await post({ entries: [entry(funding.id, 'debit', '1'), entry(bob.id, 'credit', '1')], metadata: ok })).status).toBe(201);
      expect((await post({ entries: [entry(bob.id, 'debit', '1'), entry(funding.id, 'credit', '1')] })).status).toBe(201); // bob back to 0
    });

    it('a body nested 100,000 levels deep is refused unparsed: 400 with a key, 401 without one (never a 500)', async () => {
      const deep = '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000);
      const before = await t.request('GET', '/events?limit=1000', { token: key });
      for (const path of ['/transactions', '/transactions/batch', '/accounts', '/holds']) {
        const withKey = await t.request('POST', path, { token: key, rawBody: deep });
        expectError(withKey, 400, 'validation_failed');
        expect(withKey.body.error.message).toMatch(/nested deeper than 64 levels/);
        expectError(await t.request('POST', path, { rawBody: deep }), 401, 'unauthenticated');
      }
      expect((await t.request('GET', '/events?limit=1000', { token: key })).body.data).toEqual(before.body.data);
    });

    it('a missing amount is refused', async () => {
      expectFields(await refused(() => post({ entries: [{ account_id: funding.id, direction: 'debit' }, entry(alice.id, 'credit', '1')] })), ['entries.0.amount']);
    });

    it('a JSON number that is not a safe integer is refused (9007199254740993)', async () => {
      const raw = `{"entries":[{"account_id":"${funding.id}","direction":"debit","amount":9007199254740993},` + `{"account_id":"${alice.id}","direction":"credit","amount":"9007199254740993"}]}`;
      expectFields(await refused(() => postRaw(raw)), ['entries.0.amount']);
    });

    it('1 entry and 513 entries are refused', async () => {
      expectFields(await refused(() => post({ entries: [entry(funding.id, 'debit', '1')] })), ['entries']);
      expectFields(await refused(() => post({ entries: [] })), ['entries']);
      // 512 debits of 1 and one credit of 512: balanced, but one entry too many.
      const many = [...Array.from({ length: 512 }, () => entry(funding.id, 'debit', '1')), entry(alice.id, 'credit', '512')];
      const res = await refused(() => post({ entries: many }));
      expectFields(res, ['entries']);
    });

    it.each([['usd'], ['US'], ['TOOLONGCURRENCY1'], ['U$D'], [840]])('currency %j is refused on an entry and on an account', async (currency) => {
      expectFields(await refused(() => post({ entries: [entry(funding.id, 'debit', '1', { currency }), entry(alice.id, 'credit', '1')] })), ['entries.0.currency']);
      expectFields(
        await refused(() => t.request('POST', '/accounts', { token: key, body: { customer: 'c', currency, account_type: 'customer' } })),
        ['currency'],
      );
    });

    it('a bad direction is refused', async () => {
      expectFields(await refused(() => post({ entries: [entry(funding.id, 'debit', '1'), entry(alice.id, 'CREDIT', '1')] })), ['entries.1.direction']);
      expectFields(await refused(() => post({ entries: [entry(funding.id, 'withdraw', '1'), entry(alice.id, 'credit', '1')] })), ['entries.0.direction']);
    });

    it('names every offending field at once', async () => {
      const res = await refused(() => post({ entries: [entry(funding.id, 'sideways', '1.5'), entry(alice.id, 'credit', '1', { currency: 'usd' })], metadata: 'x' }));
      expectFields(res, ['entries.0.amount', 'entries.0.direction', 'entries.1.currency', 'metadata']);
    });

    it.each([['0'], ['1001'], ['abc'], ['-1'], ['1.5']])('GET /accounts?limit=%s -> 400', async (limit) => {
      expectFields(await t.request('GET', `/accounts?limit=${limit}`, { token: key }), ['limit']);
      expectFields(await t.request('GET', `/accounts/${alice.id}/entries?limit=${limit}`, { token: key }), ['limit']);
    });

    it('limits 1 and 1000 are accepted', async () => {
      expect((await t.request('GET', '/accounts?limit=1', { token: key })).status).toBe(200);
      expect((await t.request('GET', '/accounts?limit=1000', { token: key })).status).toBe(200);
    });

    it.each([['garbage!'], ['abc'], [Buffer.from('1.2').toString('base64url')], [Buffer.from('-1').toString('base64url')]])(
      'GET /accounts?cursor=%s -> 400',
      async (cursor) => {
        expectFields(await t.request('GET', `/accounts?cursor=${encodeURIComponent(cursor)}`, { token: key }), ['cursor']);
      },
    );

    it('accepts the largest amount, 9223372036854775807 (2^63 - 1)', async () => {
      const target = await t.openAccount(key, { customer: 'whale' });
      const res = await post({ entries: [entry(funding.id, 'debit', AMOUNT_MAX), entry(target.id, 'credit', AMOUNT_MAX)] });
      expect(res.status).toBe(201);
      expect(res.body.entries.map((e: any) => e.amount)).toEqual([AMOUNT_MAX, AMOUNT_MAX]);
      expect(res.body.entries[1].balance_after).toEqual({ posted: AMOUNT_MAX, available: AMOUNT_MAX });
      const account = await t.request('GET', `/accounts/${target.id}`, { token: key });
      expect(account.body.balances).toMatchObject({ posted: AMOUNT_MAX, available: AMOUNT_MAX });
    });
  });

  describe('401 unauthenticated', () => {
    it.each<[string, Record<string, string>]>([
      ['no Authorization header', {}],
      ['an unknown key', { authorization: 'Bearer zl_this-key-was-never-issued' }],
      ['an unknown token without the key prefix', { authorization: 'Bearer not-a-key' }],
      ['an empty bearer', { authorization: 'Bearer ' }],
      ['a Basic header', { authorization: `Basic ${Buffer.from('user:pass').toString('base64')}` }],
      ['a bare token without scheme', { authorization: 'zl_abc' }],
    ])('%s', async (_label, headers) => {
      const get = await t.request('GET', `/accounts/${alice.id}`, { headers });
      expectError(get, 401, 'unauthenticated');
      expect(get.body.error.details).toEqual({});
      const res = await refused(() => t.request('POST', '/transactions', { headers, body: { entries: [entry(funding.id, 'debit', '1'), entry(alice.id, 'credit', '1')] } }));
      expectError(res, 401, 'unauthenticated');
    });

    it('a real key sent with another scheme is not accepted', async () => {
      expectError(await t.request('GET', `/accounts/${alice.id}`, { headers: { authorization: `Token ${key}` } }), 401, 'unauthenticated');
    });
  });

  describe('403 forbidden', () => {
    let auditor: string;
    let operator: string;

    beforeAll(async () => {
      auditor = await t.createKey(key, 'auditor');
      operator = await t.createKey(key, 'operator');
    });

    it('an auditor posting a transaction', async () => {
      const res = await refused(() => post({ entries: [entry(funding.id, 'debit', '1'), entry(alice.id, 'credit', '1')] }, auditor));
      expectError(res, 403, 'forbidden', { role: 'auditor', action: 'post_transaction' });
    });

    it('an operator closing an account', async () => {
      const empty = await t.openAccount(key, { customer: 'empty' });
      const res = await refused(() => t.request('POST', `/accounts/${empty.id}/close`, { token: operator }), [empty.id]);
      expectError(res, 403, 'forbidden', { role: 'operator', action: 'close_account' });
      expect((await t.request('GET', `/accounts/${empty.id}`, { token: key })).body.status).toBe('active');
    });

    it('the platform admin token calling POST /accounts', async () => {
      const before = (await t.request('GET', '/accounts?limit=1000', { token: key })).body.data.length;
      const res = await refused(() => t.request('POST', '/accounts', { token: TEST_ADMIN_TOKEN, body: { customer: 'x', currency: 'USD', account_type: 'customer' } }));
      expectError(res, 403, 'forbidden');
      expect((await t.request('GET', '/accounts?limit=1000', { token: key })).body.data.length).toBe(before);
    });

    it('a tenant admin calling POST /tenants', async () => {
      const { Pool } = await import('pg');
      const pool = new Pool({ connectionString: t.db.url, max: 1 });
      const tenants = async () => (await pool.query('select count(*)::int as n from tenants')).rows[0].n;
      try {
        const before = await tenants();
        const res = await refused(() => t.request('POST', '/tenants', { token: key, body: { name: 'rogue' } }));
        expectError(res, 403, 'forbidden', { role: 'admin' });
        expect(await tenants()).toBe(before);
      } finally {
        await pool.end();
      }
    });
  });

  describe('404 not_found', () => {
    it('GET an unknown account id (uuid and non-uuid)', async () => {
      const id = randomUUID();
      expectError(await t.request('GET', `/accounts/${id}`, { token: key }), 404, 'not_found', { account_id: id });
      expectError(await t.request('GET', `/accounts/${id}/entries`, { token: key }), 404, 'not_found', { account_id: id });
      expectError(await t.request('GET', '/accounts/not-a-uuid', { token: key }), 404, 'not_found', { account_id: 'not-a-uuid' });
      expectError(await t.request('GET', `/accounts/${id.toUpperCase()}x`, { token: key }), 404, 'not_found');
    });

    it('GET an unknown transaction', async () => {
      const id = randomUUID();
      expectError(await t.request('GET', `/transactions/${id}`, { token: key }), 404, 'not_found', { transaction_id: id });
      expectError(await t.request('GET', '/transactions/nope', { token: key }), 404, 'not_found');
    });

    it('an unknown route', async () => {
      expectError(await t.request('GET', '/no-such-route', { token: key }), 404, 'not_found');
      expectError(await t.request('POST', '/no-such-route', { token: key, body: {} }), 404, 'not_found');
      expectError(await t.request('DELETE', `/accounts/${alice.id}`, { token: key }), 404, 'not_found');
    });

    it('POST /transactions naming an unknown account_id', async () => {
      const ghost = randomUUID();
      const res = await refused(() => post({ entries: [entry(funding.id, 'debit', '5'), entry(ghost, 'credit', '5')] }));
      expectError(res, 404, 'not_found', { account_id: ghost });
      const nonUuid = await refused(() => post({ entries: [entry('acct_nope', 'debit', '5'), entry(alice.id, 'credit', '5')] }));
      expectError(nonUuid, 404, 'not_found', { account_id: 'acct_nope' });
    });

    it('status changes of an unknown account', async () => {
      const ghost = randomUUID();
      for (const action of ['freeze', 'unfreeze', 'close']) {
        expectError(await refused(() => t.request('POST', `/accounts/${ghost}/${action}`, { token: key })), 404, 'not_found', { account_id: ghost });
      }
    });
  });

  describe('409 idempotency_key_reused and replays', () => {
    async function entriesOf(id: string, token = key): Promise<any[]> {
      const res = await t.request('GET', `/accounts/${id}/entries?limit=1000`, { token });
      expect(res.status).toBe(200);
      return res.body.data;
    }

    it('Idempotency-Key header: same body replays, different body -> 409', async () => {
      const target = await t.openAccount(key, { customer: 'idem-header' });
      const body = { entries: [entry(funding.id, 'debit', '10'), entry(target.id, 'credit', '10')], reference: 'r-1' };
      const first = await post(body, key, { 'Idempotency-Key': 'idem-1' });
      expect(first.status).toBe(201);
      expect(first.headers.get('idempotent-replayed')).toBeNull();

      const eventsAfterFirst = await t.eventCount();
      const replay = await post(body, key, { 'Idempotency-Key': 'idem-1' });
      expect(replay.status).toBe(201);
      expect(replay.body).toEqual(first.body);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      // "10" and 10 are the same request.
      const numeric = await post({ ...body, entries: [entry(funding.id, 'debit', 10), entry(target.id, 'credit', 10)] }, key, { 'Idempotency-Key': 'idem-1' });
      expect(numeric.status).toBe(201);
      expect(numeric.body).toEqual(first.body);
      expect(numeric.headers.get('idempotent-replayed')).toBe('true');
      expect(await t.eventCount()).toBe(eventsAfterFirst);

      const reused = await refused(
        () => post({ ...body, entries: [entry(funding.id, 'debit', '11'), entry(target.id, 'credit', '11')] }, key, { 'Idempotency-Key': 'idem-1' }),
        [funding.id, target.id],
      );
      expectError(reused, 409, 'idempotency_key_reused', { idempotency_key: 'idem-1' });
      const otherReference = await refused(() => post({ ...body, reference: 'r-2' }, key, { 'Idempotency-Key': 'idem-1' }), [funding.id, target.id]);
      expectError(otherReference, 409, 'idempotency_key_reused');

      const entries = await entriesOf(target.id);
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({ transaction_id: first.body.id, amount: '10' });
      expect((await t.request('GET', `/accounts/${target.id}`, { token: key })).body.balances.posted).toBe('10');
    });

    it('idempotency_key in the body works the same way, and is the same key as the header', async () => {
      const target = await t.openAccount(key, { customer: 'idem-body' });
      const entries = [entry(funding.id, 'debit', '7'), entry(target.id, 'credit', '7')];
      const first = await post({ entries, idempotency_key: 'idem-body-1' });
      expect(first.status).toBe(201);
      expect(first.headers.get('idempotent-replayed')).toBeNull();

      const replay = await post({ entries, idempotency_key: 'idem-body-1' });
      expect(replay.status).toBe(201);
      expect(replay.body).toEqual(first.body);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');

      const viaHeader = await post({ entries }, key, { 'Idempotency-Key': 'idem-body-1' });
      expect(viaHeader.status).toBe(201);
      expect(viaHeader.body).toEqual(first.body);
      expect(viaHeader.headers.get('idempotent-replayed')).toBe('true');

      const reused = await refused(
        () => post({ entries: [entry(funding.id, 'debit', '8'), entry(target.id, 'credit', '8')], idempotency_key: 'idem-body-1' }),
        [funding.id, target.id],
      );
      expectError(reused, 409, 'idempotency_key_reused');

      expect(await entriesOf(target.id)).toHaveLength(1);
      expect((await t.request('GET', `/accounts/${target.id}`, { token: key })).body.balances.posted).toBe('7');
    });

    it('concurrent identical requests with one key post once and all answer the same', async () => {
      const target = await t.openAccount(key, { customer: 'idem-race' });
      const body = { entries: [entry(funding.id, 'debit', '5'), entry(target.id, 'credit', '5')] };
      const answers = await Promise.all(Array.from({ length: 8 }, () => post(body, key, { 'Idempotency-Key': 'idem-race-1' })));
      expect(answers.map((a) => a.status)).toEqual(Array(8).fill(201));
      for (const answer of answers) expect(answer.body).toEqual(answers[0].body);
      expect(answers.filter((a) => a.headers.get('idempotent-replayed') === 'true')).toHaveLength(7);
      expect(await entriesOf(target.id)).toHaveLength(1);
      expect((await t.request('GET', `/accounts/${target.id}`, { token: key })).body.balances.posted).toBe('5');
    });

    it('a key used for one kind of command cannot be reused for another', async () => {
      const opened = await t.request('POST', '/accounts', { token: key, body: { customer: 'idem-kind', currency: 'USD', account_type: 'customer' }, headers: { 'Idempotency-Key': 'idem-kind-1' } });
      expect(opened.status).toBe(201);
      const res = await refused(() => post({ entries: [entry(funding.id, 'debit', '1'), entry(alice.id, 'credit', '1')] }, key, { 'Idempotency-Key': 'idem-kind-1' }));
      expectError(res, 409, 'idempotency_key_reused');
    });

    it('opening an account: same key replays, different body -> 409', async () => {
      const body = { customer: 'idem-open', currency: 'USD', account_type: 'customer' };
      const first = await t.request('POST', '/accounts', { token: key, body, headers: { 'Idempotency-Key': 'idem-open-1' } });
      expect(first.status).toBe(201);
      const replay = await t.request('POST', '/accounts', { token: key, body, headers: { 'Idempotency-Key': 'idem-open-1' } });
      expect(replay.status).toBe(201);
      expect(replay.body).toEqual(first.body);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      const reused = await refused(() => t.request('POST', '/accounts', { token: key, body: { ...body, customer: 'other' }, headers: { 'Idempotency-Key': 'idem-open-1' } }));
      expectError(reused, 409, 'idempotency_key_reused');
      const listed = await t.request('GET', '/accounts?customer=idem-open', { token: key });
      expect(listed.body.data.map((a: any) => a.id)).toEqual([first.body.id]);
      expect((await t.request('GET', '/accounts?customer=other', { token: key })).body.data).toEqual([]);
    });

    it('keys are scoped per tenant: another tenant using the same key posts independently', async () => {
      const target = await t.openAccount(key, { customer: 'idem-scope' });
      const mine = await post({ entries: [entry(funding.id, 'debit', '3'), entry(target.id, 'credit', '3')] }, key, { 'Idempotency-Key': 'shared-key' });
      expect(mine.status).toBe(201);

      const other = await t.fundedTenant(1);
      const theirs = await post({ entries: [entry(other.funding.id, 'debit', '4'), entry(other.accounts[0].id, 'credit', '4')] }, other.key, {
        'Idempotency-Key': 'shared-key',
      });
      expect(theirs.status).toBe(201);
      expect(theirs.headers.get('idempotent-replayed')).toBeNull();
      expect(theirs.body.id).not.toBe(mine.body.id);
      expect(theirs.body.entries[1]).toMatchObject({ account_id: other.accounts[0].id, amount: '4' });
      // A third tenant sending our very request under our key gets no replay of our answer:
      // the accounts are not its own.
      const third = await t.createTenant('third');
      const sameBody = await refused(
        () => post({ entries: [entry(funding.id, 'debit', '3'), entry(target.id, 'credit', '3')] }, third.key, { 'Idempotency-Key': 'shared-key' }),
        [funding.id, target.id],
      );
      expectError(sameBody, 404, 'not_found', { account_id: funding.id });
      expect(sameBody.headers.get('idempotent-replayed')).toBeNull();
      expect(JSON.stringify(sameBody.body)).not.toContain(mine.body.id);

      expect(await entriesOf(target.id)).toHaveLength(1);
      expect(await entriesOf(other.accounts[0].id, other.key)).toHaveLength(1);
      expect((await t.request('GET', `/accounts/${other.accounts[0].id}`, { token: other.key })).body.balances.posted).toBe('4');
    });
  });

  describe('422 business rules', () => {
    it('insufficient_funds names the account', async () => {
      const empty = await refused(() => post({ entries: [entry(bob.id, 'debit', '1'), entry(alice.id, 'credit', '1')] }));
      expectError(empty, 422, 'insufficient_funds', { account_id: bob.id });
      const over = await refused(() => post({ entries: [entry(alice.id, 'debit', '101'), entry(bob.id, 'credit', '101')] }));
      expectError(over, 422, 'insufficient_funds', { account_id: alice.id });
    });

    it('unbalanced_transaction', async () => {
      const res = await refused(() => post({ entries: [entry(funding.id, 'debit', '10'), entry(alice.id, 'credit', '9')] }));
      expectError(res, 422, 'unbalanced_transaction', { currency: 'USD' });
      const oneSided = await refused(() => post({ entries: [entry(funding.id, 'debit', '10'), entry(alice.id, 'debit', '10')] }));
      expectError(oneSided, 422, 'unbalanced_transaction');
    });

    it('currency_mismatch: an entry with currency EUR on a USD account', async () => {
      const res = await refused(() => post({ entries: [entry(funding.id, 'debit', '10'), entry(alice.id, 'credit', '10', { currency: 'EUR' })] }));
      expectError(res, 422, 'currency_mismatch', { account_id: alice.id });
    });

    it('a transaction mixing USD and EUR must balance per currency', async () => {
      const res = await refused(() => post({ entries: [entry(funding.id, 'debit', '10'), entry(eur.id, 'credit', '10')] }));
      expectError(res, 422, 'unbalanced_transaction');
      const crossed = await refused(() =>
        post({ entries: [entry(funding.id, 'debit', '10'), entry(eurFunding.id, 'debit', '10'), entry(alice.id, 'credit', '15'), entry(eur.id, 'credit', '5')] }),
      );
      expectError(crossed, 422, 'unbalanced_transaction');
      // Balanced in each currency is fine.
      const ok = await post({ entries: [entry(funding.id, 'debit', '10'), entry(eurFunding.id, 'debit', '10'), entry(bob.id, 'credit', '10'), entry(eur.id, 'credit', '10')] });
      expect(ok.status).toBe(201);
      expect(ok.body.entries.map((e: any) => e.currency)).toEqual(['USD', 'EUR', 'USD', 'EUR']);
      expect((await post({ entries: [entry(bob.id, 'debit', '10'), entry(funding.id, 'credit', '10')] })).status).toBe(201);
      expect((await post({ entries: [entry(eur.id, 'debit', '10'), entry(eurFunding.id, 'credit', '10')] })).status).toBe(201);
    });

    it('account_not_active: frozen and closed accounts', async () => {
      const frozen = await t.openAccount(key, { customer: 'frozen' });
      expect((await t.transfer(key, funding.id, frozen.id, '20')).status).toBe(201);
      expect((await t.request('POST', `/accounts/${frozen.id}/freeze`, { token: key })).status).toBe(200);
      const into = await refused(() => t.transfer(key, funding.id, frozen.id, '5'), [funding.id, frozen.id]);
      expectError(into, 422, 'account_not_active', { account_id: frozen.id, status: 'frozen' });
      const outOf = await refused(() => t.transfer(key, frozen.id, funding.id, '5'), [funding.id, frozen.id]);
      expectError(outOf, 422, 'account_not_active', { account_id: frozen.id });

      const closed = await t.openAccount(key, { customer: 'closed' });
      expect((await t.request('POST', `/accounts/${closed.id}/close`, { token: key })).status).toBe(200);
      const toClosed = await refused(() => t.transfer(key, funding.id, closed.id, '5'), [funding.id, closed.id]);
      expectError(toClosed, 422, 'account_not_active', { account_id: closed.id, status: 'closed' });
      const reopen = await refused(() => t.request('POST', `/accounts/${closed.id}/unfreeze`, { token: key }), [closed.id]);
      expectError(reopen, 422, 'account_not_active', { account_id: closed.id });
    });

    it('account_not_empty: closing an account with a balance', async () => {
      const res = await refused(() => t.request('POST', `/accounts/${alice.id}/close`, { token: key }));
      expectError(res, 422, 'account_not_empty', { account_id: alice.id });
      expect((await t.request('GET', `/accounts/${alice.id}`, { token: key })).body.status).toBe('active');
    });
  });

  it('a balanced posting with 512 entries is accepted', async () => {
    const target = await t.openAccount(key, { customer: 'wide' });
    const entries = Array.from({ length: 512 }, (_, i) => (i % 2 === 0 ? entry(funding.id, 'debit', '1') : entry(target.id, 'credit', '1')));
    const res = await post({ entries });
    expect(res.status).toBe(201);
    expect(res.body.entries).toHaveLength(512);
    expect(res.body.entries[511].balance_after).toEqual({ posted: '256', available: '256' });
    expect((await t.request('GET', `/accounts/${target.id}`, { token: key })).body.balances.posted).toBe('256');
    const history = await t.request('GET', `/accounts/${target.id}/entries?limit=1000`, { token: key });
    expect(history.body.data).toHaveLength(256);
  });

  it('after all the refusals, alice still holds exactly what she was funded with', async () => {
    const account = await t.request('GET', `/accounts/${alice.id}`, { token: key });
    expect(account.body).toMatchObject({ tenant_id: tenantId, status: 'active', balances: { posted: '100', available: '100' } });
  });
});
