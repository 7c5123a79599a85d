import { loadConfig } from '#database/index.js';
import { startLedger, RunningLedger } from '#api/bootstrap.js';
import type { ProcessClock } from '#api/runtime/clock-skew.js';
import { createLogger } from '#telemetry/index.js';
import { createTestDatabase, TestDatabase } from './database.js';
import { LogSink } from './log-sink.js';
import { OpenApiCheck, reportChecked } from './openapi-check.js';

export const TEST_ADMIN_TOKEN = 'test-platform-admin-token';
export const TEST_MASTER_KEY = 'test-master-key-0123456789';

export interface HttpResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
  /** Sent as-is (for malformed JSON tests). */
  rawBody?: string;
  headers?: Record<string, string>;
  /** A fault forced on purpose (a 500): the answer is off the document by design, so it is not checked against it. */
  unchecked?: boolean;
}

/** The served OpenAPI document, read once per test file: every response of request() is checked against it. */
let openApi: Promise<OpenApiCheck> | null = null;

/** A real service (HTTP API + in-process projector) on a fresh database of the run's PostgreSQL. */
export class TestLedger {
  private constructor(
    readonly ledger: RunningLedger,
    readonly db: TestDatabase,
    /** The service's log (debug level, JSON lines), checked for secrets line by line; stop() fails on one. */
    readonly log: LogSink,
    private readonly openApi: OpenApiCheck,
  ) {}

  static async start(
    env: Record<string, string> = {},
    shared?: TestDatabase,
    selectLog?: Parameters<typeof startLedger>[2],
    clock?: ProcessClock,
    projections?: Parameters<typeof startLedger>[4],
  ): Promise<TestLedger> {
    const db = shared ?? (await createTestDatabase());
    const config = loadConfig({
      DATABASE_URL: db.url,
      LEDGER_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      PORT: '0',
      HOST: '127.0.0.1',
      // Everything is logged, into memory: every line of every e2e test is checked for secrets.
      LEDGER_LOG: 'debug',
      LEDGER_LOG_FORMAT: 'json',
      LEDGER_RECONCILE_INTERVAL_MINUTES: '0',
      LEDGER_MASTER_KEY: TEST_MASTER_KEY,
      // Load-shaped tests send thousands of requests a second with one key; the limit itself is
      // tested where it is set (test/edge.e2e-spec.ts).
      LEDGER_RATE_LIMIT_PER_SECOND: '0',
      // The UI's static assets cannot be loaded under jest's ESM loader (see api-app.ts).
      LEDGER_DOCS_UI: 'off',
      ...env,
    });
    const log = new LogSink([TEST_ADMIN_TOKEN, config.masterKey, config.adminToken ?? '']);
    const ledger = await startLedger(config, () => undefined, selectLog, clock, projections, createLogger(config, 'api', log));
    openApi ??= fetch(`${ledger.url}/docs-json`).then(async (res) => new OpenApiCheck((await res.json()) as ConstructorParameters<typeof OpenApiCheck>[0]));
    return new TestLedger(ledger, db, log, await openApi);
  }

  get url(): string {
    return this.ledger.url;
  }

  /** A second service process-alike on the same database (another API instance). */
  startSibling(env: Record<string, string> = {}, clock?: ProcessClock): Promise<TestLedger> {
    return TestLedger.start(env, { ...this.db, drop: async () => undefined }, undefined, clock);
  }

  async stop(): Promise<void> {
    reportChecked();
    await this.ledger.shutdown();
    await this.db.drop();
    this.log.assertNoSecrets();
  }

  async query<T = any>(sql: string, params: unknown[] = []): Promise<T[]> {
    const { Pool } = await import('pg');
    const pool = new Pool({ connectionString: this.db.url, max: 1 });
    try {
      return (await pool.query(sql, params)).rows;
    } finally {
      await pool.end();
    }
  }

  async request<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<HttpResponse<T>> {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined;
    if (options.rawBody !== undefined) body = options.rawBody;
    else if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.url}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: any = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON (metrics, docs) */
    }
    // A response off the served OpenAPI document fails the test that received it.
    if (!options.unchecked) this.openApi.check({ method, path, status: response.status, body: parsed, contentType: response.headers.get('content-type') });
    return { status: response.status, body: parsed, headers: response.headers };
  }

  /**
   * A fetch for clients under test (the SDK): the real request, with its response checked against
   * the served OpenAPI document like request()'s.
   */
  readonly checkedFetch: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    const text = await response.clone().text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON */
    }
    const url = new URL(String(input instanceof Request ? input.url : input));
    this.openApi.check({ method: init?.method ?? 'GET', path: url.pathname, status: response.status, body: parsed, contentType: response.headers.get('content-type') });
    return response;
  };

  async createTenant(name = 'acme'): Promise<{ id: string; key: string }> {
    const res = await this.request('POST', '/tenants', { token: TEST_ADMIN_TOKEN, body: { name } });
    if (res.status !== 201) throw new Error(`create tenant: ${res.status} ${JSON.stringify(res.body)}`);
    return { id: res.body.id, key: res.body.api_key.key };
  }

  async createKey(adminKey: string, role: string): Promise<string> {
    const res = await this.request('POST', '/api-keys', { token: adminKey, body: { role, name: role } });
    if (res.status !== 201) throw new Error(`create key: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.key;
  }

  async openAccount(key: string, body: Record<string, unknown> = {}): Promise<any> {
    const res = await this.request('POST', '/accounts', {
      token: key,
      body: { customer: 'cust', currency: 'USD', account_type: 'customer', ...body },
    });
    if (res.status !== 201) throw new Error(`open account: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  /** Moves `amount` from `from` (debit) to `to` (credit). */
  transfer(key: string, from: string, to: string, amount: string, headers: Record<string, string> = {}): Promise<HttpResponse> {
    return this.request('POST', '/transactions', {
      token: key,
      headers,
      body: {
        entries: [
          { account_id: from, direction: 'debit', amount },
          { account_id: to, direction: 'credit', amount },
        ],
      },
    });
  }

  /** A tenant with a funding account (may go negative) and `count` customer accounts. */
  async fundedTenant(count = 2, funds = '0'): Promise<{ key: string; tenantId: string; funding: any; accounts: any[] }> {
    const tenant = await this.createTenant();
    const funding = await this.openAccount(tenant.key, { customer: 'treasury', account_type: 'operating', allow_negative: true });
    const accounts = [];
    for (let i = 0; i < count; i++) {
      const account = await this.openAccount(tenant.key, { customer: `customer-${i}` });
      if (funds !== '0') {
        const res = await this.transfer(tenant.key, funding.id, account.id, funds);
        if (res.status !== 201) throw new Error(`fund: ${res.status} ${JSON.stringify(res.body)}`);
      }
      accounts.push(account);
    }
    return { key: tenant.key, tenantId: tenant.id, funding, accounts };
  }

  async eventCount(): Promise<number> {
    const rows = await this.query(`select count(*)::int as n from events where stream_id like 'ledger-%'`);
    return rows[0].n;
  }

  placeHold(key: string, body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<HttpResponse> {
    return this.request('POST', '/holds', { token: key, body, headers });
  }
}
