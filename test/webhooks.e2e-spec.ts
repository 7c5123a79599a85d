import { ChildProcess, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Pool } from 'pg';
import { RuntimeModule } from '../apps/api/src/app.module.js';
import { AuthGuard } from '../apps/api/src/http/auth.guard.js';
import { ErrorFilter } from '../apps/api/src/http/error.filter.js';
import { validationPipe } from '../apps/api/src/http/validation.js';
import { LedgerMetrics } from '../apps/api/src/operations/metrics.js';
import { LedgerRuntime } from '../apps/api/src/runtime/ledger-runtime.js';
import { WebhooksModule } from '../apps/api/src/webhooks/webhooks.module.js';
import { MasterKey } from '../libs/audit/src/signing.js';
import { createPool, runMigrations } from '../libs/database/src/index.js';
import { PostgresEventStore } from '../libs/event-store/src/index.js';
import { Projector, rebuildProjection, verifyProjection } from '../libs/projection-runtime/src/index.js';
import { DispatcherConfig, verifySignature, WebhookDispatcher, webhookConfig } from '../libs/webhooks/src/index.js';
import { WebhookReadModel1700000001200 } from '../projections/webhook-deliveries/webhook-deliveries.migration.js';
import { webhookOutboxProjection } from '../projections/webhook-deliveries/webhook-outbox.projection.js';
import { HttpResponse, RequestOptions, TestLedger } from './support/ledger.js';

/** Small limits so retries and failures happen in well under a second. */
const WEBHOOK_ENV = {
  LEDGER_WEBHOOK_ALLOW_PRIVATE: 'true', // the receiver listens on 127.0.0.1
  LEDGER_WEBHOOK_TIMEOUT_MS: '300',
  LEDGER_WEBHOOK_BACKOFF_MS: '50',
  LEDGER_WEBHOOK_MAX_ATTEMPTS: '4',
  LEDGER_WEBHOOK_POLL_MS: '25',
};
/** TestLedger's master key (test/support/ledger.ts): the dispatcher must unseal with it. */
const MASTER_KEY = 'test-master-key-0123456789';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

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

/** The webhooks routes on the ledger's runtime, built the way api-app.ts builds the API. */
@Module({})
class WebhooksApiModule {
  static forRoot(runtime: LedgerRuntime): DynamicModule {
    return {
      module: WebhooksApiModule,
      imports: [RuntimeModule.forRoot(runtime, new LedgerMetrics()), CqrsModule.forRoot(), WebhooksModule],
      providers: [{ provide: APP_GUARD, useClass: AuthGuard }],
    };
  }
}

/**
 * The webhook pieces started beside a TestLedger (until they are wired into the service, see
 * apps/api/src/webhooks/WIRING.md; once they are, these run next to the wired ones on the same
 * database, which the design allows): the migration, the webhook_outbox projection, a
 * dispatcher, and the routes on a second port sharing the ledger's runtime (keys, pool).
 */
class Webhooks {
  private constructor(
    private readonly t: TestLedger,
    private readonly app: NestFastifyApplication,
    readonly url: string,
    readonly pool: Pool,
    readonly store: PostgresEventStore,
    private projector: Projector | null,
    dispatcher: WebhookDispatcher | null,
  ) {
    if (dispatcher) this.dispatchers.push(dispatcher);
  }

  readonly dispatchers: WebhookDispatcher[] = [];

  static async start(t: TestLedger, options: { background: boolean } = { background: true }): Promise<Webhooks> {
    await runMigrations(t.db.url, [WebhookReadModel1700000001200]);
    const app = await NestFactory.create<NestFastifyApplication>(WebhooksApiModule.forRoot(t.ledger.runtime), new FastifyAdapter(), { logger: false });
    app.useGlobalPipes(validationPipe());
    app.useGlobalFilters(new ErrorFilter());
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.getHttpServer().address() as AddressInfo).port;
    const pool = createPool(t.db.url, 10);
    const store = new PostgresEventStore(pool);
    const webhooks = new Webhooks(t, app, `http://127.0.0.1:${port}`, pool, store, null, null);
    if (options.background) {
      webhooks.startProjector();
      webhooks.startDispatcher();
    }
    return webhooks;
  }

  startProjector(): void {
    this.projector = new Projector([webhookOutboxProjection], this.store, this.pool, this.t.db.url).start();
  }

  startDispatcher(overrides: Partial<DispatcherConfig> = {}): WebhookDispatcher {
    const dispatcher = new WebhookDispatcher(this.pool, new MasterKey(MASTER_KEY), { ...webhookConfig(), leaseMarginMs: 1000, ...overrides }).start();
    this.dispatchers.push(dispatcher);
    return dispatcher;
  }

  async request<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<HttpResponse<T>> {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.url}${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null, headers: response.headers };
  }

  async createEndpoint(key: string, url: string, events: string[] = ['*']): Promise<{ id: string; secret: string }> {
    const res = await this.request('POST', '/webhook-endpoints', { token: key, body: { url, events } });
    if (res.status !== 201) throw new Error(`create endpoint: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  async deliveries(key: string, query: string): Promise<any[]> {
    const res = await this.request('GET', `/webhook-deliveries?${query}`, { token: key });
    if (res.status !== 200) throw new Error(`deliveries: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.data;
  }

  async stop(): Promise<void> {
    await Promise.all(this.dispatchers.map((d) => d.stop()));
    await this.projector?.stop();
    await this.app.close();
    await this.store.close();
    await this.pool.end();
  }
}

function hmac(secret: string, header: string, raw: string): { t: string; v1: string[]; expected: string } {
  const parts = header.split(',');
  const t = parts.find((p) => p.startsWith('t='))!.slice(2);
  const v1 = parts.filter((p) => p.startsWith('v1=')).map((p) => p.slice(3));
  return { t, v1, expected: createHmac('sha256', secret).update(`${t}.${raw}`).digest('hex') };
}

const savedEnv: Record<string, string | undefined> = {};
beforeAll(() => {
  for (const [name, value] of Object.entries(WEBHOOK_ENV)) {
    savedEnv[name] = process.env[name];
    process.env[name] = value;
  }
});
afterAll(() => {
  for (const [name, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe('webhooks', () => {
  let t: TestLedger;
  let w: Webhooks;
  let receiver: Receiver;

  beforeAll(async () => {
    t = await TestLedger.start();
    w = await Webhooks.start(t);
    receiver = await Receiver.start();
  });

  afterAll(async () => {
    await receiver?.close();
    await w?.stop();
    await t?.stop();
  });

  it('signs each delivery: the receiver recomputes the HMAC with the secret; body and headers as documented', async () => {
    const { key, tenantId, funding, accounts } = await t.fundedTenant(1);
    const url = receiver.on('/signed', 'ok');
    const created = await w.request('POST', '/webhook-endpoints', { token: key, body: { url, events: ['ledger.entry.posted'], description: 'books' } });
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

    await waitFor('delivered', async () => (await w.deliveries(key, `endpoint_id=${endpointId}`))[0]?.status === 'delivered');
    const listed = await w.deliveries(key, `endpoint_id=${endpointId}`);
    expect(listed).toEqual([
      expect.objectContaining({ id: delivery.headers['zentra-delivery-id'], endpoint_id: endpointId, event_id: delivery.body.id, event_type: 'ledger.entry.posted', status: 'delivered', next_attempt_at: null }),
    ]);
    expect(listed[0].attempts).toEqual([{ at: expect.any(String), status_code: 200, duration_ms: expect.any(Number) }]);
    const one = await w.request('GET', `/webhook-deliveries/${listed[0].id}`, { token: key });
    expect(one.body).toMatchObject({ id: listed[0].id, status: 'delivered', payload: delivery.body });
    await sleep(200);
    expect(receiver.at('/signed')).toHaveLength(1);

    // The secret is shown once and rests sealed.
    const got = await w.request('GET', `/webhook-endpoints/${endpointId}`, { token: key });
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ id: endpointId, url, status: 'enabled' });
    expect(got.body.secret).toBeUndefined();
    expect((await w.request('GET', '/webhook-endpoints', { token: key })).body.data.map((e: any) => [e.id, e.secret])).toEqual([[endpointId, undefined]]);
    const [row] = await t.query(`select secret_sealed from webhook_endpoints where id = $1`, [endpointId]);
    expect(row.secret_sealed).not.toContain(secret.slice(6));
    expect(new MasterKey(MASTER_KEY).decrypt(row.secret_sealed)).toBe(secret);
  });

  it('a receiver that times out twice and then answers 200 ends delivered after 3 attempts, all visible', async () => {
    const { key, funding, accounts } = await t.fundedTenant(1);
    const url = receiver.on('/flaky', (nth) => (nth <= 2 ? 'hang' : 'ok'));
    const endpoint = await w.createEndpoint(key, url, ['ledger.entry.posted']);
    await t.transfer(key, funding.id, accounts[0].id, '7');
    const delivery = await waitFor('delivered', async () => {
      const [d] = await w.deliveries(key, `endpoint_id=${endpoint.id}`);
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
    const endpoint = await w.createEndpoint(key, url, ['ledger.entry.posted']);
    const from = new Date(Date.now() - 60_000).toISOString();
    await t.transfer(key, funding.id, accounts[0].id, '9');
    const failed = await waitFor('failed', async () => {
      const [d] = await w.deliveries(key, `endpoint_id=${endpoint.id}&status=failed`);
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
    const replayed = await w.request('POST', '/webhook-deliveries/replay', { token: operator, body: { endpoint_id: endpoint.id, from, to } });
    expect(replayed.status).toBe(202);
    expect(replayed.body).toEqual({ replayed: 1 });
    const delivered = await waitFor('delivered after replay', async () => {
      const [d] = await w.deliveries(key, `endpoint_id=${endpoint.id}`);
      return d?.status === 'delivered' && d;
    });
    expect(delivered.attempts.map((a: any) => a.status_code)).toEqual([500, 500, 500, 500, 200]);
    const again = await w.request('POST', '/webhook-deliveries/replay', { token: key, body: { endpoint_id: endpoint.id, from, to } });
    expect(again.body).toEqual({ replayed: 0 }); // only failed deliveries are replayed
    const bad = await w.request('POST', '/webhook-deliveries/replay', { token: key, body: { endpoint_id: endpoint.id, from: to, to: from } });
    expect(bad.status).toBe(400);
  });

  it('replay re-sends the same event id with a fresh signature and leaves the ledger as it was', async () => {
    const { key, funding, accounts } = await t.fundedTenant(2, '500');
    const url = receiver.on('/replay', 'ok');
    const endpoint = await w.createEndpoint(key, url);
    await t.transfer(key, accounts[0].id, accounts[1].id, '40');
    const [delivery] = await waitFor('delivered', async () => {
      const found = await w.deliveries(key, `endpoint_id=${endpoint.id}&status=delivered`);
      return found.length === 1 && found;
    });
    const balances = async () => Promise.all([funding, ...accounts].map(async (a) => (await t.request('GET', `/accounts/${a.id}`, { token: key })).body.balances));
    const before = { balances: await balances(), events: await t.eventCount(), feed: (await t.request('GET', '/events?limit=1000', { token: key })).body.data };

    const res = await w.request('POST', `/webhook-deliveries/${delivery.id}/replay`, { token: key });
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
      const d = (await w.request('GET', `/webhook-deliveries/${delivery.id}`, { token: key })).body;
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
    const endpointA = await w.createEndpoint(a.key, urlA);
    const endpointB = await w.createEndpoint(b.key, urlB);
    for (let i = 0; i < 3; i++) await t.transfer(b.key, b.funding.id, b.accounts[0].id, '1');
    await t.transfer(a.key, a.funding.id, a.accounts[0].id, '1');
    await waitFor('both tenants delivered', () => receiver.at('/tenant-a').length === 1 && receiver.at('/tenant-b').length === 3);
    await sleep(200);
    expect(receiver.at('/tenant-a').map((r) => r.body.tenant_id)).toEqual([a.tenantId]);
    expect(new Set(receiver.at('/tenant-b').map((r) => r.body.tenant_id))).toEqual(new Set([b.tenantId]));

    const [deliveryA] = await w.deliveries(a.key, '');
    expect(await w.deliveries(b.key, `endpoint_id=${endpointA.id}`)).toEqual([]);
    expect(await w.deliveries(b.key, `event_id=${deliveryA.event_id}`)).toEqual([]);
    for (const [method, path] of [
      ['GET', `/webhook-endpoints/${endpointA.id}`],
      ['DELETE', `/webhook-endpoints/${endpointA.id}`],
      ['POST', `/webhook-endpoints/${endpointA.id}/disable`],
      ['POST', `/webhook-endpoints/${endpointA.id}/rotate-secret`],
      ['GET', `/webhook-deliveries/${deliveryA.id}`],
      ['POST', `/webhook-deliveries/${deliveryA.id}/replay`],
    ]) {
      const res = await w.request(method, path, { token: b.key });
      expect([path, res.status, res.body.error.code]).toEqual([path, 404, 'not_found']);
    }
    const bulk = await w.request('POST', '/webhook-deliveries/replay', { token: b.key, body: { endpoint_id: endpointA.id, from: '2020-01-01T00:00:00Z', to: '2100-01-01T00:00:00Z' } });
    expect(bulk.status).toBe(404);
    expect((await w.request('GET', '/webhook-endpoints', { token: b.key })).body.data.map((e: any) => e.id)).toEqual([endpointB.id]);
    expect((await w.request('GET', `/webhook-endpoints/${endpointA.id}`, { token: a.key })).body.status).toBe('enabled');
  });

  it('roles: admin manages endpoints; admin, operator and auditor read deliveries; admin and operator replay', async () => {
    const { key, funding, accounts } = await t.fundedTenant(1);
    const endpoint = await w.createEndpoint(key, receiver.on('/roles', 'ok'));
    await t.transfer(key, funding.id, accounts[0].id, '3');
    const [delivery] = await waitFor('a delivery', async () => {
      const found = await w.deliveries(key, `endpoint_id=${endpoint.id}`);
      return found.length > 0 && found;
    });
    const keys = Object.fromEntries(await Promise.all(['operator', 'auditor', 'service'].map(async (role) => [role, await t.createKey(key, role)])));
    const status = async (role: string, method: string, path: string, body?: unknown) => (await w.request(method, path, { token: keys[role], body })).status;
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
    expect((await w.request('GET', '/webhook-deliveries', {})).status).toBe(401);
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
      const res = await w.request('POST', '/webhook-endpoints', { token: key, body });
      expect([body, res.status, res.body.error.code, Object.keys(res.body.error.details.fields ?? {})]).toEqual([body, 400, 'validation_failed', expect.arrayContaining([field])]);
    }
    const listed = await w.request('POST', '/webhook-endpoints', { token: key, body: { url: receiver.url, events: ['ledger.entry.posted', 'balance.released', 'ledger.entry.posted'] } });
    expect(listed.body.events).toEqual(['ledger.entry.posted', 'balance.released']);
    for (const query of ['status=lost', 'endpoint_id=nope', 'event_id=1', 'limit=0', 'cursor=zzz']) {
      expect((await w.request('GET', `/webhook-deliveries?${query}`, { token: key })).status).toBe(400);
    }
    expect((await w.request('GET', '/webhook-deliveries/not-a-uuid', { token: key })).status).toBe(404);
    expect((await w.request('GET', '/webhook-endpoints/00000000-0000-0000-0000-000000000000', { token: key })).status).toBe(404);
  });

  it('refuses loopback, private and link-local targets when LEDGER_WEBHOOK_ALLOW_PRIVATE is not set', async () => {
    const { key } = await t.fundedTenant(0);
    process.env.LEDGER_WEBHOOK_ALLOW_PRIVATE = 'false';
    try {
      for (const url of [receiver.url, 'http://localhost:8080/hook', 'http://10.0.0.8/hook', 'http://192.168.1.1/', 'http://169.254.169.254/latest/meta-data', 'http://[::1]:9000/', 'http://0.0.0.0/']) {
        const res = await w.request('POST', '/webhook-endpoints', { token: key, body: { url, events: ['*'] } });
        expect([url, res.status, res.body.error.code]).toEqual([url, 400, 'validation_failed']);
        expect(res.body.error.message).toContain('LEDGER_WEBHOOK_ALLOW_PRIVATE');
        expect(res.body.error.details.fields.url).toEqual([expect.stringContaining('private')]);
      }
      // A public literal address needs no DNS and is accepted.
      expect((await w.request('POST', '/webhook-endpoints', { token: key, body: { url: 'https://93.184.216.34/hook', events: ['*'] } })).status).toBe(201);
    } finally {
      process.env.LEDGER_WEBHOOK_ALLOW_PRIVATE = 'true';
    }
  });

  it('rotate-secret: deliveries carry both signatures during the grace period, then only the new one', async () => {
    const { key, funding, accounts } = await t.fundedTenant(1);
    const url = receiver.on('/rotate', 'ok');
    const endpoint = await w.createEndpoint(key, url, ['ledger.entry.posted']);
    const rotated = await w.request('POST', `/webhook-endpoints/${endpoint.id}/rotate-secret`, { token: key });
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

    process.env.LEDGER_WEBHOOK_SECRET_GRACE_SECONDS = '0';
    let latest: string;
    try {
      latest = (await w.request('POST', `/webhook-endpoints/${endpoint.id}/rotate-secret`, { token: key })).body.secret;
    } finally {
      delete process.env.LEDGER_WEBHOOK_SECRET_GRACE_SECONDS;
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
    const slow = await w.createEndpoint(key, receiver.on('/slow', 'hang'), ['ledger.entry.posted']);
    const fast = await w.createEndpoint(key, receiver.on('/fast', 'ok'), ['ledger.entry.posted']);
    const started = Date.now();
    for (let i = 0; i < 5; i++) await t.transfer(key, funding.id, accounts[0].id, '1');
    await waitFor('the fast endpoint served', async () => (await w.deliveries(key, `endpoint_id=${fast.id}&status=delivered`)).length === 5);
    // 5 deliveries x 4 attempts x 300 ms to the slow one would take 6 s; the fast one did not wait for them.
    expect(Date.now() - started).toBeLessThan(3000);
    expect((await w.deliveries(key, `endpoint_id=${slow.id}&status=delivered`)).length).toBe(0);
    expect(receiver.concurrencyMax.get('/slow')).toBe(1);
    expect(receiver.concurrencyMax.get('/fast')).toBe(1);
    for (const attempt of (await w.deliveries(key, `endpoint_id=${slow.id}`)).flatMap((d) => d.attempts)) {
      expect(attempt).toMatchObject({ error: 'timeout after 300 ms' });
      expect(attempt.duration_ms).toBeLessThan(1500);
    }
    await w.request('DELETE', `/webhook-endpoints/${slow.id}`, { token: key });
    await sleep(400); // the attempt in flight ends; its result no longer counts
    expect((await w.deliveries(key, `endpoint_id=${slow.id}`)).every((d) => d.status === 'failed')).toBe(true);
  });

  it('disable stops new deliveries until enable; delete answers status deleted, then 404, and ends outstanding deliveries', async () => {
    const { key, funding, accounts } = await t.fundedTenant(1);
    let up = true;
    const url = receiver.on('/toggle', () => (up ? 'ok' : 'hang'));
    const endpoint = await w.createEndpoint(key, url, ['ledger.entry.posted']);
    const disabled = await w.request('POST', `/webhook-endpoints/${endpoint.id}/disable`, { token: key });
    expect(disabled.body).toMatchObject({ id: endpoint.id, status: 'disabled' });
    await t.transfer(key, funding.id, accounts[0].id, '1');
    expect(await w.deliveries(key, `endpoint_id=${endpoint.id}`)).toEqual([]);
    expect((await w.request('POST', `/webhook-endpoints/${endpoint.id}/enable`, { token: key })).body.status).toBe('enabled');
    const second = await t.transfer(key, funding.id, accounts[0].id, '2');
    await waitFor('delivered', () => receiver.at('/toggle').length === 1);
    expect(receiver.at('/toggle')[0].body.data.transaction_id).toBe(second.body.id);

    // A receiver that stops answering: the delivery is retrying; disabled, it waits; deleted, it ends.
    up = false;
    await t.transfer(key, funding.id, accounts[0].id, '3');
    await waitFor('retrying', async () => (await w.deliveries(key, `endpoint_id=${endpoint.id}&status=retrying`)).length === 1);
    await w.request('POST', `/webhook-endpoints/${endpoint.id}/disable`, { token: key });
    await sleep(500); // an attempt already in flight ends (timeout 300 ms) and is recorded
    const waiting = (await w.deliveries(key, `endpoint_id=${endpoint.id}&status=retrying`))[0];
    expect(waiting.attempts.length).toBeLessThan(4);
    const deleted = await w.request('DELETE', `/webhook-endpoints/${endpoint.id}`, { token: key });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ id: endpoint.id, status: 'deleted' });
    expect((await w.request('GET', `/webhook-endpoints/${endpoint.id}`, { token: key })).status).toBe(404);
    expect((await w.request('DELETE', `/webhook-endpoints/${endpoint.id}`, { token: key })).status).toBe(404);
    const after = await w.deliveries(key, `endpoint_id=${endpoint.id}`);
    expect(after.map((d) => d.status)).toEqual(['delivered', 'failed']);
    expect(after[1].attempts).toEqual(waiting.attempts);
    expect((await w.request('POST', `/webhook-deliveries/${after[1].id}/replay`, { token: key })).status).toBe(404);
    const count = receiver.at('/toggle').length;
    await t.transfer(key, funding.id, accounts[0].id, '4');
    await sleep(300);
    expect(receiver.at('/toggle')).toHaveLength(count);
  });

  it('rebuilding webhook_outbox keeps every delivery with its state: nothing sent again, no history lost', async () => {
    const { key, funding, accounts } = await t.fundedTenant(1);
    const endpoint = await w.createEndpoint(key, receiver.on('/rebuild', 'ok'), ['ledger.entry.posted']);
    for (let i = 0; i < 3; i++) await t.transfer(key, funding.id, accounts[0].id, String(i + 1));
    await waitFor('delivered', async () => (await w.deliveries(key, `endpoint_id=${endpoint.id}&status=delivered`)).length === 3);
    const page = await w.request('GET', `/webhook-deliveries?endpoint_id=${endpoint.id}&limit=2`, { token: key });
    expect(page.body.data).toHaveLength(2);
    const rest = await w.request('GET', `/webhook-deliveries?endpoint_id=${endpoint.id}&limit=2&cursor=${page.body.next_cursor}`, { token: key });
    expect(rest.body).toMatchObject({ data: [expect.anything()], next_cursor: null });
    expect(new Set([...page.body.data, ...rest.body.data].map((d: any) => d.event_id)).size).toBe(3);
    // Every delivery of this file so far, including those of the endpoint deleted above.
    const snapshot = () => t.query(`select * from webhook_deliveries order by id`);
    const before = await snapshot();
    expect(before.some((d) => d.status === 'failed')).toBe(true);

    await rebuildProjection(w.pool, w.store, webhookOutboxProjection);
    expect(await snapshot()).toEqual(before);
    await sleep(300);
    expect(receiver.at('/rebuild')).toHaveLength(3);
    expect(await verifyProjection(w.pool, w.store, webhookOutboxProjection)).toMatchObject({ identical: true });

    const next = await t.transfer(key, funding.id, accounts[0].id, '4');
    await waitFor('an event after the swap delivered', () => receiver.at('/rebuild').length === 4);
    expect(receiver.at('/rebuild')[3].body.data.transaction_id).toBe(next.body.id);
  });
});

describe('webhooks: a dispatcher process killed mid-dispatch', () => {
  const CHILD = `
    const root = process.env.ZL_DIST;
    const { createPool } = await import(root + '/libs/database/src/index.js');
    const { PostgresEventStore } = await import(root + '/libs/event-store/src/index.js');
    const { Projector } = await import(root + '/libs/projection-runtime/src/index.js');
    const { MasterKey } = await import(root + '/libs/audit/src/signing.js');
    const { WebhookDispatcher } = await import(root + '/libs/webhooks/src/index.js');
    const { webhookOutboxProjection } = await import(root + '/projections/webhook-deliveries/webhook-outbox.projection.js');
    const pool = createPool(process.env.DATABASE_URL, 10);
    const store = new PostgresEventStore(pool);
    new Projector([webhookOutboxProjection], store, pool, process.env.DATABASE_URL).start();
    new WebhookDispatcher(pool, new MasterKey(process.env.LEDGER_MASTER_KEY), JSON.parse(process.env.ZL_DISPATCHER)).start();
    console.log('dispatching');
    setInterval(() => undefined, 1000);
  `;
  const config: DispatcherConfig = { timeoutMs: 2000, backoffMs: 50, maxAttempts: 10, allowPrivate: true, concurrency: 16, pollIntervalMs: 25, leaseMarginMs: 500 };

  it('after a restart every event is delivered at least once and no delivery record is duplicated', async () => {
    // No in-process projector or dispatcher: the child process is the only one, until it dies.
    const t = await TestLedger.start({ LEDGER_PROJECTOR: 'off' });
    const w = await Webhooks.start(t, { background: false });
    const receiver = await Receiver.start();
    let child: ChildProcess | null = null;
    try {
      const tenant = await t.createTenant();
      const funding = await t.openAccount(tenant.key, { allow_negative: true });
      const wallet = await t.openAccount(tenant.key);
      let answered = 0;
      let killed = false;
      // The first five requests are answered; then the receiver stops answering, and the process dies mid-request.
      const behaviour = (): Behaviour => (killed ? 'ok' : ++answered <= 5 ? 'ok' : 'hang');
      const endpoints = [await w.createEndpoint(tenant.key, receiver.on('/crash-a', behaviour)), await w.createEndpoint(tenant.key, receiver.on('/crash-b', behaviour))];
      for (let i = 0; i < 20; i++) expect((await t.transfer(tenant.key, funding.id, wallet.id, String(i + 1))).status).toBe(201);
      const events = (await t.query(`select event_id as id from events where stream_id = $1 and type = 'ledger.entry.posted'`, [`ledger-${tenant.id}`])).map((r) => r.id);
      expect(events).toHaveLength(20);

      let output = '';
      child = spawn(process.execPath, ['--input-type=module', '-e', CHILD], {
        env: { ...process.env, DATABASE_URL: t.db.url, LEDGER_MASTER_KEY: MASTER_KEY, LEDGER_PROJECTION_BATCH: '3', ZL_DIST: pathToFileURL(path.resolve('dist')).href, ZL_DISPATCHER: JSON.stringify(config) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout!.on('data', (chunk) => (output += chunk));
      child.stderr!.on('data', (chunk) => (output += chunk));
      await waitFor(`requests left hanging (child said: ${output})`, () => receiver.received.length >= 7, 20_000);
      child.kill('SIGKILL');
      await new Promise((resolve) => child!.once('exit', resolve));
      killed = true;
      const [{ n: deliveredBefore }] = await t.query(`select count(*)::int as n from webhook_deliveries where status = 'delivered'`);
      expect(deliveredBefore).toBeLessThan(40);

      w.startProjector();
      w.startDispatcher(config);
      w.startDispatcher(config); // two dispatchers racing on the same rows
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
      child?.kill('SIGKILL');
      await receiver.close();
      await w.stop();
      await t.stop();
    }
  });
});
