import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { verifyChain } from '#audit/index.js';
import { TestLedger } from './support/ledger.js';
import { tamperWithLog } from './support/tamper.js';
import { waitFor } from './support/wait.js';
import { cli as runCli } from './support/process.js';

const MASTER_KEY = 'test-master-key-0123456789';
const cli = (url: string, args: string[]) => runCli(url, args, { LEDGER_MASTER_KEY: MASTER_KEY });


describe('audit evidence: hash chain, signatures, intents', () => {
  let t: TestLedger;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'zentra-evidence-'));
  beforeAll(async () => {
    t = await TestLedger.start();
  });
  afterAll(async () => {
    await t.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function chainOf(tenantId: string) {
    const rows = await t.query(`select global_position, event_id, type, data, metadata from events where stream_id = $1 order by stream_revision`, [`ledger-${tenantId}`]);
    return rows.map((r) => ({ position: r.global_position, id: r.event_id, type: r.type, data: r.data, metadata: r.metadata }));
  }

  it('keeps one unbroken chain per tenant across concurrent writers in two processes and a restart of the writer', async () => {
    const { key, tenantId, funding, accounts } = await t.fundedTenant(2, '1000');
    const sibling = await t.startSibling();
    try {
      await Promise.all(
        Array.from({ length: 40 }, (_, i) => (i % 2 ? t : sibling).transfer(key, funding.id, accounts[i % 2].id, String(i + 1))),
      );
    } finally {
      await sibling.ledger.shutdown();
    }
    // A fresh process (cold writer cache) continues the same chain.
    const again = await t.startSibling();
    try {
      expect((await again.transfer(key, funding.id, accounts[0].id, '7')).status).toBe(201);
    } finally {
      await again.ledger.shutdown();
    }
    const chain = await chainOf(tenantId);
    expect(chain).toHaveLength(3 + 2 + 40 + 1); // three accounts, two fundings, 40 concurrent transfers, one after the restart
    const check = verifyChain(chain);
    expect(check).toMatchObject({ ok: true, events: 46 });
    expect(verifyChain(chain, 'ab'.repeat(32))).toMatchObject({ ok: false, events: 0 }); // the first event links to the genesis hash
  });

  it('returns verified evidence for postings, holds, captures and reversals', async () => {
    const { key, funding, accounts } = await t.fundedTenant(2, '1000');
    const auditor = await t.createKey(key, 'auditor');
    const service = await t.createKey(key, 'service');
    const posting = await t.request('POST', '/transactions', {
      token: key,
      headers: { 'X-Intent-Id': 'intent-evidence-1' },
      body: { entries: [{ account_id: accounts[0].id, direction: 'debit', amount: '25' }, { account_id: accounts[1].id, direction: 'credit', amount: '25' }] },
    });
    const evidence = await t.request('GET', `/evidence/transactions/${posting.body.id}`, { token: auditor });
    expect(evidence.status).toBe(200);
    expect(evidence.body).toMatchObject({
      actor: expect.stringMatching(/^key:/),
      scope: { tenant_id: expect.any(String) },
      policy: ['tenant_scope.passed', 'role.passed'],
      intent_id: 'intent-evidence-1',
      ledger_entry: { type: 'ledger.entry.posted', position: posting.body.position, data: expect.objectContaining({ transaction_id: posting.body.id }) },
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      prev_hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      signature: 'verified',
      status: 'audit_ready',
    });
    expect(new Date(evidence.body.timestamp).toISOString()).toBe(evidence.body.timestamp);
    expect(evidence.body.checks).toEqual({ hash_matches_content: true, links_to_previous: true, chain_to_signed_head: true, signed_head_signature: true });
    expect((await t.request('GET', `/evidence/transactions/${posting.body.id}`, { token: service })).status).toBe(403);

    const hold = await t.placeHold(key, { account_id: accounts[0].id, destination_account_id: funding.id, amount: '40', reference: 'order-9' });
    const capture = await t.request('POST', `/holds/${hold.body.id}/capture`, { token: key, body: { amount: '30' } });
    const holdEvidence = await t.request('GET', `/evidence/holds/${hold.body.id}`, { token: auditor });
    expect(holdEvidence.status).toBe(200);
    expect(holdEvidence.body.status).toBe('audit_ready');
    expect(holdEvidence.body.hold).toMatchObject({ id: hold.body.id, status: 'captured', reference: 'order-9' });
    expect(holdEvidence.body.events.map((e: any) => e.ledger_entry.type)).toEqual(['balance.hold.created', 'ledger.entry.posted', 'balance.released']);
    expect(holdEvidence.body.events.every((e: any) => e.signature === 'verified')).toBe(true);
    const captureEvidence = await t.request('GET', `/evidence/transactions/${capture.body.transaction.id}`, { token: auditor });
    expect(captureEvidence.body).toMatchObject({ signature: 'verified', ledger_entry: { data: expect.objectContaining({ hold_id: hold.body.id }) } });

    const reversal = await t.request('POST', `/transactions/${posting.body.id}/reverse`, { token: key, body: { reason: 'audit test' } });
    const reversalEvidence = await t.request('GET', `/evidence/transactions/${reversal.body.id}`, { token: auditor });
    expect(reversalEvidence.body).toMatchObject({ signature: 'verified', status: 'audit_ready', ledger_entry: { data: expect.objectContaining({ reverses: posting.body.id }) } });

    const publicKey = await t.request('GET', '/tenants/me/public-key', { token: auditor });
    expect(publicKey.body).toMatchObject({ algorithm: 'ed25519', public_key: expect.stringContaining('BEGIN PUBLIC KEY') });
  });

  it('detects tampering in the stored log', async () => {
    const { key, tenantId, accounts } = await t.fundedTenant(2, '500');
    const posting = await t.transfer(key, accounts[0].id, accounts[1].id, '50');
    const later = await t.transfer(key, accounts[0].id, accounts[1].id, '5');
    const before = await t.request('GET', `/evidence/transactions/${posting.body.id}`, { token: key });
    expect(before.body.signature).toBe('verified');
    // The log refuses a rewrite; the tamperer here owns the table and disables that first.
    await tamperWithLog(t.db.url, `update events set data = jsonb_set(data, '{description}', '"rewritten"') where global_position = $1`, [posting.body.position]);
    const after = await t.request('GET', `/evidence/transactions/${posting.body.id}`, { token: key });
    expect(after.body).toMatchObject({ signature: 'failed', status: 'verification_failed', checks: { hash_matches_content: false } });
    // Events after it still hash correctly, but the chain walk from the tampered one fails.
    expect(verifyChain(await chainOf(tenantId))).toMatchObject({ ok: false, position: posting.body.position });
    expect(later.status).toBe(201);
  });

  it('exports a signed bundle that verifies offline, and flipping one byte fails at exactly that event', async () => {
    const { key, tenantId, funding, accounts } = await t.fundedTenant(2, '300');
    for (let i = 1; i <= 5; i++) await t.transfer(key, funding.id, accounts[i % 2].id, String(i));
    const exported = await cli(t.db.url, ['export', '--tenant', tenantId]);
    expect(exported.code).toBe(0);
    const lines = exported.stdout.trim().split('\n');
    expect(JSON.parse(lines[0]).kind).toBe('header');
    expect(JSON.parse(lines[lines.length - 1])).toMatchObject({ kind: 'signed_head', tenant_id: tenantId, signature: expect.any(String) });
    expect(lines.filter((l) => JSON.parse(l).kind === 'event')).toHaveLength(3 + 2 + 5);
    const bundle = path.join(dir, 'bundle.jsonl');
    writeFileSync(bundle, exported.stdout);
    const keyFile = path.join(dir, 'public.pem');
    writeFileSync(keyFile, JSON.parse(lines[0]).public_key);
    const ok = await cli(t.db.url, ['verify', bundle, '--public-key', keyFile]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('verified: 10 events');

    // Flip one byte inside the 7th event's data (an amount digit): JSON stays valid, the chain breaks there.
    const target = JSON.parse(lines[7]);
    const flipped = lines[7].replace(/"amount":"(\d)/, (_m, d) => `"amount":"${d === '9' ? '8' : String(Number(d) + 1)}`);
    expect(flipped).not.toBe(lines[7]);
    const tampered = path.join(dir, 'tampered.jsonl');
    writeFileSync(tampered, [...lines.slice(0, 7), flipped, ...lines.slice(8)].join('\n'));
    const broken = await cli(t.db.url, ['verify', tampered, '--public-key', keyFile]);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain(`BROKEN at position ${target.position}, event ${target.id}`);

    // A bundle signed by another tenant's key does not verify.
    const other = await t.createTenant();
    const otherKey = path.join(dir, 'other.pem');
    writeFileSync(otherKey, (await t.request('GET', '/tenants/me/public-key', { token: other.key })).body.public_key);
    expect((await cli(t.db.url, ['verify', bundle, '--public-key', otherKey])).code).toBe(1);
    // The untouched bundle on disk still verifies: the failures above are the key's and the flip's.
    expect(readFileSync(bundle, 'utf8')).toBe(exported.stdout);
  });

  it('traces intents: accepted -> controlled -> ledgered -> synchronized -> evidenced, or where a refusal stopped', async () => {
    const { key, accounts } = await t.fundedTenant(2, '100');
    const ok = await t.request('POST', '/transactions', {
      token: key,
      headers: { 'X-Intent-Id': 'pay-ok-1' },
      body: { entries: [{ account_id: accounts[0].id, direction: 'debit', amount: '10' }, { account_id: accounts[1].id, direction: 'credit', amount: '10' }] },
    });
    expect(ok.status).toBe(201);
    await t.request('GET', `/transactions/${ok.body.id}`, { token: key });
    // `synchronized` is recorded once every projection has been seen past the intent's events.
    const trace = await waitFor('the intent to be synchronized and evidenced', async () => {
      const res = await t.request('GET', '/intents/pay-ok-1', { token: key });
      return res.body.states.some((s: any) => s.state === 'synchronized') && res.body.states.some((s: any) => s.state === 'evidenced') && res;
    });
    expect(trace.status).toBe(200);
    expect(trace.body.states.map((s: any) => s.state)).toEqual(['accepted', 'controlled', 'ledgered', 'synchronized', 'evidenced']);
    expect(trace.body.states[1].policy).toEqual(['tenant_scope.passed', 'role.passed']);
    expect(trace.body.states[2].positions).toEqual([ok.body.position]);
    expect(trace.body.states[4]).toMatchObject({ chain_hash: expect.stringMatching(/^[0-9a-f]{64}$/), signature: expect.any(String) });
    for (const s of trace.body.states) expect(new Date(s.at).toISOString()).toBe(s.at);

    const refused = await t.request('POST', '/transactions', {
      token: key,
      body: { intent_id: 'pay-refused-1', entries: [{ account_id: accounts[0].id, direction: 'debit', amount: '1000' }, { account_id: accounts[1].id, direction: 'credit', amount: '1000' }] },
    });
    expect(refused.status).toBe(422);
    const refusedTrace = await t.request('GET', '/intents/pay-refused-1', { token: key });
    expect(refusedTrace.body.states.map((s: any) => s.state)).toEqual(['accepted', 'controlled', 'refused']);
    expect(refusedTrace.body.states[2]).toMatchObject({ stage: 'decision', code: 'insufficient_funds' });

    const auditor = await t.createKey(key, 'auditor');
    const denied = await t.request('POST', '/transactions', {
      token: auditor,
      headers: { 'X-Intent-Id': 'pay-denied-1' },
      body: { entries: [{ account_id: accounts[0].id, direction: 'debit', amount: '1' }, { account_id: accounts[1].id, direction: 'credit', amount: '1' }] },
    });
    expect(denied.status).toBe(403);
    const deniedTrace = await t.request('GET', '/intents/pay-denied-1', { token: key });
    expect(deniedTrace.body.states).toEqual([expect.objectContaining({ state: 'refused', stage: 'control', code: 'forbidden' })]);
    const audit = await t.request('GET', '/audit-log?outcome=denied', { token: auditor });
    expect(audit.body.data).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'post_transaction', role: 'auditor', outcome: 'denied' })]));

    const invalid = await t.request('POST', '/transactions', { token: key, headers: { 'X-Intent-Id': 'pay-invalid-1' }, body: { entries: [] } });
    expect(invalid.status).toBe(400);
    expect((await t.request('GET', '/intents/pay-invalid-1', { token: key })).body.states).toEqual([expect.objectContaining({ state: 'refused', stage: 'validation' })]);
    expect((await t.request('GET', '/intents/nope', { token: key })).status).toBe(404);
  });
});
