import { randomUUID } from 'node:crypto';
import { HttpResponse, TEST_ADMIN_TOKEN, TestLedger } from './support/ledger.js';

/**
 * Two tenants never see each other's data: another tenant's id answers exactly like a missing
 * one, lists and feeds never leak it, commands naming it change nothing, and every attempt is
 * in the caller's own audit log.
 */

interface Tenant {
  id: string;
  adminKey: string;
  adminKeyId: string;
}

function sameBodyWithId(missing: HttpResponse, missingId: string, id: string): unknown {
  return JSON.parse(JSON.stringify(missing.body).split(missingId).join(id));
}

describe('tenant isolation over HTTP', () => {
  let t: TestLedger;
  let a: Tenant;
  let b: Tenant;
  let aFunding: any;
  let aAlice: any;
  let aTransaction: any;
  let bFunding: any;
  let bAccount: any;

  async function tenant(name: string): Promise<Tenant> {
    const res = await t.request('POST', '/tenants', { token: TEST_ADMIN_TOKEN, body: { name } });
    expect(res.status).toBe(201);
    return { id: res.body.id, adminKey: res.body.api_key.key, adminKeyId: res.body.api_key.id };
  }

  async function key(adminKey: string, role: string): Promise<{ key: string; id: string }> {
    const res = await t.request('POST', '/api-keys', { token: adminKey, body: { role, name: `${role}-${randomUUID().slice(0, 8)}` } });
    expect(res.status).toBe(201);
    return { key: res.body.key, id: res.body.id };
  }

  async function snapshot(): Promise<unknown> {
    const view = async (token: string, id: string) => {
      const res = await t.request('GET', `/accounts/${id}`, { token });
      expect(res.status).toBe(200);
      const entries = await t.request('GET', `/accounts/${id}/entries?limit=1000`, { token });
      return { status: res.body.status, balances: res.body.balances, entries: entries.body.data.length };
    };
    return {
      events: await t.eventCount(),
      a: [await view(a.adminKey, aFunding.id), await view(a.adminKey, aAlice.id)],
      b: [await view(b.adminKey, bFunding.id), await view(b.adminKey, bAccount.id)],
    };
  }

  beforeAll(async () => {
    t = await TestLedger.start();
    a = await tenant('tenant-a');
    b = await tenant('tenant-b');
    aFunding = await t.openAccount(a.adminKey, { customer: 'a-treasury', account_type: 'operating', allow_negative: true });
    aAlice = await t.openAccount(a.adminKey, { customer: 'a-alice' });
    const posted = await t.transfer(a.adminKey, aFunding.id, aAlice.id, '1000');
    expect(posted.status).toBe(201);
    aTransaction = posted.body;
    bFunding = await t.openAccount(b.adminKey, { customer: 'b-treasury', account_type: 'operating', allow_negative: true });
    bAccount = await t.openAccount(b.adminKey, { customer: 'b-bob' });
    expect((await t.transfer(b.adminKey, bFunding.id, bAccount.id, '50')).status).toBe(201);
  });
  afterAll(async () => {
    await t.stop();
  });

  describe("another tenant's id answers exactly like a missing one", () => {
    it.each([
      ['GET /accounts/:id', (id: string) => `/accounts/${id}`],
      ['GET /accounts/:id/entries', (id: string) => `/accounts/${id}/entries`],
      ['GET /accounts/:id/entries?limit=5', (id: string) => `/accounts/${id}/entries?limit=5`],
    ])('%s', async (_label, path) => {
      const missingId = randomUUID();
      const missing = await t.request('GET', path(missingId), { token: b.adminKey });
      expect(missing.status).toBe(404);
      expect(missing.body).toEqual({ error: { code: 'not_found', message: expect.any(String), details: { account_id: missingId } } });
      for (const id of [aAlice.id, aFunding.id]) {
        const foreign = await t.request('GET', path(id), { token: b.adminKey });
        expect(foreign.status).toBe(404);
        expect(foreign.body).toEqual(sameBodyWithId(missing, missingId, id));
        expect(foreign.headers.get('content-type')).toBe(missing.headers.get('content-type'));
      }
      // Sanity: the owner does see it.
      expect((await t.request('GET', path(aAlice.id), { token: a.adminKey })).status).toBe(200);
    });

    it('GET /transactions/:id', async () => {
      const missingId = randomUUID();
      const missing = await t.request('GET', `/transactions/${missingId}`, { token: b.adminKey });
      expect(missing.status).toBe(404);
      expect(missing.body.error).toMatchObject({ code: 'not_found', details: { transaction_id: missingId } });
      const foreign = await t.request('GET', `/transactions/${aTransaction.id}`, { token: b.adminKey });
      expect(foreign.status).toBe(404);
      expect(foreign.body).toEqual(sameBodyWithId(missing, missingId, aTransaction.id));
      expect((await t.request('GET', `/transactions/${aTransaction.id}`, { token: a.adminKey })).status).toBe(200);
    });

    it('every role of the other tenant gets the same 404', async () => {
      for (const role of ['service', 'operator', 'auditor']) {
        const { key: token } = await key(b.adminKey, role);
        const res = await t.request('GET', `/accounts/${aAlice.id}`, { token });
        expect(res.status).toBe(404);
        expect(res.body.error).toMatchObject({ code: 'not_found', details: { account_id: aAlice.id } });
      }
    });
  });

  it("B's account list and event feed never contain A's ids", async () => {
    const secrets = [a.id, aFunding.id, aAlice.id, aTransaction.id, ...aTransaction.entries.map((e: any) => e.id)];
    const list = await t.request('GET', '/accounts?limit=1000', { token: b.adminKey });
    expect(list.status).toBe(200);
    expect(list.body.data.map((x: any) => x.id).sort()).toEqual([bFunding.id, bAccount.id].sort());
    for (const account of list.body.data) expect(account.tenant_id).toBe(b.id);
    const byCustomer = await t.request('GET', '/accounts?customer=a-alice', { token: b.adminKey });
    expect(byCustomer.body.data).toEqual([]);
    const tenantParam = await t.request('GET', `/accounts?tenant_id=${a.id}&limit=1000`, { token: b.adminKey });
    expect(tenantParam.body.data.map((x: any) => x.id).sort()).toEqual([bFunding.id, bAccount.id].sort());

    const events = await t.request('GET', '/events?limit=1000', { token: b.adminKey });
    expect(events.status).toBe(200);
    expect(events.body.data.length).toBeGreaterThanOrEqual(3);
    const bIds = new Set(list.body.data.map((x: any) => x.id));
    for (const event of events.body.data) {
      if (event.type === 'account.created') expect(bIds.has(event.data.account_id)).toBe(true);
      if (event.type === 'ledger.entry.posted') for (const e of event.data.entries) expect(bIds.has(e.account_id)).toBe(true);
    }
    const text = JSON.stringify([list.body, byCustomer.body, tenantParam.body, events.body]);
    for (const secret of secrets) expect(text).not.toContain(secret);

    // And the other way round: A's feed holds only A's events.
    const aEvents = await t.request('GET', '/events?limit=1000', { token: a.adminKey });
    const aText = JSON.stringify(aEvents.body);
    for (const secret of [bFunding.id, bAccount.id]) expect(aText).not.toContain(secret);
  });

  it("B posting a transaction naming A's account gets not_found and changes nothing", async () => {
    const before = await snapshot();
    const steal = {
      entries: [
        { account_id: aAlice.id, direction: 'debit', amount: '500' },
        { account_id: bAccount.id, direction: 'credit', amount: '500' },
      ],
    };
    const res = await t.request('POST', '/transactions', { token: b.adminKey, body: steal });
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ code: 'not_found', details: { account_id: aAlice.id } });

    const missingId = randomUUID();
    const missing = await t.request('POST', '/transactions', {
      token: b.adminKey,
      body: { entries: [{ ...steal.entries[0], account_id: missingId }, steal.entries[1]] },
    });
    expect(res.body).toEqual(sameBodyWithId(missing, missingId, aAlice.id));

    // Crediting A's account from B's funding is refused the same way.
    const push = await t.transfer(b.adminKey, bFunding.id, aAlice.id, '1');
    expect(push.status).toBe(404);
    expect(push.body.error).toMatchObject({ code: 'not_found', details: { account_id: aAlice.id } });
    expect(await snapshot()).toEqual(before);
  });

  it("B freezing, unfreezing or closing A's account -> 404 and nothing changes", async () => {
    const before = await snapshot();
    for (const action of ['freeze', 'unfreeze', 'close']) {
      const res = await t.request('POST', `/accounts/${aAlice.id}/${action}`, { token: b.adminKey });
      expect(res.status).toBe(404);
      expect(res.body.error).toMatchObject({ code: 'not_found', details: { account_id: aAlice.id } });
    }
    expect(await snapshot()).toEqual(before);
    expect((await t.request('GET', `/accounts/${aAlice.id}`, { token: a.adminKey })).body.status).toBe('active');
  });

  it("every cross-tenant attempt is in B's audit log (denied), none in A's", async () => {
    const service = await key(b.adminKey, 'service');
    const operator = await key(b.adminKey, 'operator');
    const attempts: { token: string; keyId: string; role: string; method: string; path: string; body?: unknown; action: string; resource: string }[] = [
      { token: service.key, keyId: service.id, role: 'service', method: 'GET', path: `/accounts/${aAlice.id}`, action: 'get_account', resource: aAlice.id },
      { token: service.key, keyId: service.id, role: 'service', method: 'GET', path: `/accounts/${aAlice.id}/entries`, action: 'list_entries', resource: aAlice.id },
      { token: operator.key, keyId: operator.id, role: 'operator', method: 'GET', path: `/transactions/${aTransaction.id}`, action: 'get_transaction', resource: aTransaction.id },
      {
        token: service.key,
        keyId: service.id,
        role: 'service',
        method: 'POST',
        path: '/transactions',
        body: {
          entries: [
            { account_id: aFunding.id, direction: 'debit', amount: '1' },
            { account_id: bAccount.id, direction: 'credit', amount: '1' },
          ],
        },
        action: 'post_transaction',
        resource: aFunding.id,
      },
      { token: operator.key, keyId: operator.id, role: 'operator', method: 'POST', path: `/accounts/${aAlice.id}/freeze`, action: 'change_account_status', resource: aAlice.id },
    ];
    const started = Date.now();
    for (const attempt of attempts) {
      const res = await t.request(attempt.method, attempt.path, { token: attempt.token, body: attempt.body });
      expect(res.status).toBe(404);
    }

    const audit = await t.request('GET', '/audit-log?outcome=denied&limit=1000', { token: b.adminKey });
    expect(audit.status).toBe(200);
    const mine = audit.body.data.filter((e: any) => e.actor === `key:${service.id}` || e.actor === `key:${operator.id}`);
    expect(mine).toHaveLength(attempts.length);
    attempts.forEach((attempt, i) => {
      const entry = mine[i];
      expect(entry).toMatchObject({ actor: `key:${attempt.keyId}`, tenant_id: b.id, role: attempt.role, outcome: 'denied' });
      expect(entry.action).toContain(attempt.action);
      expect(entry.resource).toContain(attempt.resource);
      const at = new Date(entry.timestamp).getTime();
      expect(Number.isNaN(at)).toBe(false);
      expect(at).toBeGreaterThanOrEqual(started - 5_000);
      expect(at).toBeLessThanOrEqual(Date.now() + 5_000);
    });
    for (const entry of audit.body.data) expect(entry.tenant_id).toBe(b.id);

    // A's audit log: nothing from B, denied or allowed.
    const bActors = new Set([`key:${b.adminKeyId}`, `key:${service.id}`, `key:${operator.id}`]);
    for (const outcome of ['denied', 'allowed']) {
      const aAudit = await t.request('GET', `/audit-log?outcome=${outcome}&limit=1000`, { token: a.adminKey });
      expect(aAudit.status).toBe(200);
      for (const entry of aAudit.body.data) {
        expect(entry.tenant_id).toBe(a.id);
        expect(bActors.has(entry.actor)).toBe(false);
      }
    }
    const aDenied = await t.request('GET', '/audit-log?outcome=denied&limit=1000', { token: a.adminKey });
    expect(aDenied.body.data).toEqual([]);
  });

  it('the tenant comes from the key only: a body tenant_id pointing at A is ignored', async () => {
    const eventsBefore = await t.eventCount();
    const res = await t.request('POST', '/accounts', {
      token: b.adminKey,
      body: { customer: 'smuggled', currency: 'USD', account_type: 'customer', tenant_id: a.id },
    });
    expect(res.status).toBe(201);
    expect(res.body.tenant_id).toBe(b.id);
    expect(await t.eventCount()).toBe(eventsBefore + 1);
    const smuggled = res.body.id;

    expect((await t.request('GET', `/accounts/${smuggled}`, { token: b.adminKey })).body.tenant_id).toBe(b.id);
    expect((await t.request('GET', `/accounts/${smuggled}`, { token: a.adminKey })).status).toBe(404);
    const aList = await t.request('GET', '/accounts?limit=1000', { token: a.adminKey });
    expect(aList.body.data.map((x: any) => x.id)).not.toContain(smuggled);
    const aCustomer = await t.request('GET', '/accounts?customer=smuggled', { token: a.adminKey });
    expect(aCustomer.body.data).toEqual([]);

    // A posting that claims tenant A but names B's accounts is B's posting.
    const posted = await t.request('POST', '/transactions', {
      token: b.adminKey,
      body: {
        tenant_id: a.id,
        entries: [
          { account_id: bFunding.id, direction: 'debit', amount: '2' },
          { account_id: smuggled, direction: 'credit', amount: '2' },
        ],
      },
    });
    expect(posted.status).toBe(201);
    expect((await t.request('GET', `/transactions/${posted.body.id}`, { token: a.adminKey })).status).toBe(404);
    const aEvents = await t.request('GET', '/events?limit=1000', { token: a.adminKey });
    expect(JSON.stringify(aEvents.body)).not.toContain(posted.body.id);

    // And a tenant_id claim does not open A's accounts to B either.
    const claim = await t.request('POST', '/transactions', {
      token: b.adminKey,
      body: {
        tenant_id: a.id,
        entries: [
          { account_id: aFunding.id, direction: 'debit', amount: '2' },
          { account_id: aAlice.id, direction: 'credit', amount: '2' },
        ],
      },
    });
    expect(claim.status).toBe(404);
    expect(claim.body.error.code).toBe('not_found');
  });
});
