import { execFile } from 'node:child_process';
import { createServer, IncomingMessage, Server } from 'node:http';
import { promisify } from 'node:util';
import { AddressInfo } from 'node:net';
import { Zentra, ZentraError } from '@zentra/sdk';
import { TEST_ADMIN_TOKEN, TestLedger } from './support/ledger.js';
import { waitFor } from './support/wait.js';

/** The SDK (libs/sdk, @zentra/sdk) against the real service; its answers are checked against the OpenAPI too (checkedFetch). */

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

/**
 * A proxy in front of the ledger that forwards every request, but swallows the answer of the first
 * `lose` POSTs to `path` and answers 503 instead: the ledger did the work, the client never heard.
 */
async function lossyProxy(target: string, path: string, lose: number) {
  const seen: { method: string; url: string; idempotencyKey: string | undefined }[] = [];
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    seen.push({ method: req.method!, url: req.url!, idempotencyKey: req.headers['idempotency-key'] as string | undefined });
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([name]) => !['host', 'content-length', 'connection'].includes(name))) as Record<string, string>;
    const answer = await fetch(`${target}${req.url}`, { method: req.method, headers, body: body.length ? body : undefined });
    const text = await answer.text();
    if (req.method === 'POST' && req.url === path && lose > 0) {
      lose--;
      res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'unavailable', message: 'lost on the way', details: {} } }));
      return;
    }
    res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' }).end(text);
  });
  return { url: await listen(server), seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('@zentra/sdk against the real service', () => {
  let t: TestLedger;
  let zentra: Zentra;
  let adminKey: string;

  beforeAll(async () => {
    t = await TestLedger.start({ LEDGER_WEBHOOK_ALLOW_PRIVATE: 'true', LEDGER_WEBHOOK_POLL_MS: '25', LEDGER_WEBHOOK_BACKOFF_MS: '50' });
    adminKey = (await t.createTenant('sdk')).key;
    zentra = new Zentra({ apiKey: adminKey, baseUrl: t.url, fetch: t.checkedFetch });
  });
  afterAll(async () => {
    await t.stop();
  });

  async function twoAccounts(client = zentra) {
    const treasury = await client.accounts.create({ customer: 'treasury', currency: 'USD', account_type: 'operating', allow_negative: true });
    const wallet = await client.accounts.create({ customer: 'alice', currency: 'USD', account_type: 'customer', idempotency_key: `wallet-${treasury.id}` });
    return { treasury, wallet };
  }

  it('accounts, transactions (one, a batch, a reversal) and holds; amounts in as bigint, out as strings', async () => {
    const { treasury, wallet } = await twoAccounts();
    expect(wallet).toMatchObject({ customer: 'alice', status: 'active', balances: { posted: '0' } });
    const funded = await zentra.transactions.create({
      entries: [
        { account_id: treasury.id, direction: 'debit', amount: 125_000n },
        { account_id: wallet.id, direction: 'credit', amount: '125000' },
      ],
      description: 'top-up',
    });
    expect(funded.entries.map((e) => e.amount)).toEqual(['125000', '125000']);
    expect(await zentra.transactions.retrieve(funded.id)).toMatchObject({ id: funded.id, status: 'posted' });
    const batch = await zentra.transactions.batch({
      transactions: [1, 2].map((n) => ({ idempotency_key: `batch-${wallet.id}-${n}`, entries: [{ account_id: treasury.id, direction: 'debit' as const, amount: 10n }, { account_id: wallet.id, direction: 'credit' as const, amount: 10n }] })),
    });
    expect(batch.results.map((r) => r.status)).toEqual([201, 201]);
    const reversal = await zentra.transactions.reverse(funded.id, { reason: 'sent twice' });
    expect(reversal.reverses).toBe(funded.id);
    const hold = await zentra.holds.create({ account_id: wallet.id, destination_account_id: treasury.id, amount: 15n, reference: 'order-1' });
    expect(hold).toMatchObject({ status: 'pending', amount: '15' });
    const captured = await zentra.holds.capture(hold.id, { amount: '5' });
    expect(captured.hold).toMatchObject({ status: 'captured', captured_amount: '5', released_amount: '10' });
    const second = await zentra.holds.create({ account_id: wallet.id, destination_account_id: treasury.id, amount: '1' });
    expect(await zentra.holds.release(second.id, { reason: 'no longer needed' })).toMatchObject({ status: 'released' });
    expect(await zentra.holds.retrieve(hold.id)).toMatchObject({ status: 'captured' });
    expect((await zentra.accounts.retrieve(wallet.id)).balances).toMatchObject({ posted: '15', available: '15' });
    expect((await zentra.accounts.balances(wallet.id)).balances.posted).toBe('15');
    expect(await zentra.accounts.freeze(wallet.id)).toMatchObject({ status: 'frozen' });
    expect(await zentra.accounts.unfreeze(wallet.id)).toMatchObject({ status: 'active' });
    const empty = await zentra.accounts.create({ customer: 'bob', currency: 'USD', account_type: 'customer' });
    expect(await zentra.accounts.close(empty.id)).toMatchObject({ status: 'closed' });
  });

  it('iterates every page of every list: accounts, entries, holds, events, audit log, keys, policies', async () => {
    const { treasury, wallet } = await twoAccounts();
    for (let n = 0; n < 5; n++) {
      await zentra.transactions.create({ entries: [{ account_id: treasury.id, direction: 'debit', amount: 1 }, { account_id: wallet.id, direction: 'credit', amount: 1 }] });
      await zentra.holds.create({ account_id: treasury.id, destination_account_id: wallet.id, amount: '1' });
    }
    const entries = await zentra.accounts.entries(wallet.id, { limit: 2 }).toArray();
    expect(entries.map((e) => e.balance_after?.posted)).toEqual(['1', '2', '3', '4', '5']);
    const pages = [];
    for await (const page of zentra.accounts.entries(wallet.id, { limit: 2 }).pages()) pages.push(page.data.length);
    expect(pages).toEqual([2, 2, 1]);
    const accounts = await zentra.accounts.list({ limit: 1 }).toArray();
    expect(new Set(accounts.map((a) => a.id)).size).toBe(accounts.length);
    expect(accounts.map((a) => a.id)).toEqual(expect.arrayContaining([treasury.id, wallet.id]));
    expect((await zentra.holds.list({ account_id: treasury.id, limit: 2 }).toArray()).length).toBe(5);
    const events = await zentra.events.list({ limit: 3 }).toArray();
    expect(events.length).toBeGreaterThan(10);
    expect(events.map((e) => BigInt(e.position))).toEqual([...events.map((e) => BigInt(e.position))].sort((a, b) => (a < b ? -1 : 1)));
    await zentra.apiKeys.create({ role: 'auditor', name: 'a' });
    await zentra.apiKeys.create({ role: 'operator', name: 'o' });
    expect((await zentra.apiKeys.list({ limit: 1 }).toArray()).length).toBeGreaterThanOrEqual(3);
    await zentra.policies.create({ name: 'cap', type: 'amount_limit', params: { currency: 'USD', max_amount: 1_000_000n } });
    await zentra.policies.create({ name: 'usd only', type: 'currency_allowlist', params: { currencies: ['USD'] } });
    expect((await zentra.policies.list({ limit: 1 }).toArray()).map((p) => p.name)).toEqual(expect.arrayContaining(['cap', 'usd only']));
    expect((await zentra.auditLog.list({ limit: 1 }).toArray()).length).toBeGreaterThanOrEqual(2);
  });

  it('policies, evidence, reconciliation and keys through their resources', async () => {
    const { treasury, wallet } = await twoAccounts();
    const posted = await zentra.transactions.create({ entries: [{ account_id: treasury.id, direction: 'debit', amount: '7' }, { account_id: wallet.id, direction: 'credit', amount: '7' }] });
    const policy = await zentra.policies.create({ name: 'watch', type: 'balance_monitor', params: { currency: 'USD', threshold: 100n, when: 'above' } });
    expect(await zentra.policies.retrieve(policy.id)).toMatchObject({ version: 1 });
    expect(await zentra.policies.update(policy.id, { mode: 'observe' })).toMatchObject({ version: 2, mode: 'observe' });
    expect(await zentra.policies.disable(policy.id)).toMatchObject({ status: 'disabled' });
    expect(await zentra.evidence.transaction(posted.id)).toMatchObject({ status: 'audit_ready', signature: 'verified' });
    const hold = await zentra.holds.create({ account_id: wallet.id, destination_account_id: treasury.id, amount: '1' });
    expect(await zentra.evidence.hold(hold.id)).toMatchObject({ status: 'audit_ready' });
    expect((await zentra.evidence.publicKey()).algorithm).toBe('ed25519');
    expect((await zentra.evidence.chainHead()).hash).toMatch(/^[0-9a-f]{64}$/);
    expect((await zentra.reconciliation.trialBalance()).balanced).toBe(true);
    const run = await zentra.reconciliation.runs.create();
    expect(await zentra.reconciliation.runs.retrieve(run.id)).toMatchObject({ id: run.id, status: 'balanced' });
    expect((await zentra.reconciliation.runs.list().toArray()).map((r) => r.id)).toContain(run.id);
    const content = `external_id,amount,currency,direction,date,reference\nx1,7,USD,credit,${new Date().toISOString().slice(0, 10)},r1\n`;
    const statement = await zentra.reconciliation.statements.create({ account_id: wallet.id, format: 'csv', content });
    expect(statement.summary).toMatchObject({ matched: 1 });
    expect(await zentra.reconciliation.statements.retrieve(statement.id!)).toMatchObject({ account_id: wallet.id });
    const key = await zentra.apiKeys.create({ role: 'service', name: 'revoke me' });
    expect((await zentra.apiKeys.revoke(key.id)).revoked_at).not.toBeNull();
    const revoked = new Zentra({ apiKey: key.key, baseUrl: t.url, fetch: t.checkedFetch });
    await waitFor('the revoked key refused', () => revoked.accounts.retrieve(wallet.id).then(() => false, (e: ZentraError) => e.status === 401));
    const platform = new Zentra({ apiKey: TEST_ADMIN_TOKEN, baseUrl: t.url, fetch: t.checkedFetch });
    const tenant = await platform.tenants.create({ name: 'other' });
    expect(await platform.tenants.suspend(tenant.id)).toMatchObject({ status: 'suspended' });
    expect(await platform.tenants.resume(tenant.id)).toMatchObject({ status: 'active' });
  });

  it('throws ZentraError with status, code and details', async () => {
    const { treasury, wallet } = await twoAccounts();
    const refused = await zentra.transactions
      .create({ entries: [{ account_id: wallet.id, direction: 'debit', amount: '1' }, { account_id: treasury.id, direction: 'credit', amount: '1' }] })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ZentraError);
    expect(refused).toMatchObject({ status: 422, code: 'insufficient_funds' });
    const missing = await zentra.accounts.retrieve('00000000-0000-4000-8000-000000000000').catch((e: ZentraError) => e);
    expect(missing).toMatchObject({ status: 404, code: 'not_found' });
    const bad = await zentra.accounts.create({ customer: '', currency: 'usd', account_type: 'x' }).catch((e: ZentraError) => e);
    expect(bad).toMatchObject({ status: 400, code: 'validation_failed', details: { fields: expect.any(Object) } });
  });

  it('retries a 503 whose answer was lost with the same generated idempotency key: one posting, not two', async () => {
    const { treasury, wallet } = await twoAccounts();
    const proxy = await lossyProxy(t.url, '/transactions', 2);
    try {
      const client = new Zentra({ apiKey: adminKey, baseUrl: proxy.url });
      const posted = await client.transactions.create({ entries: [{ account_id: treasury.id, direction: 'debit', amount: '9' }, { account_id: wallet.id, direction: 'credit', amount: '9' }] });
      const attempts = proxy.seen.filter((s) => s.method === 'POST');
      expect(attempts.length).toBe(3);
      expect(new Set(attempts.map((a) => a.idempotencyKey)).size).toBe(1);
      expect(attempts[0].idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
      const entries = await zentra.accounts.entries(wallet.id).toArray();
      expect(entries.map((e) => e.transaction_id)).toEqual([posted.id]);
      expect((await zentra.accounts.retrieve(wallet.id)).balances.posted).toBe('9');
    } finally {
      await proxy.close();
    }
  });

  it('waits out a 429 as its Retry-After says and goes on; a caller key is kept', async () => {
    const limited = await t.startSibling({ LEDGER_RATE_LIMIT_PER_SECOND: '1', LEDGER_PROJECTOR: 'off' });
    try {
      const statuses: number[] = [];
      const counting: typeof fetch = async (input, init) => {
        const response = await limited.checkedFetch(input, init);
        statuses.push(response.status);
        return response;
      };
      const client = new Zentra({ apiKey: adminKey, baseUrl: limited.url, fetch: counting });
      const made = [];
      for (let n = 0; n < 4; n++) made.push(await client.accounts.create({ customer: `rate-${n}`, currency: 'USD', account_type: 'customer', idempotency_key: `rate-${n}-${adminKey.slice(-6)}` }));
      expect(statuses).toContain(429);
      expect(statuses.filter((s) => s === 201).length).toBe(4);
      expect(new Set(made.map((a) => a.id)).size).toBe(4);
    } finally {
      await limited.ledger.shutdown();
    }
  });

  it('gives up after its timeout, and stops at once on an aborted signal', async () => {
    const silent = createServer(() => undefined);
    const url = await listen(silent);
    try {
      const client = new Zentra({ apiKey: adminKey, baseUrl: url, timeoutMs: 100, maxRetries: 1 });
      await expect(client.accounts.retrieve('x')).rejects.toMatchObject({ code: 'timeout', status: 0 });
      const controller = new AbortController();
      const pending = client.accounts.list().toArray();
      controller.abort();
      await expect(new Zentra({ apiKey: adminKey, baseUrl: url }).accounts.retrieve('x', { signal: controller.signal })).rejects.toThrow();
      await expect(pending).rejects.toMatchObject({ code: 'timeout' });
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });

  it('runs examples/quickstart.mjs (the README example) as a process against the service', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['examples/quickstart.mjs'], {
      env: { ...process.env, ZENTRA_URL: t.url, ZENTRA_ADMIN_TOKEN: TEST_ADMIN_TOKEN },
      timeout: 30_000,
    });
    expect(stdout).toContain('hold captured captured 200 released 100');
    expect(stdout).toContain('refused: 422 insufficient_funds');
    expect(stdout).toContain("posted: '124800'");
    expect(stdout).toContain('intent intent_042 open accepted -> controlled -> ledgered -> routed');
    expect(stdout).toMatch(/intent settled transaction [0-9a-f-]{36}/);
  }, 60_000);

  it('verifies a real webhook delivery; a changed body, another secret or a stale time is refused', async () => {
    const received: { raw: Buffer; signature: string }[] = [];
    const receiver = createServer(async (req, res) => {
      received.push({ raw: await readBody(req), signature: String(req.headers['zentra-signature']) });
      res.writeHead(200).end();
    });
    const url = await listen(receiver);
    try {
      const endpoint = await zentra.webhookEndpoints.create({ url, events: ['account.created'] });
      expect(endpoint.secret).toBeTruthy();
      expect((await zentra.webhookEndpoints.list().toArray()).map((e) => e.id)).toContain(endpoint.id);
      const account = await zentra.accounts.create({ customer: 'hooked', currency: 'USD', account_type: 'customer' });
      const delivery = await waitFor('a delivery', () => received.find((r) => r.raw.includes(account.id)));
      const event = zentra.webhooks.verify(delivery.raw, delivery.signature, endpoint.secret!, { toleranceSeconds: 300 }) as { type: string; data: { account_id: string } };
      expect(event).toMatchObject({ type: 'account.created', data: { account_id: account.id } });
      expect(() => zentra.webhooks.verify(delivery.raw.toString().replace('hooked', 'hacked'), delivery.signature, endpoint.secret!)).toThrow(ZentraError);
      expect(() => zentra.webhooks.verify(delivery.raw, delivery.signature, 'whsec_other')).toThrow('does not match');
      expect(() => zentra.webhooks.verify(delivery.raw, delivery.signature, endpoint.secret!, { nowSeconds: Math.floor(Date.now() / 1000) + 301 })).toThrow('more than 300 s');
      const sent = await waitFor('the delivery recorded', async () => (await zentra.webhookDeliveries.list({ endpoint_id: endpoint.id, status: 'delivered' }).toArray())[0]);
      expect(await zentra.webhookDeliveries.retrieve(sent.id)).toMatchObject({ id: sent.id, status: 'delivered' });
      await zentra.webhookDeliveries.replay(sent.id);
      await zentra.webhookDeliveries.replayFailed({ endpoint_id: endpoint.id, from: '2020-01-01T00:00:00Z', to: new Date(Date.now() + 60_000).toISOString() });
      expect(await zentra.webhookEndpoints.disable(endpoint.id)).toMatchObject({ status: 'disabled' });
      expect(await zentra.webhookEndpoints.enable(endpoint.id)).toMatchObject({ status: 'enabled' });
      expect((await zentra.webhookEndpoints.rotateSecret(endpoint.id)).secret).not.toBe(endpoint.secret);
      expect(await zentra.webhookEndpoints.retrieve(endpoint.id)).toMatchObject({ id: endpoint.id });
      expect(await zentra.webhookEndpoints.delete(endpoint.id)).toMatchObject({ status: 'deleted' });
    } finally {
      receiver.close();
    }
  });

  it("runs the seed's intent through zentra.runtime.intents over a route from zentra.routes, and reads queries and rollups", async () => {
    const { key } = await t.createTenant('sdk-runtime');
    const client = new Zentra({ apiKey: key, baseUrl: t.url, fetch: t.checkedFetch });
    const treasury = await client.accounts.create({ customer: 'treasury', currency: 'USD', account_type: 'operating', allow_negative: true, path: 'house:treasury' });
    const customer = await client.accounts.create({ customer: 'customer_ref', currency: 'USD', account_type: 'customer', path: 'customers:c1', metadata: { segment: 'retail' } });
    const settlement = await client.accounts.create({ customer: 'acme', currency: 'USD', account_type: 'settlement', path: 'house:settlement' });
    const merchant = await client.accounts.create({ customer: 'merchant', currency: 'USD', account_type: 'customer', path: 'merchants:m1' });
    await client.transactions.create({ entries: [{ account_id: treasury.id, direction: 'debit', amount: 200_000n }, { account_id: customer.id, direction: 'credit', amount: '200000' }], reference: 'top-up' });

    const route = await client.routes.create({ name: 'ACH primary', currency: 'USD', corridor: 'us-ach', settlement_account_id: settlement.id });
    expect(route).toMatchObject({ status: 'enabled', priority: 100 });
    expect((await client.routes.list().toArray()).map((r) => r.id)).toEqual([route.id]);
    expect((await client.routes.disable(route.id)).status).toBe('disabled');
    expect((await client.routes.enable(route.id)).status).toBe('enabled');

    const intent = await client.runtime.intents.create({
      intent_id: 'intent_042', scope: 'workspace_scope', money_model: 'minor_units + ledger_currency', primitives: ['policy', 'ledger', 'events'],
      amount: 125_000n, currency: 'USD', source_account_id: customer.id, destination_account_id: merchant.id, corridor: 'us-ach',
    });
    expect(intent).toMatchObject({ id: 'intent_042', status: 'open', route: { id: route.id } });
    expect((await client.runtime.intents.retrieve('intent_042')).states.map((s) => s.state).slice(0, 4)).toEqual(['accepted', 'controlled', 'ledgered', 'routed']);
    const settled = await client.runtime.intents.settle('intent_042');
    expect(settled.status).toBe('settled');
    const other = await client.runtime.intents.create({
      intent_id: 'intent_043', scope: 'workspace_scope', money_model: 'minor_units + ledger_currency', primitives: ['ledger'],
      amount: '10', currency: 'USD', source_account_id: customer.id, destination_account_id: merchant.id, corridor: 'us-ach',
    });
    expect((await client.runtime.intents.cancel(other.id, { reason: 'changed mind' })).status).toBe('canceled');
    expect((await client.runtime.intents.list({ status: 'settled' }).toArray()).map((i) => i.id)).toEqual(['intent_042']);
    const noRoute = await client.runtime.intents
      .create({ intent_id: 'intent_044', scope: 's', money_model: 'minor_units + ledger_currency', primitives: ['ledger'], amount: '1', currency: 'USD', source_account_id: customer.id, destination_account_id: merchant.id, corridor: 'nowhere' })
      .catch((error: unknown) => error);
    expect(noRoute).toBeInstanceOf(ZentraError);
    expect(noRoute).toMatchObject({ status: 422, code: 'no_route', details: { stage: 'routed' } });

    // Queries: transactions newest first, metadata filters, dry runs, rollups.
    const listed = await client.transactions.list({ account_id: customer.id }).toArray();
    expect(listed.map((tx) => tx.reference)).toEqual(['intent_042', 'top-up']);
    expect((await client.accounts.list({ 'metadata.segment': 'retail' }).toArray()).map((a) => a.id)).toEqual([customer.id]);
    const dry = await client.transactions.dryRun({ entries: [{ account_id: customer.id, direction: 'debit', amount: '5' }, { account_id: merchant.id, direction: 'credit', amount: '5' }] });
    expect(dry).toMatchObject({ dry_run: true, position: null });
    const house = await client.balances.retrieve({ path_prefix: 'house', currency: 'USD' });
    expect(house).toMatchObject({ accounts: 2, balances: { posted: '-200000' } });
  });
});
