import { HttpResponse, TestLedger } from './support/ledger.js';
import { cli } from './support/process.js';
import { sleep } from './support/wait.js';

/**
 * Tenant policies through the API (API.md "Policies"): each type, both modes, refusals that
 * append nothing, batches, holds and reversals, the evidence naming what ran, changes over
 * time, tenancy, roles, the audit log, and a replay of the log agreeing with the read models.
 */

/** The fields API.md gives a policy change's answer, no more, no less. */
const ANSWER_FIELDS = ['event', 'id', 'mode', 'name', 'params', 'position', 'scope', 'status', 'type', 'version'];
/** The edge's checks, which every decided command's evidence starts with. */
const EDGE_CHECKS = ['tenant_scope.passed', 'role.passed'];

describe('tenant policies over HTTP', () => {
  let t: TestLedger;
  beforeAll(async () => {
    t = await TestLedger.start();
  });
  afterAll(async () => {
    await t.stop();
  });

  /** A tenant with a treasury (operating, may go negative) and customer accounts holding `funds` each. */
  const tenant = (customers = 2, funds = '10000') => t.fundedTenant(customers, funds);

  async function createPolicy(key: string, body: Record<string, unknown>): Promise<any> {
    const res = await t.request('POST', '/policies', { token: key, body });
    if (res.status !== 201) throw new Error(`create policy: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  /** A limit on customer accounts only: funding from the treasury (operating) stays out of scope. */
  const customerLimit = (key: string, type: string, params: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    createPolicy(key, { name: `${type} on customers`, type, scope: { account_type: 'customer' }, params: { currency: 'USD', ...params }, ...extra });

  const evidence = async (key: string, kind: 'transactions' | 'holds', id: string) => {
    const res = await t.request('GET', `/evidence/${kind}/${id}`, { token: key });
    expect(res.status).toBe(200);
    return res.body;
  };

  function expectViolation(res: HttpResponse, details: Record<string, unknown>) {
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('policy_violation');
    expect(res.body.error.details).toMatchObject(details);
    expect(typeof res.body.error.message).toBe('string');
  }

  const eventsOfType = async (key: string, type: string) =>
    (await t.request('GET', '/events?limit=1000', { token: key })).body.data.filter((e: any) => e.type === type);

  it('creates, reads, lists, changes and disables a policy, answering exactly the contract\'s shape', async () => {
    const { key } = await tenant(0);
    const created = await t.request('POST', '/policies', {
      token: key,
      headers: { 'Idempotency-Key': 'limit-1' },
      body: { name: 'big payments', type: 'amount_limit', params: { currency: 'USD', max_amount: 500 } },
    });
    expect(created.status).toBe(201);
    expect(Object.keys(created.body).sort()).toEqual(ANSWER_FIELDS);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/), name: 'big payments', type: 'amount_limit', mode: 'enforce', scope: {},
      params: { currency: 'USD', max_amount: '500' }, status: 'active', version: 1, event: 'policy.created', position: expect.stringMatching(/^[0-9]+$/),
    });
    const id = created.body.id;
    const again = await t.request('POST', '/policies', {
      token: key,
      headers: { 'Idempotency-Key': 'limit-1' },
      body: { name: 'big payments', type: 'amount_limit', params: { currency: 'USD', max_amount: '500' } },
    });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(created.body);

    const { event: _e, position: _p, ...policy } = created.body;
    const read = await t.request('GET', `/policies/${id}`, { token: key });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject(policy);

    const patched = await t.request('PATCH', `/policies/${id}`, { token: key, body: { params: { currency: 'USD', max_amount: '800' }, mode: 'observe', scope: { account_type: 'customer' } } });
    expect(patched.status).toBe(200);
    expect(Object.keys(patched.body).sort()).toEqual(ANSWER_FIELDS);
    expect(patched.body).toMatchObject({ id, version: 2, event: 'policy.updated', mode: 'observe', scope: { account_type: 'customer' }, params: { currency: 'USD', max_amount: '800' }, status: 'active' });

    const second = await createPolicy(key, { name: 'monitor', type: 'balance_monitor', params: { currency: 'USD', threshold: '-5', when: 'below' } });
    const disabled = await t.request('POST', `/policies/${id}/disable`, { token: key });
    expect(disabled.status).toBe(200);
    expect(Object.keys(disabled.body).sort()).toEqual(ANSWER_FIELDS);
    expect(disabled.body).toMatchObject({ id, version: 3, status: 'disabled', event: 'policy.disabled', mode: 'observe', params: { max_amount: '800' } });
    // Disabling again changes nothing; changing a disabled policy is refused.
    const twice = await t.request('POST', `/policies/${id}/disable`, { token: key });
    expect(twice.status).toBe(200);
    expect(twice.body).toMatchObject({ id, version: 3, status: 'disabled', event: null, position: null });
    const late = await t.request('PATCH', `/policies/${id}`, { token: key, body: { mode: 'enforce' } });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('policy_disabled');

    expect((await t.request('GET', `/policies/${id}`, { token: key })).body).toMatchObject({ status: 'disabled', version: 3, mode: 'observe' });
    const all = await t.request('GET', '/policies', { token: key });
    expect(all.body.data.map((p: any) => [p.id, p.status])).toEqual([[id, 'disabled'], [second.id, 'active']]);
    expect(all.body.next_cursor).toBeNull();
    expect((await t.request('GET', '/policies?status=active', { token: key })).body.data.map((p: any) => p.id)).toEqual([second.id]);
    expect((await t.request('GET', '/policies?status=disabled', { token: key })).body.data.map((p: any) => p.id)).toEqual([id]);
    const page1 = await t.request('GET', '/policies?limit=1', { token: key });
    expect(page1.body.data.map((p: any) => p.id)).toEqual([id]);
    const page2 = await t.request('GET', `/policies?limit=1&cursor=${page1.body.next_cursor}`, { token: key });
    expect(page2.body.data.map((p: any) => p.id)).toEqual([second.id]);
    expect(page2.body.next_cursor).toBeNull();
    expect((await t.request('GET', '/policies?status=paused', { token: key })).status).toBe(400);
  });

  it('refuses bad policies with 400 validation_failed naming the fields, and appends nothing', async () => {
    const { key, accounts } = await tenant(1, '0');
    const other = await tenant(1, '0');
    const before = await t.eventCount();
    const bad: [Record<string, unknown>, string][] = [
      [{ name: 'x', type: 'spending_cap', params: {} }, 'type'],
      [{ name: 'x', type: 'amount_limit' }, 'params'],
      [{ name: '', type: 'amount_limit', params: { currency: 'USD', max_amount: '1' } }, 'name'],
      [{ name: 'x', type: 'amount_limit', params: { currency: 'USD', max_amount: '0' } }, 'params.max_amount'],
      [{ name: 'x', type: 'amount_limit', params: { currency: 'USD', max_amount: '1.5' } }, 'params.max_amount'],
      [{ name: 'x', type: 'amount_limit', params: { currency: 'USD', max_amount: '1', toString: 1 } }, 'params.toString'],
      [{ name: 'x', type: 'velocity_limit', params: { currency: 'USD', max_amount: '1', window_seconds: 0 } }, 'params.window_seconds'],
      [{ name: 'x', type: 'currency_allowlist', params: { currencies: [] } }, 'params.currencies'],
      [{ name: 'x', type: 'balance_monitor', params: { currency: 'USD', threshold: '1', when: 'sideways' } }, 'params.when'],
      [{ name: 'x', type: 'amount_limit', mode: 'loud', params: { currency: 'USD', max_amount: '1' } }, 'mode'],
      [{ name: 'x', type: 'amount_limit', scope: { region: 'eu' }, params: { currency: 'USD', max_amount: '1' } }, 'scope.region'],
      [{ name: 'x', type: 'amount_limit', scope: { currency: 'EUR' }, params: { currency: 'USD', max_amount: '1' } }, 'scope.currency'],
      [{ name: 'x', type: 'amount_limit', scope: [], params: { currency: 'USD', max_amount: '1' } }, 'scope'],
    ];
    for (const [body, field] of bad) {
      const res = await t.request('POST', '/policies', { token: key, body });
      expect([JSON.stringify(body), res.status, res.body.error?.code]).toEqual([JSON.stringify(body), 400, 'validation_failed']);
      expect(Object.keys(res.body.error.details.fields)).toContain(field);
    }
    // A scope naming an account the tenant does not have (another tenant's) is a 404, like any unknown account.
    const foreign = await t.request('POST', '/policies', { token: key, body: { name: 'x', type: 'amount_limit', scope: { account_id: other.accounts[0].id }, params: { currency: 'USD', max_amount: '1' } } });
    expect(foreign.status).toBe(404);
    const policy = await createPolicy(key, { name: 'ok', type: 'velocity_limit', scope: { account_id: accounts[0].id }, params: { currency: 'USD', max_amount: '5', window_seconds: 60 } });
    const patches: [Record<string, unknown>, string][] = [
      [{}, 'body'],
      [{ params: { currency: 'USD', max_amount: '5' } }, 'params.window_seconds'],
      [{ params: { currency: 'USD', max_amount: '5', window_seconds: 60, currencies: ['USD'] } }, 'params.currencies'],
      [{ mode: 'off' }, 'mode'],
      [{ scope: { currency: 'GBP' } }, 'scope.currency'],
    ];
    for (const [body, field] of patches) {
      const res = await t.request('PATCH', `/policies/${policy.id}`, { token: key, body });
      expect([JSON.stringify(body), res.status, res.body.error?.code]).toEqual([JSON.stringify(body), 400, 'validation_failed']);
      expect(Object.keys(res.body.error.details.fields)).toContain(field);
    }
    expect(await t.eventCount()).toBe(before + 1);
    expect((await t.request('GET', `/policies/${policy.id}`, { token: key })).body).toMatchObject({ version: 1, params: { max_amount: '5', window_seconds: 60 } });
  });

  it('amount_limit: exactly at the limit passes, one over is refused naming policy, limit and amount, and nothing is appended', async () => {
    const { key, funding, accounts } = await tenant(2);
    const [payer, payee] = accounts;
    const limit = await customerLimit(key, 'amount_limit', { max_amount: '500' });
    const atLimit = await t.transfer(key, payer.id, payee.id, '500');
    expect(atLimit.status).toBe(201);
    const before = await t.eventCount();
    const over = await t.transfer(key, payer.id, payee.id, '501');
    expectViolation(over, { policy_id: limit.id, name: 'amount_limit on customers', type: 'amount_limit', limit: '500', attempted: '501' });
    expect(await t.eventCount()).toBe(before);
    expect((await t.request('GET', `/accounts/${payer.id}`, { token: key })).body.balances.posted).toBe('9500');

    // Evidence names the check that ran, and only when a limit applied: the treasury is out of scope.
    const judged = await evidence(key, 'transactions', atLimit.body.id);
    expect(judged.policy).toEqual([...EDGE_CHECKS, 'limit_check.passed']);
    expect(judged.policies).toEqual([
      expect.objectContaining({ policy_id: limit.id, name: limit.name, type: 'amount_limit', version: 1, outcome: 'passed', limit: '500', attempted: '500' }),
    ]);
    const unjudged = await t.transfer(key, funding.id, payer.id, '5000');
    expect(unjudged.status).toBe(201);
    const free = await evidence(key, 'transactions', unjudged.body.id);
    expect(free.policy).toEqual(EDGE_CHECKS);
    expect(free.policies).toEqual([]);
  });

  it('holds and reversals are judged like postings: over the limit refused, at it placed', async () => {
    const { key, funding, accounts } = await tenant(2);
    const [payer, payee] = accounts;
    const limit = await customerLimit(key, 'amount_limit', { max_amount: '300' });
    const before = await t.eventCount();
    const tooBig = await t.placeHold(key, { account_id: payer.id, destination_account_id: payee.id, amount: '301' });
    expectViolation(tooBig, { policy_id: limit.id, type: 'amount_limit', limit: '300', attempted: '301' });
    expect(await t.eventCount()).toBe(before);
    const hold = await t.placeHold(key, { account_id: payer.id, destination_account_id: payee.id, amount: '300' });
    expect(hold.status).toBe(201);
    const held = await evidence(key, 'holds', hold.body.id);
    expect(held.policy).toEqual([...EDGE_CHECKS, 'limit_check.passed']);

    // The treasury (out of scope) pays 600 in; reversing that takes 600 out of the customer.
    const payIn = await t.transfer(key, funding.id, payer.id, '600');
    expect(payIn.status).toBe(201);
    const beforeReversal = await t.eventCount();
    const reversal = await t.request('POST', `/transactions/${payIn.body.id}/reverse`, { token: key, body: { reason: 'too much' } });
    expectViolation(reversal, { policy_id: limit.id, type: 'amount_limit', limit: '300', attempted: '600' });
    expect(await t.eventCount()).toBe(beforeReversal);
    const small = await t.transfer(key, funding.id, payer.id, '200');
    const reversed = await t.request('POST', `/transactions/${small.body.id}/reverse`, { token: key, body: {} });
    expect(reversed.status).toBe(201);
    expect((await evidence(key, 'transactions', reversed.body.id)).policy).toEqual([...EDGE_CHECKS, 'limit_check.passed']);
  });

  it('velocity_limit: refused within the window with what it already used, allowed again once the window has passed', async () => {
    const { key, accounts } = await tenant(2);
    const [payer, payee] = accounts;
    const WINDOW_SECONDS = 2;
    const limit = await customerLimit(key, 'velocity_limit', { max_amount: '300', window_seconds: WINDOW_SECONDS });
    expect((await t.transfer(key, payer.id, payee.id, '200')).status).toBe(201);
    expect((await t.transfer(key, payer.id, payee.id, '100')).status).toBe(201);
    const before = await t.eventCount();
    const over = await t.transfer(key, payer.id, payee.id, '1');
    expectViolation(over, { policy_id: limit.id, type: 'velocity_limit', limit: '300', attempted: '1', used: '300', window_seconds: WINDOW_SECONDS });
    expect(await t.eventCount()).toBe(before);
    // Whole seconds: a debit counts while now < its second + window; past that it has left.
    await sleep(WINDOW_SECONDS * 1000 + 200);
    const later = await t.transfer(key, payer.id, payee.id, '300');
    expect(later.status).toBe(201);
    const judged = await evidence(key, 'transactions', later.body.id);
    // A passed check's detail is derived when read: what the window held is not part of it (API.md).
    expect(judged.policies).toEqual([expect.objectContaining({ policy_id: limit.id, outcome: 'passed', attempted: '300', window_seconds: WINDOW_SECONDS })]);
    expect(judged.policies[0]).not.toHaveProperty('used');
  });

  it('velocity_limit max_count: the posting past the count is refused', async () => {
    const { key, accounts } = await tenant(2);
    const [payer, payee] = accounts;
    const limit = await customerLimit(key, 'velocity_limit', { max_amount: '1000000', window_seconds: 600, max_count: 2 });
    expect((await t.transfer(key, payer.id, payee.id, '1')).status).toBe(201);
    expect((await t.placeHold(key, { account_id: payer.id, destination_account_id: payee.id, amount: '1' })).status).toBe(201);
    const third = await t.transfer(key, payer.id, payee.id, '1');
    expectViolation(third, { policy_id: limit.id, type: 'velocity_limit', limit: '2', attempted: '1', used: '2', window_seconds: 600 });
  });

  it('currency_allowlist: accounts in scope open only in the listed currencies', async () => {
    const { key } = await tenant(0);
    const allowlist = await createPolicy(key, { name: 'majors', type: 'currency_allowlist', scope: { account_type: 'customer' }, params: { currencies: ['USD', 'EUR'] } });
    const before = await t.eventCount();
    const refused = await t.request('POST', '/accounts', { token: key, body: { customer: 'c', currency: 'GBP', account_type: 'customer' } });
    expectViolation(refused, { policy_id: allowlist.id, name: 'majors', type: 'currency_allowlist', limit: ['USD', 'EUR'], attempted: 'GBP' });
    expect(await t.eventCount()).toBe(before);
    expect((await t.request('POST', '/accounts', { token: key, body: { customer: 'c', currency: 'EUR', account_type: 'customer' } })).status).toBe(201);
    // Out of scope (another account_type): any currency.
    expect((await t.request('POST', '/accounts', { token: key, body: { customer: 'c', currency: 'GBP', account_type: 'operating' } })).status).toBe(201);
  });

  it('balance_monitor: one balance.monitor.triggered per crossing, none while the balance stays beyond', async () => {
    const { key, funding, accounts } = await tenant(1, '500');
    const [wallet] = accounts;
    const monitor = await customerLimit(key, 'balance_monitor', { threshold: '100', when: 'below' });
    const crossing = await t.transfer(key, wallet.id, funding.id, '450'); // 500 -> 50: crosses
    expect(crossing.status).toBe(201);
    expect((await t.transfer(key, wallet.id, funding.id, '10')).status).toBe(201); // 50 -> 40: still below
    expect((await t.transfer(key, funding.id, wallet.id, '100')).status).toBe(201); // 40 -> 140: back
    expect((await t.transfer(key, wallet.id, funding.id, '50')).status).toBe(201); // 140 -> 90: crosses again
    const triggered = await eventsOfType(key, 'balance.monitor.triggered');
    expect(triggered.map((e: any) => [e.data.policy_id, e.data.account_id, e.data.balance_before, e.data.balance])).toEqual([
      [monitor.id, wallet.id, '500', '50'],
      [monitor.id, wallet.id, '140', '90'],
    ]);
    // It follows the posting that crossed, in the same decision.
    expect(BigInt(triggered[0].position)).toBeGreaterThan(BigInt(crossing.body.position));
  });

  it('observe mode: the command goes through and the evidence records the violation', async () => {
    const { key, accounts } = await tenant(2);
    const [payer, payee] = accounts;
    const limit = await customerLimit(key, 'amount_limit', { max_amount: '100' }, { mode: 'observe' });
    const posted = await t.transfer(key, payer.id, payee.id, '150');
    expect(posted.status).toBe(201);
    const judged = await evidence(key, 'transactions', posted.body.id);
    expect(judged.policy).toEqual([...EDGE_CHECKS, 'limit_check.observed_violation']);
    expect(judged.policies).toEqual([
      expect.objectContaining({ policy_id: limit.id, name: limit.name, type: 'amount_limit', version: 1, outcome: 'observed_violation', limit: '100', attempted: '150' }),
    ]);
  });

  it('in a batch, only the violating item is refused, in its slot', async () => {
    const { key, accounts } = await tenant(2);
    const [payer, payee] = accounts;
    const limit = await customerLimit(key, 'amount_limit', { max_amount: '100' });
    const item = (amount: string, i: number) => ({
      idempotency_key: `batch-${i}`,
      entries: [{ account_id: payer.id, direction: 'debit', amount }, { account_id: payee.id, direction: 'credit', amount }],
    });
    const before = await t.eventCount();
    const res = await t.request('POST', '/transactions/batch', { token: key, body: { transactions: [item('50', 0), item('150', 1), item('100', 2)] } });
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: any) => r.status)).toEqual([201, 422, 201]);
    expect(res.body.results[1].body.error).toMatchObject({ code: 'policy_violation', details: { policy_id: limit.id, limit: '100', attempted: '150' } });
    expect(await t.eventCount()).toBe(before + 2);
    expect((await t.request('GET', `/accounts/${payer.id}`, { token: key })).body.balances.posted).toBe('9850');
  });

  it('a PATCH changes the decision from its version on; a disabled policy checks nothing', async () => {
    const { key, accounts } = await tenant(2);
    const [payer, payee] = accounts;
    const limit = await customerLimit(key, 'amount_limit', { max_amount: '100' });
    expect((await t.transfer(key, payer.id, payee.id, '150')).status).toBe(422);
    const raised = await t.request('PATCH', `/policies/${limit.id}`, { token: key, body: { params: { currency: 'USD', max_amount: '200' } } });
    expect(raised.body).toMatchObject({ version: 2, event: 'policy.updated', params: { max_amount: '200' } });
    const passed = await t.transfer(key, payer.id, payee.id, '150');
    expect(passed.status).toBe(201);
    expect((await evidence(key, 'transactions', passed.body.id)).policies).toEqual([expect.objectContaining({ policy_id: limit.id, version: 2, limit: '200', outcome: 'passed' })]);
    const disabled = await t.request('POST', `/policies/${limit.id}/disable`, { token: key });
    expect(disabled.body).toMatchObject({ version: 3, status: 'disabled' });
    const free = await t.transfer(key, payer.id, payee.id, '1000');
    expect(free.status).toBe(201);
    expect((await evidence(key, 'transactions', free.body.id)).policy).toEqual(EDGE_CHECKS);
  });

  it("another tenant's policy answers 404 like a missing one, changes nothing, and each attempt is audited", async () => {
    const owner = await tenant(0);
    const intruder = await tenant(0);
    const policy = await createPolicy(owner.key, { name: 'theirs', type: 'amount_limit', params: { currency: 'USD', max_amount: '10' } });
    // The owner's read waits for the read model to hold the policy: a read only finds (and so
    // audits) another tenant's resource the model already holds, as for accounts and holds.
    expect((await t.request('GET', `/policies/${policy.id}`, { token: owner.key })).status).toBe(200);
    const attempts = [
      await t.request('GET', `/policies/${policy.id}`, { token: intruder.key }),
      await t.request('PATCH', `/policies/${policy.id}`, { token: intruder.key, body: { mode: 'observe' } }),
      await t.request('POST', `/policies/${policy.id}/disable`, { token: intruder.key }),
    ];
    expect(attempts.map((r) => [r.status, r.body.error.code])).toEqual(Array(3).fill([404, 'not_found']));
    expect((await t.request('GET', '/policies', { token: intruder.key })).body.data).toEqual([]);
    expect((await t.request('GET', `/policies/${policy.id}`, { token: owner.key })).body).toMatchObject({ version: 1, status: 'active', mode: 'enforce' });
    const denied = (await t.request('GET', '/audit-log?outcome=denied', { token: intruder.key })).body.data;
    expect(denied.map((e: any) => [e.action, e.resource, e.reason])).toEqual([
      ['get_policy', `policy:${policy.id}`, 'cross_tenant'],
      ['update_policy', `policy:${policy.id}`, 'cross_tenant'],
      ['disable_policy', `policy:${policy.id}`, 'cross_tenant'],
    ]);
  });

  it('roles: only admin changes policies; every tenant role reads them', async () => {
    const { key } = await tenant(0);
    const policy = await createPolicy(key, { name: 'cap', type: 'amount_limit', params: { currency: 'USD', max_amount: '10' } });
    const body = { name: 'mine', type: 'amount_limit', params: { currency: 'USD', max_amount: '1' } };
    for (const role of ['service', 'operator', 'auditor']) {
      const roleKey = await t.createKey(key, role);
      expect((await t.request('GET', '/policies', { token: roleKey })).status).toBe(200);
      expect((await t.request('GET', `/policies/${policy.id}`, { token: roleKey })).status).toBe(200);
      expect((await t.request('POST', '/policies', { token: roleKey, body })).status).toBe(403);
      expect((await t.request('PATCH', `/policies/${policy.id}`, { token: roleKey, body: { mode: 'observe' } })).status).toBe(403);
      expect((await t.request('POST', `/policies/${policy.id}/disable`, { token: roleKey })).status).toBe(403);
    }
    expect((await t.request('GET', `/policies/${policy.id}`, { token: key })).body).toMatchObject({ version: 1, status: 'active' });
  });

  it('every policy change is in the audit log as allowed, with its actor', async () => {
    const { key } = await tenant(0);
    const policy = await createPolicy(key, { name: 'audited', type: 'amount_limit', params: { currency: 'USD', max_amount: '10' } });
    await t.request('PATCH', `/policies/${policy.id}`, { token: key, body: { mode: 'observe' } });
    await t.request('POST', `/policies/${policy.id}/disable`, { token: key });
    const keys = (await t.request('GET', '/api-keys', { token: key })).body.data;
    const admin = keys.find((k: any) => k.role === 'admin');
    const allowed = (await t.request('GET', '/audit-log?outcome=allowed&limit=1000', { token: key })).body.data;
    expect(allowed.filter((e: any) => e.resource === `policy:${policy.id}`).map((e: any) => [e.action, e.actor, e.role, e.outcome])).toEqual([
      ['create_policy', `key:${admin.id}`, 'admin', 'allowed'],
      ['update_policy', `key:${admin.id}`, 'admin', 'allowed'],
      ['disable_policy', `key:${admin.id}`, 'admin', 'allowed'],
    ]);
  });

  it('replay: with a policy changed mid-stream, the log alone gives the balances the read models hold', async () => {
    const { key, tenantId, funding, accounts } = await tenant(2);
    const [payer, payee] = accounts;
    const limit = await customerLimit(key, 'amount_limit', { max_amount: '300' });
    const velocity = await customerLimit(key, 'velocity_limit', { max_amount: '2000', window_seconds: 600 });
    await createPolicy(key, { name: 'low', type: 'balance_monitor', scope: { account_type: 'customer' }, params: { currency: 'USD', threshold: '9000', when: 'below' } });
    const statuses: number[] = [];
    const post = async (amount: string) => statuses.push((await t.transfer(key, payer.id, payee.id, amount)).status);
    for (const amount of ['300', '301', '250']) await post(amount);
    await t.request('PATCH', `/policies/${limit.id}`, { token: key, body: { params: { currency: 'USD', max_amount: '100' } } });
    for (const amount of ['150', '100', '90']) await post(amount);
    await t.request('PATCH', `/policies/${limit.id}`, { token: key, body: { params: { currency: 'USD', max_amount: '1000' } } });
    await t.request('PATCH', `/policies/${velocity.id}`, { token: key, body: { mode: 'observe' } });
    for (const amount of ['900', '1000', '1001']) await post(amount);
    await t.transfer(key, funding.id, payer.id, '50');
    expect(statuses).toEqual([201, 422, 201, 422, 201, 201, 201, 201, 422]);
    expect((await eventsOfType(key, 'balance.monitor.triggered')).length).toBe(1);

    const compare = await cli(t.db.url, ['replay', '--tenant', tenantId, '--compare']);
    expect(compare.stdout).toContain('projections agree');
    expect(compare.code).toBe(0);
    const verify = await cli(t.db.url, ['projections', 'verify', '--all']);
    expect(verify.code).toBe(0);
  });
});
