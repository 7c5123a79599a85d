import { TestLedger, TEST_ADMIN_TOKEN, TEST_MASTER_KEY } from './support/ledger.js';
import { LogSink } from './support/log-sink.js';

/** The service's one line per request, found by its request id. */
function lineOf(t: TestLedger, requestId: string): Record<string, any> {
  const lines = t.log.entries().filter((entry) => entry.request_id === requestId && (entry.msg === 'request' || entry.msg === 'request failed'));
  expect(lines).toHaveLength(1);
  return lines[0];
}

describe('request log: one JSON line per request an on-call engineer can follow', () => {
  let t: TestLedger;
  beforeAll(async () => {
    t = await TestLedger.start({ LEDGER_WEBHOOK_ALLOW_PRIVATE: 'true' });
  });
  afterAll(async () => {
    await t.stop();
  });

  it('logs a command with its request id (the caller\'s, echoed), tenant, key id, route, status, duration, intent id and log position', async () => {
    const { key, tenantId, funding, accounts } = await t.fundedTenant(1);
    const sent = await t.transfer(key, funding.id, accounts[0].id, '125', { 'X-Request-Id': 'req-oncall-1', 'X-Intent-Id': 'intent-oncall-1' });
    expect(sent.status).toBe(201);
    expect(sent.headers.get('x-request-id')).toBe('req-oncall-1');
    const line = lineOf(t, 'req-oncall-1');
    const [appended] = await t.query(`select max(global_position)::text as position, min(metadata->>'request_id') as request_id from events where metadata->>'request_id' = 'req-oncall-1'`);
    const [key_row] = await t.query(`select id from api_keys where tenant_id = $1`, [tenantId]);
    expect(line).toMatchObject({
      level: 30,
      process: 'api',
      method: 'POST',
      route: '/transactions',
      status: 201,
      tenant_id: tenantId,
      key_id: key_row.id,
      intent_id: 'intent-oncall-1',
      position: appended.position,
    });
    expect(typeof line.duration_ms).toBe('number');
    expect(typeof line.time).toBe('string');
  });

  it('makes a request id (a UUID) when the caller sends none, or one that is not a sane token', async () => {
    const plain = await t.request('GET', '/health');
    expect(plain.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const tooLong = await t.request('GET', '/health', { headers: { 'X-Request-Id': 'x'.repeat(129) } });
    expect(tooLong.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(lineOf(t, tooLong.headers.get('x-request-id')!)).toMatchObject({ route: '/health', status: 200 });
  });

  it('logs a refusal at info with its error code, and no body', async () => {
    const { key, tenantId, funding, accounts } = await t.fundedTenant(1);
    const refused = await t.transfer(key, accounts[0].id, funding.id, '999999', { 'X-Request-Id': 'req-refused-1', 'X-Intent-Id': 'intent-refused-1' });
    expect(refused.status).toBe(422);
    const line = lineOf(t, 'req-refused-1');
    expect(line).toMatchObject({ level: 30, status: 422, error_code: 'insufficient_funds', tenant_id: tenantId, route: '/transactions', intent_id: 'intent-refused-1' });
    expect(JSON.stringify(line)).not.toContain('999999');
    // Refused by validation, before the command was made: the line still names the intent.
    const invalid = await t.request('POST', '/transactions', { token: key, headers: { 'X-Request-Id': 'req-invalid-1', 'X-Intent-Id': 'intent-invalid-1' }, body: { entries: 'none' } });
    expect(invalid.status).toBe(400);
    expect(lineOf(t, 'req-invalid-1')).toMatchObject({ status: 400, error_code: 'validation_failed', intent_id: 'intent-invalid-1' });
  });

  it('logs a 500 at error level with its request id, tenant, route, error code and stack', async () => {
    const { key, tenantId, accounts } = await t.fundedTenant(1);
    // Read once first: the read models then have the tenant's writes, so the read below queries at
    // once, rather than wait for a projector (lingering a few ms) that the renamed column would stop.
    expect((await t.request('GET', `/accounts/${accounts[0].id}`, { token: key })).status).toBe(200);
    // A real fault: the read model lost a column the query names (undefined_column is no known outage: a 500).
    await t.query('alter table accounts rename column customer to customer_renamed');
    try {
      const failed = await t.request('GET', `/accounts/${accounts[0].id}`, { token: key, headers: { 'X-Request-Id': 'req-500-1' }, unchecked: true });
      expect(failed.status).toBe(500);
      expect(failed.body.error.code).toBe('internal');
      expect(failed.headers.get('x-request-id')).toBe('req-500-1');
    } finally {
      await t.query('alter table accounts rename column customer_renamed to customer');
    }
    const line = lineOf(t, 'req-500-1');
    expect(line).toMatchObject({ level: 50, msg: 'request failed', status: 500, tenant_id: tenantId, route: '/accounts/:id', error_code: 'internal' });
    expect(line.err.message).toMatch(/customer/);
    expect(line.err.stack).toMatch(/\n\s+at /);
  });

  it('holds no API key, webhook secret, admin token, master key or metadata value, at debug level', async () => {
    const tenant = await t.createTenant('secretive');
    const operator = await t.createKey(tenant.key, 'service');
    const endpoint = await t.request('POST', '/webhook-endpoints', { token: tenant.key, body: { url: 'http://127.0.0.1:9/hook', events: ['*'] } });
    expect(endpoint.status).toBe(201);
    const secret = JSON.stringify(endpoint.body).match(/whsec_[A-Za-z0-9_-]+/)![0];
    const a = await t.openAccount(tenant.key, { allow_negative: true, account_type: 'operating', metadata: { canary: 'metadata-canary-7f3a' } });
    const b = await t.openAccount(tenant.key);
    const posted = await t.request('POST', '/transactions', {
      token: operator,
      body: { entries: [{ account_id: a.id, direction: 'debit', amount: '5' }, { account_id: b.id, direction: 'credit', amount: '5' }], metadata: { note: 'metadata-canary-7f3a' } },
    });
    expect(posted.status).toBe(201);
    // A wrong key and a wrong admin token are refused and logged, without themselves.
    expect((await t.request('GET', '/accounts', { token: `${operator.slice(0, -4)}AAAA` })).status).toBe(401);
    expect((await t.request('POST', '/tenants', { token: `${TEST_ADMIN_TOKEN}-wrong`, body: { name: 'x' } })).status).toBe(401);
    const log = t.log.lines.join('\n');
    expect(t.log.lines.length).toBeGreaterThan(10);
    for (const forbidden of [tenant.key, operator, secret, TEST_ADMIN_TOKEN, TEST_MASTER_KEY, 'metadata-canary-7f3a', 'Bearer']) {
      expect(log).not.toContain(forbidden);
    }
    expect(t.log.offences).toEqual([]);
  });

  it('the suite-wide check catches a key, a webhook secret or a given secret in any line, and masks it', () => {
    for (const leaked of [`zl_${'a'.repeat(43)}`, `whsec_${'b'.repeat(32)}`, TEST_MASTER_KEY]) {
      const sink = new LogSink([TEST_MASTER_KEY]);
      sink.write(`{"msg":"fine"}\n{"msg":"oops ${leaked}"}\n`);
      expect(() => sink.assertNoSecrets()).toThrow(/logged a secret in 1 line/);
      expect(sink.offences[0]).toContain('[SECRET]');
      expect(sink.offences[0]).not.toContain(leaked);
    }
  });
});
