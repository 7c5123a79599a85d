// Over 300 lines on purpose: the cases share one running service (started once per file), which is what keeps the suite fast.
import { ChildProcess, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import path from 'node:path';
import { MasterKey } from '#audit/signing.js';
import { rebuildProjection, verifyProjection } from '#projection-runtime/index.js';
import { verifySignature, WebhookDispatcher, webhookConfig } from '#webhooks/index.js';
import { webhookOutboxProjection } from '#projections/webhook-deliveries/webhook-outbox.projection.js';
import { TestLedger } from './support/ledger.js';
import { sleep, waitFor as waitUntil } from './support/wait.js';

/**
 * Small limits so retries and failures happen in well under a second. Every service this file
 * starts gets them: the configuration is read once, at start (loadConfig), so a test that needs
 * another setting starts a sibling service with it.
 */
const WEBHOOK_ENV = {
  LEDGER_WEBHOOK_ALLOW_PRIVATE: 'true', // the receiver listens on 127.0.0.1
  LEDGER_WEBHOOK_TIMEOUT_MS: '300',
  LEDGER_WEBHOOK_BACKOFF_MS: '50',
  LEDGER_WEBHOOK_MAX_ATTEMPTS: '4',
  LEDGER_WEBHOOK_POLL_MS: '25',
};
/** TestLedger's master key (test/support/ledger.ts): endpoint secrets are sealed with it. */
const MASTER_KEY = 'test-master-key-0123456789';

const waitFor = <T>(what: string, probe: Parameters<typeof waitUntil<T>>[1], timeoutMs = 15_000) => waitUntil(what, probe, timeoutMs, 25);

type Behaviour = 'ok' | 'fail' | 'hang';

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  raw: string;
  body: any;
}

/** A real HTTP receiver on 127.0.0.1: records every request; per path answers 200, 500 or never. */
class Receiver {
  readonly received: Received[] = [];
  private readonly behaviours = new Map<string, (nth: number) => Behaviour>();
  private readonly hanging = new Set<ServerResponse>();
  private readonly open = new Map<string, number>();
  /** Most requests a path ever had open at once. */
  readonly concurrencyMax = new Map<string, number>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<Receiver> {
    let self: Receiver;
    const server = createServer((req, res) => self.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    self = new Receiver(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return self;
  }

  /** `behaviour(nth)` decides the answer to the nth (1-based) request on `path`. */
  on(path: string, behaviour: Behaviour | ((nth: number) => Behaviour)): string {
    this.behaviours.set(path, typeof behaviour === 'string' ? () => behaviour : behaviour);
    return `${this.url}${path}`;
  }

  at(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const path = req.url ?? '/';
      const open = (this.open.get(path) ?? 0) + 1;
      this.open.set(path, open);
      this.concurrencyMax.set(path, Math.max(open, this.concurrencyMax.get(path) ?? 0));
      res.on('close', () => this.open.set(path, (this.open.get(path) ?? 1) - 1));
      this.received.push({ path, headers: req.headers, raw, body: JSON.parse(raw) });
      const behaviour = (this.behaviours.get(path) ?? (() => 'ok'))(this.at(path).length);
      if (behaviour === 'hang') {
        this.hanging.add(res);
        res.on('close', () => this.hanging.delete(res));
        return;
      }
      res.writeHead(behaviour === 'ok' ? 200 : 500, { 'content-type': 'text/plain' }).end(behaviour);
    });
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

async function createEndpoint(t: TestLedger, key: string, url: string, events: string[] = ['*']): Promise<{ id: string; secret: string }> {
  const res = await t.request('POST', '/webhook-endpoints', { token: key, body: { url, events } });
  if (res.status !== 201) throw new Error(`create endpoint: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

async function deliveries(t: TestLedger, key: string, query: string): Promise<any[]> {
  const res = await t.request('GET', `/webhook-deliveries?${query}`, { token: key });
  if (res.status !== 200) throw new Error(`deliveries: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data;
}

function hmac(secret: string, header: string, raw: string): { t: string; v1: string[]; expected: string } {
  const parts = header.split(',');
  const t = parts.find((p) => p.startsWith('t='))!.slice(2);
  const v1 = parts.filter((p) => p.startsWith('v1=')).map((p) => p.slice(3));
  return { t, v1, expected: createHmac('sha256', secret).update(`${t}.${raw}`).digest('hex') };
}

describe('webhooks', () => {
  let t: TestLedger;
  let receiver: Receiver;

  beforeAll(async () => {
    t = await TestLedger.start(WEBHOOK_ENV);
    receiver = await Receiver.start();
  });

  afterAll(async () => {
    await receiver?.close();
    await t?.stop();
  });

  it('signs each delivery: the receiver recomputes the HMAC with the secret; body and headers as documented', async () => {
    const { key, tenantId, funding, accounts } = await t.fundedTenant(1);
    const url = receiver.on('/signed', 'ok');
    const created = await t.request('POST', '/webhook-endpoints', { token: key, body: { url, events: ['ledger.entry.posted'], description: 'books' } });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(String), url, events: ['ledger.entry.posted'], status: 'enabled', description: 'books',
      created_at: expect.any(String), previous_secret_expires_at: null, secret: expect.stringMatching(/^whsec_[A-Za-z0-9_-]{40,}$/),
    });
    const { secret, id: endpointId } = created.body;

    const posted = await t.transfer(key, funding.id, accounts[0].id, '125');
    expect(posted.status).toBe(201);
    await t.openAccount(key, { customer: 'not subscribed' }); // account.created: not this endpoint's type
    const [delivery] = await waitFor('the delivery', () => receiver.at('/signed').length > 0 && receiver.at('/signed'));

    expect(delivery.body).toEqual({ id: expect.any(String), type: 'ledger.entry.posted', created_at: posted.body.posted_at, tenant_id: tenantId, data: expect.objectContaining({ transaction_id: posted.body.id }) });
    expect(Object.keys(delivery.body)).toEqual(['id', 'type', 'created_at', 'tenant_id', 'data']);
    expect(delivery.headers['content-type']).toBe('application/json');
    expect(delivery.headers['zentra-event-id']).toBe(delivery.body.id);
    const header = String(delivery.headers['zentra-signature']);
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    const { t: timestamp, v1, expected } = hmac(secret, header, delivery.raw);
    expect(v1).toEqual([expected]);
    expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(60);
    expect(verifySignature(header, secret, delivery.raw)).toEqual({ valid: true, timestamp: Number(timestamp) });
    expect(verifySignature(header, 'whsec_wrong', delivery.raw).valid).toBe(false);

    await waitFor('delivered', async () => (await deliveries(t, key, `endpoint_id=${endpointId}`))[0]?.status === 'delivered');
    const listed = await deliveries(t, key, `endpoint_id=${endpointId}`);
    expect(listed).toEqual([
      expect.objectContaining({ id: delivery.headers['zentra-delivery-id'], endpoint_id: endpointId, event_id: delivery.body.id, event_type: 'ledger.entry.posted', status: 'delivered', next_attempt_at: null }),
    ]);
    expect(listed[0].attempts).toEqual([{ at: expect.any(String), status_code: 200, duration_ms: expect.any(Number) }]);
    const one = await t.request('GET', `/webhook-deliveries/${listed[0].id}`, { token: key });
    expect(one.body).toMatchObject({ id: listed[0].id, status: 'delivered', payload: delivery.body });
    await sleep(200);
    expect(receiver.at('/signed')).toHaveLength(1);

    // The secret is shown once and rests sealed.
    const got = await t.request('GET', `/webhook-endpoints/${endpointId}`, { token: key });
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ id: endpointId, url, status: 'enabled' });
    expect(got.body.secret).toBeUndefined();
    expect((await t.request('GET', '/webhook-endpoints', { token: key })).body.data.map((e: any) => [e.id, e.secret])).toEqual([[endpointId, undefined]]);
    const [row] = await t.query(`select secret_sealed from webhook_endpoints where id = $1`, [endpointId]);
    expect(row.secret_sealed).not.toContain(secret.slice(6));
    expect(new MasterKey(MASTER_KEY).decrypt(row.secret_sealed)).toBe(secret);
  });

  it('a receiver that times out twice and then answers 200 ends delivered after 3 attempts, all visible', async () => {
    const { key, funding, accounts } = await t.fundedTenant(1);
    const url = receiver.on('/flaky', (nth) => (nth <= 2 ? 'hang' : 'ok'));
    const endpoint = await createEndpoint(t, key, url, ['ledger.entry.posted']);
    await t.transfer(key, funding.id, accounts[0].id, '7');
    const delivery = await waitFor('delivered', async () => {
      const [d] = await deliveries(t, key, `endpoint_id=${endpoint.id}`);
      return d?.status === 'delivered' && d;
    });
    expect(delivery.attempts).toEqual([
      { at: expect.any(String), error: 'timeout after 300 ms', duration_ms: expect.any(Number) },
      { at: expect.any(String), error: 'timeout after 300 ms', duration_ms: expect.any(Number) },
      { at: expect.any(String), status_code: 200, duration_ms: expect.any(Number) },
    ]);
    expect(delivery.attempts[0].duration_ms).toBeGreaterThanOrEqual(290);
    expect(delivery.attempts[0].duration_ms).toBeLessThan(2000);
    const sent = receiver.at('/flaky');
    expect(sent).toHaveLength(3);
    expect(new Set(sent.map((r) => r.raw)).size).toBe(1); // the same bytes each time
    expect(new Set(sent.map((r) => r.headers['zentra-event-id'])).size).toBe(1);
  });

  it('a receiver that always fails: failed after LEDGER_WEBHOOK_MAX_ATTEMPTS; a bulk replay of the failed range delivers once it is back', async () => {
    const { key, funding, accounts } = await t.fundedTenant(1);
    let down = true;
    const url = receiver.on('/down', () => (down ? 'fail' : 'ok'));
    const endpoint = await createEndpoint(t, key, url, ['ledger.entry.posted']);
    const from = new Date(Date.now() - 60_000).toISOString();
    await t.transfer(key, funding.id, accounts[0].id, '9');
    const failed = await waitFor('failed', async () => {
      const [d] = await deliveries(t, key, `endpoint_id=${endpoint.id}&status=failed`);
      return d;
    });
    expect(failed.attempts).toHaveLength(4);
    expect(failed.attempts.map((a: any) => a.status_code)).toEqual([500, 500, 500, 500]);
    expect(failed.next_attempt_at).toBeNull();
    await sleep(300);
    expect(receiver.at('/down')).toHaveLength(4);

    down = false;
    const to = new Date(Date.now() + 60_000).toISOString();
    const operator = await t.createKey(key, 'operator');
    const replayed = await t.request('POST', '/webhook-deliveries/replay', { token: operator, body: { endpoint_id: endpoint.id, from, to } });
    expect(replayed.status).toBe(202);
    expect(replayed.body).toEqual({ replayed: 1 });
    const delivered = await waitFor('delivered after replay', async () => {
      const [d] = await deliveries(t, key, `endpoint_id=${endpoint.id}`);
      return d?.status === 'delivered' && d;
    });
    expect(delivered.attempts.map((a: any) => a.status_code)).toEqual([500, 500, 500, 500, 200]);
    const again = await t.request('POST', '/webhook-deliveries/replay', { token: key, body: { endpoint_id: endpoint.id, from, to } });
    expect(again.body).toEqual({ replayed: 0 }); // only failed deliveries are replayed
    const bad = await t.request('POST', '/webhook-deliveries/replay', { token: key, body: { endpoint_id: endpoint.id, from: to, to: from } });
    expect(bad.status).toBe(400);
  });

  it('replay re-sends the same event id with a fresh signature and leaves the ledger as it was', async () => {
    const { key, funding, accounts } = await t.fundedTenant(2, '500');
    const url = receiver.on('/replay', 'ok');
    const endpoint = await createEndpoint(t, key, url);
    await t.transfer(key, accounts[0].id, accounts[1].id, '40');
    const [delivery] = await waitFor('delivered', async () => {
      const found = await deliveries(t, key, `endpoint_id=${endpoint.id}&status=delivered`);
      return found.length === 1 && found;
    });
    const balances = async () => Promise.all([funding, ...accounts].map(async (a) => (await t.request('GET', `/accounts/${a.id}`, { token: key })).body.balances));
    const before = { balances: await balances(), events: await t.eventCount(), feed: (await t.request('GET', '/events?limit=1000', { token: key })).body.data };

    const res = await t.request('POST', `/webhook-deliveries/${delivery.id}/replay`, { token: key });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ id: delivery.id, status: 'pending' });
    await waitFor('the second delivery', () => receiver.at('/replay').length === 2);
    const [first, second] = receiver.at('/replay');
    expect(second.headers['zentra-event-id']).toBe(first.headers['zentra-event-id']);
    expect(second.headers['zentra-delivery-id']).toBe(delivery.id);
    expect(second.raw).toBe(first.raw);
    const { v1, expected } = hmac(endpoint.secret, String(second.headers['zentra-signature']), second.raw);
    expect(v1).toEqual([expected]);
    const after = await waitFor('delivered again', async () => {
      const d = (await t.request('GET', `/webhook-deliveries/${delivery.id}`, { token: key })).body;
      return d.status === 'delivered' && d;
    });
    expect(after.attempts.map((a: any) => a.status_code)).toEqual([200, 200]);

    expect(await balances()).toEqual(before.balances);
    expect(await t.eventCount()).toBe(before.events);
    expect((await t.request('GET', '/events?limit=1000', { token: key })).body.data).toEqual(before.feed);
  });

  it("another tenant's events never reach an endpoint, and its ids answer 404", async () => {
    const a = await t.fundedTenant(1);
    const b = await t.fundedTenant(1);
    const urlA = receiver.on('/tenant-a', 'ok');
    const urlB = receiver.on('/tenant-b', 'ok');
    const endpointA = await createEndpoint(t, a.key, urlA);
    const endpointB = await createEndpoint(t, b.key, urlB);
    for (let i = 0; i < 3; i++) await t.transfer(b.key, b.funding.id, b.accounts[0].id, '1');
    await t.transfer(a.key, a.funding.id, a.accounts[0].id, '1');
    await waitFor('both tenants delivered', () => receiver.at('/tenant-a').length === 1 && receiver.at('/tenant-b').length === 3);
    await sleep(200);
    expect(receiver.at('/tenant-a').map((r) => r.body.tenant_id)).toEqual([a.tenantId]);
    expect(new Set(receiver.at('/tenant-b').map((r) => r.body.tenant_id))).toEqual(new Set([b.tenantId]));

    const [deliveryA] = await deliveries(t, a.key, '');
    expect(await deliveries(t, b.key, `endpoint_id=${endpointA.id}`)).toEqual([]);
    expect(await deliveries(t, b.key, `event_id=${deliveryA.event_id}`)).toEqual([]);
    for (const [method, path] of [
      ['GET', `/webhook-endpoints/${endpointA.id}`],
      ['DELETE', `/webhook-endpoints/${endpointA.id}`],
      ['POST', `/webhook-endpoints/${endpointA.id}/disable`],
      ['POST', `/webhook-endpoints/${endpointA.id}/rotate-secret`],
      ['GET', `/webhook-deliveries/${deliveryA.id}`],
      ['POST', `/webhook-deliveries/${deliveryA.id}/replay`],
    ]) {
      const res = await t.request(method, path, { token: b.key });
      expect([path, res.status, res.body.error.code]).toEqual([path, 404, 'not_found']);
    }
    const bulk = await t.request('POST', '/webhook-deliveries/replay', { token: b.key, body: { endpoint_id: endpointA.id, from: '2020-01-01T00:00:00Z', to: '2100-01-01T00:00:00Z' } });
    expect(bulk.status).toBe(404);
    expect((await t.request('GET', '/webhook-endpoints', { token: b.key })).body.data.map((e: any) => e.id)).toEqual([endpointB.id]);
    expect((await t.request('GET', `/webhook-endpoints/${endpointA.id}`, { token: a.key })).body.status).toBe('enabled');
  });

  it('roles: admin manages endpoints; admin, operator and auditor read deliveries; admin and operator replay', async () => {
    const { key, funding, accounts } = await t.fundedTenant(1);
    const endpoint = await createEndpoint(t, key, receiver.on('/roles', 'ok'));
    await t.transfer(key, funding.id, accounts[0].id, '3');
    const [delivery] = await waitFor('a delivery', async () => {
      const found = await deliveries(t, key, `endpoint_id=${endpoint.id}`);
      return found.length > 0 && found;
    });
    const keys = Object.fromEntries(await Promise.all(['operator', 'auditor', 'service'].map(async (role) => [role, await t.createKey(key, role)])));
    const status = async (role: string, method: string, path: string, body?: unknown) => (await t.request(method, path, { token: keys[role], body })).status;
    for (const role of ['operator', 'auditor', 'service']) {
      expect(await status(role, 'POST', '/webhook-endpoints', { url: receiver.url, events: ['*'] })).toBe(403);
      expect(await status(role, 'POST', `/webhook-endpoints/${endpoint.id}/rotate-secret`)).toBe(403);
      expect(await status(role, 'DELETE', `/webhook-endpoints/${endpoint.id}`)).toBe(403);
    }
    for (const role of ['operator', 'auditor']) {
      expect(await status(role, 'GET', '/webhook-deliveries')).toBe(200);
      expect(await status(role, 'GET', `/webhook-deliveries/${delivery.id}`)).toBe(200);
    }
    expect(await status('service', 'GET', '/webhook-deliveries')).toBe(403);
    expect(await status('auditor', 'POST', `/webhook-deliveries/${delivery.id}/replay`)).toBe(403);
    expect(await status('operator', 'POST', `/webhook-deliveries/${delivery.id}/replay`)).toBe(202);
    expect((await t.request('GET', '/webhook-deliveries', {})).status).toBe(401);
  });

  it('validates endpoints (http(s) URL, known event types, "*" alone) and delivery filters', async () => {
    const { key } = await t.fundedTenant(0);
    const cases: [unknown, string][] = [
      [{ url: 'ftp://example.com/x', events: ['*'] }, 'url'],
      [{ url: 'not a url', events: ['*'] }, 'url'],
      [{ url: 'https://user:pass@example.com/', events: ['*'] }, 'url'],
      [{ events: ['*'] }, 'url'],
      [{ url: receiver.url, events: [] }, 'events'],
      [{ url: receiver.url, events: ['ledger.entry.exploded'] }, 'events'],
      [{ url: receiver.url, events: ['*', 'ledger.entry.posted'] }, 'events'],
      [{ url: receiver.url, events: 'ledger.entry.posted' }, 'events'],
      [{ url: receiver.url, events: ['*'], description: 42 }, 'description'],
    ];
    for (const [body, field] of cases) {
      const res = await t.request('POST', '/webhook-endpoints', { token: key, body });
      expect([body, res.status, res.body.error.code, Object.keys(res.body.error.details.fields ?? {})]).toEqual([body, 400, 'validation_failed', expect.arrayContaining([field])]);
    }
    const listed = await t.request('POST', '/webhook-endpoints', { token: key, body: { url: receiver.url, events: ['ledger.entry.posted', 'balance.released', 'ledger.entry.posted'] } });
    expect(listed.body.events).toEqual(['ledger.entry.posted', 'balance.released']);
    for (const query of ['status=lost', 'endpoint_id=nope', 'event_id=1', 'limit=0', 'cursor=zzz']) {
      expect((await t.request('GET', `/webhook-deliveries?${query}`, { token: key })).status).toBe(400);
    }
    expect((await t.request('GET', '/webhook-deliveries/not-a-uuid', { token: key })).status).toBe(404);
    expect((await t.request('GET', '/webhook-endpoints/00000000-0000-0000-0000-000000000000', { token: key })).status).toBe(404);
  });

  it('refuses loopback, private and link-local targets when LEDGER_WEBHOOK_ALLOW_PRIVATE is not set', async () => {
    const { key } = await t.fundedTenant(0);
    // Another API on the same database, started without the setting (and without a projector).
    const strict = await t.startSibling({ ...WEBHOOK_ENV, LEDGER_WEBHOOK_ALLOW_PRIVATE: 'false', LEDGER_PROJECTOR: 'off' });
    try {
      for (const url of [receiver.url, 'http://localhost:8080/hook', 'http://10.0.0.8/hook', 'http://192.168.1.1/', 'http://169.254.169.254/latest/meta-data', 'http://[::1]:9000/', 'http://0.0.0.0/']) {
        const res = await strict.request('POST', '/webhook-endpoints', { token: key, body: { url, events: ['*'] } });
        expect([url, res.status, res.body.error.code]).toEqual([url, 400, 'validation_failed']);
        expect(res.body.error.message).toContain('LEDGER_WEBHOOK_ALLOW_PRIVATE');
        expect(res.body.error.details.fields.url).toEqual([expect.stringContaining('private')]);
      }
      // A public literal address needs no DNS and is accepted.
      expect((await strict.request('POST', '/webhook-endpoints', { token: key, body: { url: 'https://93.184.216.34/hook', events: ['*'] } })).status).toBe(201);
    } finally {
      await strict.stop();
    }
  });

  it('rotate-secret: deliveries carry both signatures during the grace period, then only the new one', async () => {
    const { key, funding, accounts } = await t.fundedTenant(1);
    const url = receiver.on('/rotate', 'ok');
    const endpoint = await createEndpoint(t, key, url, ['ledger.entry.posted']);
    const rotated = await t.request('POST', `/webhook-endpoints/${endpoint.id}/rotate-secret`, { token: key });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(endpoint.secret);
    expect(Date.parse(rotated.body.previous_secret_expires_at) - Date.now()).toBeGreaterThan(86_000_000);

    await t.transfer(key, funding.id, accounts[0].id, '1');
    await waitFor('a delivery', () => receiver.at('/rotate').length === 1);
    const during = receiver.at('/rotate')[0];
    const header = String(during.headers['zentra-signature']);
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
    expect(hmac(rotated.body.secret, header, during.raw).v1[0]).toBe(hmac(rotated.body.secret, header, during.raw).expected);
    expect(hmac(endpoint.secret, header, during.raw).v1[1]).toBe(hmac(endpoint.secret, header, during.raw).expected);
    expect(verifySignature(header, endpoint.secret, during.raw).valid).toBe(true);
    expect(verifySignature(header, rotated.body.secret, during.raw).valid).toBe(true);

    // Rotated again through an API on the same database whose grace period is 0.
    const graceless = await t.startSibling({ ...WEBHOOK_ENV, LEDGER_WEBHOOK_SECRET_GRACE_SECONDS: '0', LEDGER_PROJECTOR: 'off' });
    let latest: string;
    try {
      latest = (await graceless.request('POST', `/webhook-endpoints/${endpoint.id}/rotate-secret`, { token: key })).body.secret;
    } finally {
      await graceless.stop();
    }
    await t.transfer(key, funding.id, accounts[0].id, '1');
    await waitFor('the second delivery', () => receiver.at('/rotate').length === 2);
    const after = receiver.at('/rotate')[1];
    const { v1, expected } = hmac(latest, String(after.headers['zentra-signature']), after.raw);
    expect(v1).toEqual([expected]);
    expect(verifySignature(String(after.headers['zentra-signature']), rotated.body.secret, after.raw).valid).toBe(false);
  });

  it('a receiver that never answers holds one request at a time and does not delay other endpoints', async () => {
    const { key, funding, accounts } = await t.fundedTenant(1);
    const slow = await createEndpoint(t, key, receiver.on('/slow', 'hang'), ['ledger.entry.posted']);
    const fast = await createEndpoint(t, key, receiver.on('/fast', 'ok'), ['ledger.entry.posted']);
    const started = Date.now();
    for (let i = 0; i < 5; i++) await t.transfer(key, funding.id, accounts[0].id, '1');
    await waitFor('the fast endpoint served', async () => (await deliveries(t, key, `endpoint_id=${fast.id}&status=delivered`)).length === 5);
    // 5 deliveries x 4 attempts x 300 ms to the slow one would take 6 s; the fast one did not wait for them.
    expect(Date.now() - started).toBeLessThan(3000);
    expect((await deliveries(t, key, `endpoint_id=${slow.id}&status=delivered`)).length).toBe(0);
    expect(receiver.concurrencyMax.get('/slow')).toBe(1);
    expect(receiver.concurrencyMax.get('/fast')).toBe(1);
    for (const attempt of (await deliveries(t, key, `endpoint_id=${slow.id}`)).flatMap((d) => d.attempts)) {
      expect(attempt).toMatchObject({ error: 'timeout after 300 ms' });
      expect(attempt.duration_ms).toBeLessThan(1500);
    }
    await t.request('DELETE', `/webhook-endpoints/${slow.id}`, { token: key });
    await sleep(400); // the attempt in flight ends; its result no longer counts
    expect((await deliveries(t, key, `endpoint_id=${slow.id}`)).every((d) => d.status === 'failed')).toBe(true);
  });

  it('disable stops new deliveries until enable; delete answers status deleted, then 404, and ends outstanding deliveries', async () => {
    const { key, funding, accounts } = await t.fundedTenant(1);
    let up = true;
    const url = receiver.on('/toggle', () => (up ? 'ok' : 'hang'));
    const endpoint = await createEndpoint(t, key, url, ['ledger.entry.posted']);
    const disabled = await t.request('POST', `/webhook-endpoints/${endpoint.id}/disable`, { token: key });
    expect(disabled.body).toMatchObject({ id: endpoint.id, status: 'disabled' });
    await t.transfer(key, funding.id, accounts[0].id, '1');
    expect(await deliveries(t, key, `endpoint_id=${endpoint.id}`)).toEqual([]);
    expect((await t.request('POST', `/webhook-endpoints/${endpoint.id}/enable`, { token: key })).body.status).toBe('enabled');
    const second = await t.transfer(key, funding.id, accounts[0].id, '2');
    await waitFor('delivered', () => receiver.at('/toggle').length === 1);
    expect(receiver.at('/toggle')[0].body.data.transaction_id).toBe(second.body.id);

    // A receiver that stops answering: the delivery is retrying; disabled, it waits; deleted, it ends.
    up = false;
    await t.transfer(key, funding.id, accounts[0].id, '3');
    await waitFor('retrying', async () => (await deliveries(t, key, `endpoint_id=${endpoint.id}&status=retrying`)).length === 1);
    await t.request('POST', `/webhook-endpoints/${endpoint.id}/disable`, { token: key });
    await sleep(500); // an attempt already in flight ends (timeout 300 ms) and is recorded
    const waiting = (await deliveries(t, key, `endpoint_id=${endpoint.id}&status=retrying`))[0];
    expect(waiting.attempts.length).toBeLessThan(4);
    const deleted = await t.request('DELETE', `/webhook-endpoints/${endpoint.id}`, { token: key });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ id: endpoint.id, status: 'deleted' });
    expect((await t.request('GET', `/webhook-endpoints/${endpoint.id}`, { token: key })).status).toBe(404);
    expect((await t.request('DELETE', `/webhook-endpoints/${endpoint.id}`, { token: key })).status).toBe(404);
    const after = await deliveries(t, key, `endpoint_id=${endpoint.id}`);
    expect(after.map((d) => d.status)).toEqual(['delivered', 'failed']);
    expect(after[1].attempts).toEqual(waiting.attempts);
    expect((await t.request('POST', `/webhook-deliveries/${after[1].id}/replay`, { token: key })).status).toBe(404);
    const count = receiver.at('/toggle').length;
    await t.transfer(key, funding.id, accounts[0].id, '4');
    await sleep(300);
    expect(receiver.at('/toggle')).toHaveLength(count);
  });

  it('rebuilding webhook_outbox keeps every delivery with its state: nothing sent again, no history lost', async () => {
    const { key, funding, accounts } = await t.fundedTenant(1);
    const endpoint = await createEndpoint(t, key, receiver.on('/rebuild', 'ok'), ['ledger.entry.posted']);
    for (let i = 0; i < 3; i++) await t.transfer(key, funding.id, accounts[0].id, String(i + 1));
    await waitFor('delivered', async () => (await deliveries(t, key, `endpoint_id=${endpoint.id}&status=delivered`)).length === 3);
    const page = await t.request('GET', `/webhook-deliveries?endpoint_id=${endpoint.id}&limit=2`, { token: key });
    expect(page.body.data).toHaveLength(2);
    const rest = await t.request('GET', `/webhook-deliveries?endpoint_id=${endpoint.id}&limit=2&cursor=${page.body.next_cursor}`, { token: key });
    expect(rest.body).toMatchObject({ data: [expect.anything()], next_cursor: null });
    expect(new Set([...page.body.data, ...rest.body.data].map((d: any) => d.event_id)).size).toBe(3);
    // Every delivery of this file so far, including those of the endpoint deleted above.
    const snapshot = () => t.query(`select * from webhook_deliveries order by id`);
    const before = await snapshot();
    expect(before.some((d) => d.status === 'failed')).toBe(true);

    await rebuildProjection(t.ledger.runtime.pool, t.ledger.runtime.store, webhookOutboxProjection);
    expect(await snapshot()).toEqual(before);
    await sleep(300);
    expect(receiver.at('/rebuild')).toHaveLength(3);
    expect(await verifyProjection(t.ledger.runtime.pool, t.ledger.runtime.store, webhookOutboxProjection)).toMatchObject({ identical: true });

    const next = await t.transfer(key, funding.id, accounts[0].id, '4');
    await waitFor('an event after the swap delivered', () => receiver.at('/rebuild').length === 4);
    expect(receiver.at('/rebuild')[3].body.data.transaction_id).toBe(next.body.id);
  });
});

describe('webhooks: a dispatcher process killed mid-dispatch', () => {
  /** The standalone projector process (apps/projector/src/main.ts): it projects webhook_outbox and dispatches. */
  const PROJECTOR = path.resolve('dist/apps/projector/src/main.js');
  /** A timeout long enough that the requests left hanging are still in flight when the process dies. */
  const CRASH_ENV = { LEDGER_WEBHOOK_TIMEOUT_MS: '2000', LEDGER_WEBHOOK_MAX_ATTEMPTS: '10', LEDGER_WEBHOOK_CONCURRENCY: '16' };

  function startProjectorProcess(t: TestLedger): { child: ChildProcess; output: () => string } {
    let output = '';
    const child = spawn(process.execPath, [PROJECTOR], {
      env: { ...process.env, ...WEBHOOK_ENV, ...CRASH_ENV, DATABASE_URL: t.db.url, LEDGER_MASTER_KEY: MASTER_KEY, LEDGER_PROJECTION_BATCH: '3' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    return { child, output: () => output };
  }

  it('after a restart every event is delivered at least once and no delivery record is duplicated', async () => {
    // No in-process projector or dispatcher: the projector process is the only one, until it dies.
    const t = await TestLedger.start({ ...WEBHOOK_ENV, LEDGER_PROJECTOR: 'off' });
    const receiver = await Receiver.start();
    const children: ChildProcess[] = [];
    let racer: WebhookDispatcher | null = null;
    try {
      const tenant = await t.createTenant();
      const funding = await t.openAccount(tenant.key, { allow_negative: true });
      const wallet = await t.openAccount(tenant.key);
      let answered = 0;
      let killed = false;
      // The first five requests are answered; then the receiver stops answering, and the process dies mid-request.
      const behaviour = (): Behaviour => (killed ? 'ok' : ++answered <= 5 ? 'ok' : 'hang');
      const endpoints = [await createEndpoint(t, tenant.key, receiver.on('/crash-a', behaviour)), await createEndpoint(t, tenant.key, receiver.on('/crash-b', behaviour))];
      for (let i = 0; i < 20; i++) expect((await t.transfer(tenant.key, funding.id, wallet.id, String(i + 1))).status).toBe(201);
      const events = (await t.query(`select event_id as id from events where stream_id = $1 and type = 'ledger.entry.posted'`, [`ledger-${tenant.id}`])).map((r) => r.id);
      expect(events).toHaveLength(20);

      const first = startProjectorProcess(t);
      children.push(first.child);
      await waitFor(`requests left hanging (process said: ${first.output()})`, () => receiver.received.length >= 7, 20_000);
      first.child.kill('SIGKILL');
      await new Promise((resolve) => first.child.once('exit', resolve));
      killed = true;
      const [{ n: deliveredBefore }] = await t.query(`select count(*)::int as n from webhook_deliveries where status = 'delivered'`);
      expect(deliveredBefore).toBeLessThan(40);

      // The process restarts; a second dispatcher races it on the same rows.
      children.push(startProjectorProcess(t).child);
      racer = new WebhookDispatcher(t.ledger.runtime.pool, t.ledger.runtime.masterKey, webhookConfig({ ...WEBHOOK_ENV, ...CRASH_ENV })).start();
      await waitFor('every delivery delivered', async () => {
        const rows = await t.query(`select count(*)::int as n from webhook_deliveries where status = 'delivered'`);
        return rows[0].n === 40;
      }, 30_000);

      const rows = await t.query(`select endpoint_id, event_id, count(*)::int as n from webhook_deliveries group by 1, 2`);
      expect(rows).toHaveLength(40);
      expect(rows.every((r) => r.n === 1)).toBe(true);
      for (const [i, endpoint] of endpoints.entries()) {
        const received = receiver.at(i === 0 ? '/crash-a' : '/crash-b').map((r) => r.body.id);
        expect(new Set(received)).toEqual(new Set(events));
        expect(rows.filter((r) => r.endpoint_id === endpoint.id).map((r) => r.event_id).sort()).toEqual([...events].sort());
      }
      // The requests in flight when the process died were sent again: at least once, not exactly once.
      expect(receiver.received.length).toBeGreaterThan(40);
    } finally {
      for (const child of children) child.kill('SIGKILL');
      await racer?.stop();
      await receiver.close();
      await t.stop();
    }
  });
});
