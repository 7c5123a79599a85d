import { TestLedger, TEST_ADMIN_TOKEN } from './support/ledger.js';
import { sleep, waitFor } from './support/wait.js';

/** The revocation contract: every process stops taking a revoked key within this. */
const REVOCATION_MS_MAX = 2_000;

describe('API key lifecycle and tenant suspension', () => {
  let t: TestLedger;
  let sibling: TestLedger;

  beforeAll(async () => {
    const allowPrivate = { LEDGER_WEBHOOK_ALLOW_PRIVATE: 'true' }; // the endpoint below is on 127.0.0.1
    t = await TestLedger.start(allowPrivate);
    sibling = await t.startSibling(allowPrivate);
  });

  afterAll(async () => {
    await sibling?.ledger.shutdown();
    await t?.stop();
  });

  const keyIdOf = async (admin: string, prefix: string) =>
    (await t.request('GET', '/api-keys?limit=1000', { token: admin })).body.data.find((k: any) => prefix.startsWith(k.prefix)).id as string;

  /** Polls `ledger` with `key` until it answers `status`; returns how long it took. */
  async function untilStatus(ledger: TestLedger, key: string, status: number): Promise<number> {
    const started = Date.now();
    await waitFor(`${status} from ${ledger.url}`, async () => (await ledger.request('GET', '/accounts', { token: key })).status === status, 10_000, 50);
    return Date.now() - started;
  }

  it('lists keys with who made them and when, never the key itself, paged oldest first', async () => {
    const tenant = await t.createTenant('listing');
    const issued = await t.request('POST', '/api-keys', { token: tenant.key, body: { role: 'service', name: 'payments' } });
    expect(issued.status).toBe(201);
    expect(issued.body).toEqual({ id: expect.any(String), key: expect.stringMatching(/^zl_/), role: 'service', name: 'payments', expires_at: null });

    const listed = await t.request('GET', '/api-keys', { token: tenant.key });
    expect(listed.status).toBe(200);
    expect(listed.body.next_cursor).toBeNull();
    const [bootstrap, service] = listed.body.data;
    expect(Object.keys(service).sort()).toEqual(['created_at', 'created_by', 'expires_at', 'id', 'last_used_at', 'name', 'prefix', 'revoked_at', 'role']);
    expect(service).toMatchObject({ id: issued.body.id, role: 'service', name: 'payments', prefix: issued.body.key.slice(0, 8), revoked_at: null, expires_at: null });
    expect(service.created_by).toBe(`key:${bootstrap.id}`);
    expect(bootstrap).toMatchObject({ role: 'admin', created_by: 'platform_admin', prefix: tenant.key.slice(0, 8) });
    expect(JSON.stringify(listed.body)).not.toContain(issued.body.key);
    expect(JSON.stringify(listed.body)).not.toContain(tenant.key);

    const first = await t.request('GET', '/api-keys?limit=1', { token: tenant.key });
    expect(first.body.data.map((k: any) => k.id)).toEqual([bootstrap.id]);
    const second = await t.request('GET', `/api-keys?limit=1&cursor=${first.body.next_cursor}`, { token: tenant.key });
    expect(second.body.data.map((k: any) => k.id)).toEqual([service.id]);
    expect(second.body.next_cursor).toBeNull();
    expect((await t.request('GET', '/api-keys?cursor=OTk5OTk5OTk5OTk5OTk5OTk5OTkuMQ', { token: tenant.key })).status).toBe(400);

    for (const role of ['service', 'operator', 'auditor']) {
      const key = await t.createKey(tenant.key, role);
      expect((await t.request('GET', '/api-keys', { token: key })).status).toBe(403);
      expect((await t.request('POST', `/api-keys/${service.id}/revoke`, { token: key })).status).toBe(403);
    }
  });

  it('records last_used_at, written coalesced rather than per request', async () => {
    const tenant = await t.createTenant('usage');
    const key = await t.createKey(tenant.key, 'service');
    const id = await keyIdOf(tenant.key, key);
    const before = (await t.query(`select last_used_at from api_keys where id = $1`, [id]))[0].last_used_at;
    expect(before).toBeNull();
    for (let i = 0; i < 5; i++) expect((await t.request('GET', '/accounts', { token: key })).status).toBe(200);
    // Not written per request: nothing yet until the coalesced flush runs.
    expect((await t.query(`select last_used_at from api_keys where id = $1`, [id]))[0].last_used_at).toBeNull();
    await t.ledger.runtime.keys.flushLastUsed();
    const listed = (await t.request('GET', '/api-keys', { token: tenant.key })).body.data.find((k: any) => k.id === id);
    expect(Date.now() - Date.parse(listed.last_used_at)).toBeLessThan(60_000);
  });

  it('expires keys at expires_at, and a key that expires cannot issue one that outlives it', async () => {
    const tenant = await t.createTenant('expiry');
    const bad = ['2030-W01-1', '0000-01-01T00:00:00Z', 'tomorrow', '2020-01-01T00:00:00Z'];
    for (const expires_at of bad) {
      const res = await t.request('POST', '/api-keys', { token: tenant.key, body: { role: 'service', expires_at } });
      expect({ expires_at, status: res.status, code: res.body.error?.code, fields: Object.keys(res.body.error?.details?.fields ?? {}) }).toEqual({
        expires_at,
        status: 400,
        code: 'validation_failed',
        fields: ['expires_at'],
      });
    }
    const soon = new Date(Date.now() + 3_000).toISOString(); // room for the requests below on a loaded machine
    const shortLived = await t.request('POST', '/api-keys', { token: tenant.key, body: { role: 'admin', expires_at: soon } });
    expect(shortLived.status).toBe(201);
    expect(shortLived.body.expires_at).toBe(soon);

    // It may not mint a key that outlives it; without expires_at its keys inherit its expiry.
    const later = await t.request('POST', '/api-keys', { token: shortLived.body.key, body: { role: 'admin', expires_at: '2099-01-01T00:00:00Z' } });
    expect(later.status).toBe(400);
    expect(later.body.error.details.fields.expires_at).toBeDefined();
    const inherited = await t.request('POST', '/api-keys', { token: shortLived.body.key, body: { role: 'service' } });
    expect(inherited.status).toBe(201);
    expect(inherited.body.expires_at).toBe(soon);

    expect((await t.request('GET', '/accounts', { token: shortLived.body.key })).status).toBe(200);
    await sleep(Date.parse(soon) - Date.now() + 50);
    for (const key of [shortLived.body.key, inherited.body.key]) {
      const res = await t.request('GET', '/accounts', { token: key });
      expect({ status: res.status, code: res.body.error.code }).toEqual({ status: 401, code: 'unauthenticated' });
    }
  });

  it('revokes a key on every process within 2 s, and keeps the last active admin key', async () => {
    const tenant = await t.createTenant('revocation');
    const service = await t.createKey(tenant.key, 'service');
    const serviceId = await keyIdOf(tenant.key, service);
    // Both processes have resolved (and cached) the key.
    expect((await t.request('GET', '/accounts', { token: service })).status).toBe(200);
    expect((await sibling.request('GET', '/accounts', { token: service })).status).toBe(200);

    const revoked = await t.request('POST', `/api-keys/${serviceId}/revoke`, { token: tenant.key });
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ id: serviceId, role: 'service', revoked_at: expect.any(String) });
    expect((await t.request('GET', '/accounts', { token: service })).status).toBe(401); // this process: at once
    expect(await untilStatus(sibling, service, 401)).toBeLessThan(REVOCATION_MS_MAX);
    const again = await t.request('POST', `/api-keys/${serviceId}/revoke`, { token: tenant.key });
    expect(again.body.revoked_at).toBe(revoked.body.revoked_at);

    // The bootstrap admin key is the only active admin key: it cannot be revoked.
    const bootstrapId = await keyIdOf(tenant.key, tenant.key);
    const last = await t.request('POST', `/api-keys/${bootstrapId}/revoke`, { token: tenant.key });
    expect({ status: last.status, code: last.body.error.code }).toEqual({ status: 409, code: 'last_admin_key' });
    expect((await t.request('GET', '/accounts', { token: tenant.key })).status).toBe(200);

    // Two admins revoking each other at once: exactly one wins, one admin key is left.
    const second = await t.createKey(tenant.key, 'admin');
    const secondId = await keyIdOf(tenant.key, second);
    const [a, b] = await Promise.all([
      t.request('POST', `/api-keys/${secondId}/revoke`, { token: tenant.key }),
      sibling.request('POST', `/api-keys/${bootstrapId}/revoke`, { token: second }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const active = await t.query(`select count(*)::int as n from api_keys where tenant_id = $1 and role = 'admin' and revoked_at is null`, [tenant.id]);
    expect(active[0].n).toBe(1);
  });

  it('a key revoked a moment ago cannot issue a key on a process that still has it cached, nor can a just-suspended tenant', async () => {
    const tenant = await t.createTenant('issuer');
    const leaked = await t.createKey(tenant.key, 'admin');
    const leakedId = await keyIdOf(tenant.key, leaked);
    // The sibling has resolved (and cached) the leaked key.
    expect((await sibling.request('GET', '/accounts', { token: leaked })).status).toBe(200);
    const keysBefore = (await t.query(`select count(*)::int as n from api_keys where tenant_id = $1`, [tenant.id]))[0].n;
    expect((await t.request('POST', `/api-keys/${leakedId}/revoke`, { token: tenant.key })).status).toBe(200);
    // Within the sibling's cache window: the guard lets the request in, the issuing key is checked again under the tenant's lock.
    const minted = await sibling.request('POST', '/api-keys', { token: leaked, body: { role: 'admin', name: 'backdoor' } });
    expect({ status: minted.status, code: minted.body.error?.code }).toEqual({ status: 401, code: 'unauthenticated' });
    expect((await t.query(`select count(*)::int as n from api_keys where tenant_id = $1`, [tenant.id]))[0].n).toBe(keysBefore);

    expect((await sibling.request('GET', '/accounts', { token: tenant.key })).status).toBe(200);
    expect((await t.request('POST', `/tenants/${tenant.id}/suspend`, { token: TEST_ADMIN_TOKEN })).status).toBe(200);
    const whileSuspended = await sibling.request('POST', '/api-keys', { token: tenant.key, body: { role: 'admin' } });
    expect(whileSuspended.status).toBe(403);
    expect(whileSuspended.body.error.code).toBe('tenant_suspended');
    expect((await t.query(`select count(*)::int as n from api_keys where tenant_id = $1`, [tenant.id]))[0].n).toBe(keysBefore);
  });

  it("answers another tenant's key as not found, and audits the attempt", async () => {
    const mine = await t.createTenant('mine');
    const theirs = await t.createTenant('theirs');
    const theirKey = await t.createKey(theirs.key, 'service');
    const theirId = await keyIdOf(theirs.key, theirKey);
    for (const id of [theirId, '00000000-0000-0000-0000-000000000000', 'not-a-uuid']) {
      const res = await t.request('POST', `/api-keys/${id}/revoke`, { token: mine.key });
      expect({ status: res.status, code: res.body.error.code }).toEqual({ status: 404, code: 'not_found' });
    }
    expect((await t.request('GET', '/accounts', { token: theirKey })).status).toBe(200);
    const denied = await t.request('GET', '/audit-log?outcome=denied', { token: mine.key });
    expect(denied.body.data.map((e: any) => [e.action, e.resource, e.reason])).toEqual([['revoke_api_key', `api_key:${theirId}`, 'cross_tenant']]);
  });

  it('suspends and resumes a tenant (platform admin only), effective on every process within 2 s', async () => {
    const tenant = await t.createTenant('suspended');
    const other = await t.createTenant('unaffected');
    const service = await t.createKey(tenant.key, 'service');
    const account = await t.openAccount(service);
    expect((await sibling.request('GET', '/accounts', { token: service })).status).toBe(200);

    expect((await t.request('POST', `/tenants/${tenant.id}/suspend`, { token: tenant.key })).status).toBe(403);
    const suspended = await t.request('POST', `/tenants/${tenant.id}/suspend`, { token: TEST_ADMIN_TOKEN });
    expect(suspended.status).toBe(200);
    expect(suspended.body).toEqual({ id: tenant.id, name: 'suspended', status: 'suspended' });

    for (const key of [service, tenant.key]) {
      const read = await t.request('GET', `/accounts/${account.id}`, { token: key });
      expect({ status: read.status, code: read.body.error.code }).toEqual({ status: 403, code: 'tenant_suspended' });
      const write = await t.request('POST', '/accounts', { token: key, body: { customer: 'c', currency: 'USD', account_type: 'x' } });
      expect({ status: write.status, code: write.body.error.code }).toEqual({ status: 403, code: 'tenant_suspended' });
    }
    expect(await untilStatus(sibling, service, 403)).toBeLessThan(REVOCATION_MS_MAX);
    expect((await t.request('GET', '/accounts', { token: other.key })).status).toBe(200);

    const resumed = await t.request('POST', `/tenants/${tenant.id}/resume`, { token: TEST_ADMIN_TOKEN });
    expect(resumed.body).toEqual({ id: tenant.id, name: 'suspended', status: 'active' });
    expect((await t.request('GET', `/accounts/${account.id}`, { token: service })).status).toBe(200);
    await untilStatus(sibling, service, 200);

    for (const id of ['00000000-0000-0000-0000-000000000000', 'nope']) {
      expect((await t.request('POST', `/tenants/${id}/suspend`, { token: TEST_ADMIN_TOKEN })).status).toBe(404);
    }
  });

  it('audits every administrative action with its actor: keys, tenant status, webhook endpoints and replays, statement imports', async () => {
    const tenant = await t.createTenant('audited');
    const auditor = await t.createKey(tenant.key, 'auditor');
    const operator = await t.createKey(tenant.key, 'operator');
    const bootstrapId = await keyIdOf(tenant.key, tenant.key);
    const operatorId = await keyIdOf(tenant.key, operator);
    await t.request('POST', `/api-keys/${operatorId}/revoke`, { token: tenant.key });
    await t.request('POST', `/tenants/${tenant.id}/suspend`, { token: TEST_ADMIN_TOKEN });
    await t.request('POST', `/tenants/${tenant.id}/resume`, { token: TEST_ADMIN_TOKEN });
    const endpoint = await t.request('POST', '/webhook-endpoints', { token: tenant.key, body: { url: 'http://127.0.0.1:9/hook', events: ['*'] } });
    expect(endpoint.status).toBe(201);
    await t.request('POST', `/webhook-endpoints/${endpoint.body.id}/rotate-secret`, { token: tenant.key });
    await t.request('DELETE', `/webhook-endpoints/${endpoint.body.id}`, { token: tenant.key });
    const account = await t.openAccount(tenant.key);
    const statement = await t.request('POST', '/reconciliation/statements', {
      token: tenant.key,
      body: { account_id: account.id, format: 'csv', content: 'external_id,amount,currency,direction,date,reference\nx1,100,USD,credit,2026-01-02,r1\n' },
    });
    expect(statement.status).toBe(201);

    const allowed = await t.request('GET', '/audit-log?outcome=allowed&limit=1000', { token: auditor });
    const admin = allowed.body.data.filter((e: any) => e.action !== 'open_account');
    const me = `key:${bootstrapId}`;
    expect(admin.map((e: any) => [e.action, e.actor, e.role, e.resource])).toEqual([
      ['create_tenant', 'platform_admin', 'platform_admin', `tenant:${tenant.id}`],
      ['create_api_key', me, 'admin', expect.stringMatching(/^api_key:/)],
      ['create_api_key', me, 'admin', `api_key:${operatorId}`],
      ['revoke_api_key', me, 'admin', `api_key:${operatorId}`],
      ['suspend_tenant', 'platform_admin', 'platform_admin', `tenant:${tenant.id}`],
      ['resume_tenant', 'platform_admin', 'platform_admin', `tenant:${tenant.id}`],
      ['create_webhook_endpoint', me, 'admin', `webhook_endpoint:${endpoint.body.id}`],
      ['rotate_webhook_secret', me, 'admin', `webhook_endpoint:${endpoint.body.id}`],
      ['delete_webhook_endpoint', me, 'admin', `webhook_endpoint:${endpoint.body.id}`],
      ['import_statement', me, 'admin', `statement:${statement.body.id}`],
    ]);
    for (const entry of admin) expect(entry).toMatchObject({ tenant_id: tenant.id, outcome: 'allowed', request_id: expect.any(String) });
    // What was recorded names keys by id, never by their secret.
    expect(JSON.stringify(allowed.body)).not.toContain(operator);
  });
});
