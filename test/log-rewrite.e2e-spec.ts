import { TestLedger } from './support/ledger.js';
import { tamperWithLog } from './support/tamper.js';
import { waitFor } from './support/wait.js';

describe('a log the application cannot rewrite', () => {
  let t: TestLedger;

  beforeAll(async () => {
    t = await TestLedger.start();
  });
  afterAll(async () => {
    await t.stop();
  });

  it('refuses UPDATE, DELETE and TRUNCATE of events from the service\'s own database role', async () => {
    const { tenantId } = await t.fundedTenant(1, '10');
    const before = await t.eventCount();
    for (const sql of [`update events set data = '{}' where stream_id = $1`, `delete from events where stream_id = $1`]) {
      await expect(t.query(sql, [`ledger-${tenantId}`])).rejects.toMatchObject({ code: 'ZL003' });
    }
    await expect(t.query(`truncate events`)).rejects.toMatchObject({ code: 'ZL003' });
    expect(await t.eventCount()).toBe(before);
  });

  it('never signs a chain head over a rewritten log: refused, shown in /health and /metrics, evidence fails without a 500', async () => {
    const { key, tenantId, funding, accounts } = await t.fundedTenant(1, '100');
    const signed = await t.request('GET', '/tenants/me/chain-head', { token: key });
    expect(signed.status).toBe(200);
    // Hold the background signer so that the next events are still unsigned when rewritten.
    const { signer } = t.ledger.runtime;
    await signer.stop();
    const posting = await t.transfer(key, funding.id, accounts[0].id, '7');
    expect(posting.status).toBe(201);
    await tamperWithLog(t.db.url, `update events set data = jsonb_set(data, '{description}', '"rewritten"') where global_position = $1`, [posting.body.position]);
    signer.start();
    await waitFor('the head to be refused', () => signer.brokenTenants > 0);
    const [newest] = await t.query(`select max(stream_revision)::text as r from chain_heads where tenant_id = $1`, [tenantId]);
    expect(newest.r).toBe(signed.body.stream_revision);

    const health = await t.request('GET', '/health');
    expect(health.body).toMatchObject({ status: 'degraded', chain_heads: { ok: false, broken_tenants: 1 } });
    expect(JSON.stringify(health.body)).not.toContain(tenantId); // /health is public: counts only
    expect((await t.request('GET', '/metrics')).body).toMatch(/^zentra_chain_broken_tenants 1$/m);

    const onDemand = await t.request('GET', '/tenants/me/chain-head', { token: key });
    expect(onDemand.status).toBe(503);
    expect(onDemand.body.error).toMatchObject({ code: 'unavailable', details: { position: posting.body.position } });
    expect(onDemand.body.error.message).toContain('does not verify');
    const evidence = await t.request('GET', `/evidence/transactions/${posting.body.id}`, { token: key });
    expect(evidence.status).toBe(200);
    expect(evidence.body).toMatchObject({ status: 'verification_failed', signed_head: null, checks: { hash_matches_content: false } });
    expect(await t.query(`select 1 from chain_heads where tenant_id = $1 and stream_revision > $2`, [tenantId, signed.body.stream_revision])).toEqual([]);
  });
});
