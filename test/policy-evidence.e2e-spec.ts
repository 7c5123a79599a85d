import { linkEvent } from '#audit/index.js';
import { TestLedger } from './support/ledger.js';
import { tamperWithLog } from './support/tamper.js';

/**
 * Evidence of policy checks is derived when it is read (the events keep the revision they were
 * decided at and what did not pass): it must name the policy version in force when the command
 * was decided, not the current one, for postings, batches, holds and observed violations; and
 * events written before derivation must read exactly as they were stored.
 */

const EDGE_CHECKS = ['tenant_scope.passed', 'role.passed'];

describe('policy evidence is historical', () => {
  let t: TestLedger;
  beforeAll(async () => {
    t = await TestLedger.start();
  });
  afterAll(async () => {
    await t.stop();
  });

  async function createPolicy(key: string, body: Record<string, unknown>): Promise<any> {
    const res = await t.request('POST', '/policies', { token: key, body });
    if (res.status !== 201) throw new Error(`create policy: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  const customerLimit = (key: string, type: string, params: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    createPolicy(key, { name: `${type} on customers`, type, scope: { account_type: 'customer' }, params: { currency: 'USD', ...params }, ...extra });

  async function patch(key: string, id: string, body: Record<string, unknown>): Promise<void> {
    const res = await t.request('PATCH', `/policies/${id}`, { token: key, body });
    expect(res.status).toBe(200);
  }

  const evidence = async (key: string, kind: 'transactions' | 'holds', id: string) => {
    const res = await t.request('GET', `/evidence/${kind}/${id}`, { token: key });
    expect(res.status).toBe(200);
    return res.body;
  };

  it("a posting's evidence names the limit of the version it was decided under, after the policy was updated and disabled", async () => {
    const { key, accounts } = await t.fundedTenant(2, '10000');
    const [payer, payee] = accounts;
    const amount = await customerLimit(key, 'amount_limit', { max_amount: '500' });
    const pace = await customerLimit(key, 'velocity_limit', { max_amount: '5000', window_seconds: 600 });
    const before = await t.transfer(key, payer.id, payee.id, '400');
    expect(before.status).toBe(201);
    await patch(key, amount.id, { params: { currency: 'USD', max_amount: '900' } });
    const after = await t.transfer(key, payer.id, payee.id, '800');
    expect(after.status).toBe(201);
    await t.request('POST', `/policies/${pace.id}/disable`, { token: key });

    const first = await evidence(key, 'transactions', before.body.id);
    expect(first.policy).toEqual([...EDGE_CHECKS, 'limit_check.passed', 'limit_check.passed']);
    expect(first.policies).toEqual([
      { policy_id: amount.id, name: amount.name, type: 'amount_limit', version: 1, mode: 'enforce', outcome: 'passed', account_id: payer.id, limit: '500', attempted: '400' },
      { policy_id: pace.id, name: pace.name, type: 'velocity_limit', version: 1, mode: 'enforce', outcome: 'passed', account_id: payer.id, limit: '5000', attempted: '400', window_seconds: 600 },
    ]);
    expect(first.status).toBe('audit_ready');
    const second = await evidence(key, 'transactions', after.body.id);
    expect(second.policies.map((p: any) => [p.policy_id, p.version, p.limit])).toEqual([
      [amount.id, 2, '900'],
      [pace.id, 1, '5000'],
    ]);
  });

  it("each item of a batch names the version it was decided under", async () => {
    const { key, accounts } = await t.fundedTenant(2, '10000');
    const [payer, payee] = accounts;
    const limit = await customerLimit(key, 'amount_limit', { max_amount: '100' });
    const item = (amount: string, i: number) => ({
      idempotency_key: `historic-batch-${i}`,
      entries: [{ account_id: payer.id, direction: 'debit', amount }, { account_id: payee.id, direction: 'credit', amount }],
    });
    const batch = await t.request('POST', '/transactions/batch', { token: key, body: { transactions: [item('50', 0), item('100', 1)] } });
    expect(batch.body.results.map((r: any) => r.status)).toEqual([201, 201]);
    await patch(key, limit.id, { params: { currency: 'USD', max_amount: '300' } });

    for (const [i, attempted] of [[0, '50'], [1, '100']] as const) {
      const judged = await evidence(key, 'transactions', batch.body.results[i].body.id);
      expect(judged.policies).toEqual([expect.objectContaining({ policy_id: limit.id, version: 1, limit: '100', attempted, outcome: 'passed' })]);
    }
  });

  it("a hold's evidence names the version it was placed under; its capture ran no limit", async () => {
    const { key, accounts } = await t.fundedTenant(2, '10000');
    const [payer, payee] = accounts;
    const limit = await customerLimit(key, 'amount_limit', { max_amount: '600' });
    const hold = await t.placeHold(key, { account_id: payer.id, destination_account_id: payee.id, amount: '600' });
    expect(hold.status).toBe(201);
    await patch(key, limit.id, { params: { currency: 'USD', max_amount: '50' } });
    expect((await t.request('POST', `/holds/${hold.body.id}/capture`, { token: key, body: {} })).status).toBe(200);

    const held = await evidence(key, 'holds', hold.body.id);
    expect(held.policy).toEqual([...EDGE_CHECKS, 'limit_check.passed']);
    expect(held.policies).toEqual([expect.objectContaining({ policy_id: limit.id, version: 1, limit: '600', attempted: '600', account_id: payer.id })]);
    expect(held.events.map((e: any) => e.policy)).toEqual([[...EDGE_CHECKS, 'limit_check.passed'], EDGE_CHECKS]);
  });

  it('an observed violation keeps what it saw after the policy is changed to enforce a higher limit', async () => {
    const { key, accounts } = await t.fundedTenant(2, '10000');
    const [payer, payee] = accounts;
    const cap = await customerLimit(key, 'amount_limit', { max_amount: '1000' });
    const watch = await customerLimit(key, 'velocity_limit', { max_amount: '100', window_seconds: 600 }, { mode: 'observe' });
    const posted = await t.transfer(key, payer.id, payee.id, '150');
    expect(posted.status).toBe(201);
    await patch(key, watch.id, { params: { currency: 'USD', max_amount: '10000', window_seconds: 600 }, mode: 'enforce' });
    await patch(key, cap.id, { params: { currency: 'USD', max_amount: '2000' } });

    const judged = await evidence(key, 'transactions', posted.body.id);
    expect(judged.policy).toEqual([...EDGE_CHECKS, 'limit_check.passed', 'limit_check.observed_violation']);
    expect(judged.policies).toEqual([
      expect.objectContaining({ policy_id: cap.id, version: 1, outcome: 'passed', limit: '1000', attempted: '150' }),
      { policy_id: watch.id, name: watch.name, type: 'velocity_limit', version: 1, mode: 'observe', outcome: 'observed_violation', account_id: payer.id, limit: '100', attempted: '150', used: '0', window_seconds: 600 },
    ]);
  });

  it('an event written with every check in its metadata (before derivation) reads as it was stored', async () => {
    const { key, tenantId, accounts } = await t.fundedTenant(2, '10000');
    const [payer, payee] = accounts;
    const limit = await customerLimit(key, 'amount_limit', { max_amount: '500' });
    const posted = await t.transfer(key, payer.id, payee.id, '200');
    expect(posted.status).toBe(201);
    // Rewrite the tenant's last event as the writer used to write it: every check in full (with a
    // limit derivation would not give, to tell the two apart), no revision; its hash recomputed.
    const [row] = await t.query(
      `select e.type, e.data, e.metadata, p.metadata->>'hash' as prev_hash from events e join events p on p.stream_id = e.stream_id and p.stream_revision = e.stream_revision - 1 where e.global_position = $1`,
      [posted.body.position],
    );
    const { policy_revision: _revision, hash: _hash, ...rest } = row.metadata;
    const stored = [{ policy_id: limit.id, name: limit.name, type: 'amount_limit', version: 1, mode: 'enforce', outcome: 'passed', account_id: payer.id, limit: '123', attempted: '200' }];
    const metadata: Record<string, unknown> = { ...rest, policy: [...EDGE_CHECKS, 'limit_check.passed'], policies: stored };
    metadata.hash = linkEvent(row.type, row.data, metadata, row.prev_hash).hash;
    expect(await tamperWithLog(t.db.url, `update events set metadata = $2::jsonb where global_position = $1`, [posted.body.position, JSON.stringify(metadata)])).toBe(1);
    const [latest] = await t.query(`select max(stream_revision)::text as r, (select stream_revision::text from events where global_position = $2) as mine from events where stream_id = $1`, [`ledger-${tenantId}`, posted.body.position]);
    expect(latest.r).toBe(latest.mine);

    const read = await evidence(key, 'transactions', posted.body.id);
    expect(read.policy).toEqual([...EDGE_CHECKS, 'limit_check.passed']);
    expect(read.policies).toEqual(stored);
    expect(read.checks.hash_matches_content).toBe(true);
  });
});
