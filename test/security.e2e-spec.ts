import { ROLES } from '#tenancy/index.js';
import { TestLedger, TEST_ADMIN_TOKEN } from './support/ledger.js';
import { RouteEntry, routeTable } from './support/routes.js';
import { waitFor } from './support/wait.js';

/**
 * Tenant × role × every route, generated from the running API's route table: each route is
 * called by every caller (no key, the platform admin, each tenant role) with the caller's own
 * resources, and by a tenant admin with another tenant's resources. The expected status comes
 * from the role rules each route declares; nothing here lists the routes by hand.
 */

type Caller = 'none' | 'platform_admin' | (typeof ROLES)[number];
const CALLERS: Caller[] = ['none', 'platform_admin', ...ROLES];

/** The ids a tenant owns, one of each kind a route can name. */
interface Fixture {
  tenant: string;
  tenantKey: string;
  spareTenant: string;
  account: string;
  hold: string;
  transaction: string;
  endpoint: string;
  delivery: string;
  run: string;
  statement: string;
  intent: string;
  key: string;
  policy: string;
  route: string;
}

/** The id a route's `:id` names, by the route's path. A route of a new kind fails here until it has a fixture. */
function idFor(path: string, f: Fixture): string {
  const kinds: [string, keyof Fixture][] = [
    ['/accounts/', 'account'],
    ['/holds/', 'hold'],
    ['/transactions/', 'transaction'],
    ['/webhook-endpoints/', 'endpoint'],
    ['/webhook-deliveries/', 'delivery'],
    ['/reconciliation/runs/', 'run'],
    ['/reconciliation/statements/', 'statement'],
    ['/evidence/transactions/', 'transaction'],
    ['/evidence/holds/', 'hold'],
    ['/intents/', 'intent'],
    ['/api-keys/', 'key'],
    ['/policies/', 'policy'],
    ['/routes/', 'route'],
    ['/tenants/', 'spareTenant'],
  ];
  const kind = kinds.find(([prefix]) => path.startsWith(prefix));
  if (!kind) throw new Error(`no fixture names the :id of ${path}: add one`);
  return f[kind[1]];
}

function urlOf(route: RouteEntry, f: Fixture): string {
  return route.path.replace(/:[a-z_]+/g, () => encodeURIComponent(idFor(route.path, f)));
}

/** What the role rules say a caller gets from a route before anything else is looked at. */
function expectedAccess(route: RouteEntry, caller: Caller): 'public' | 401 | 403 | 'allowed' {
  const access = route.access;
  if (access?.kind === 'public') return 'public';
  if (caller === 'none') return 401;
  if (access === undefined) return 403;
  if (access.kind === 'platform_admin') return caller === 'platform_admin' ? 'allowed' : 403;
  if (caller === 'platform_admin') return 403;
  return access.roles.includes(caller) ? 'allowed' : 403;
}

describe('security: every route × every caller × own and other tenant', () => {
  let t: TestLedger;
  let routes: RouteEntry[];
  let own: Fixture;
  let other: Fixture;
  const tokens = new Map<Caller, string | undefined>();

  async function fixture(name: string): Promise<Fixture> {
    const tenant = await t.createTenant(name);
    const spareTenant = await t.createTenant(`${name}-spare`);
    const key = tenant.key;
    const ok = async (res: Promise<any>, what: string) => {
      const r = await res;
      if (r.status >= 300) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body;
    };
    const endpoint = await ok(t.request('POST', '/webhook-endpoints', { token: key, body: { url: 'http://127.0.0.1:9/hook', events: ['*'] } }), 'endpoint');
    const funding = await t.openAccount(key, { allow_negative: true });
    const account = await t.openAccount(key);
    const intent = `intent-${name}`;
    const transaction = await ok(t.transfer(key, funding.id, account.id, '100', { 'X-Intent-Id': intent }), 'transfer');
    const hold = await ok(t.placeHold(key, { account_id: account.id, destination_account_id: funding.id, amount: '10' }), 'hold');
    const run = await ok(t.request('POST', '/reconciliation/runs', { token: key }), 'run');
    const statement = await ok(
      t.request('POST', '/reconciliation/statements', {
        token: key,
        body: { account_id: account.id, format: 'csv', content: 'external_id,amount,currency,direction,date,reference\nx1,100,USD,credit,2026-01-02,r1\n' },
      }),
      'statement',
    );
    const delivery = await waitFor('a webhook delivery', async () => (await t.request('GET', '/webhook-deliveries', { token: key })).body.data?.[0]?.id);
    const spareKey = (await t.request('POST', '/api-keys', { token: key, body: { role: 'service', name: 'spare' } })).body.id;
    // In a currency nothing here uses: it judges no posting of the fixture or of the routes' calls.
    const policy = await ok(t.request('POST', '/policies', { token: key, body: { name: 'fixture', type: 'amount_limit', params: { currency: 'EUR', max_amount: '1000' } } }), 'policy');
    const settlement = await t.openAccount(key, { customer: 'settlement', account_type: 'settlement' });
    const route = await ok(t.request('POST', '/routes', { token: key, body: { name: 'fixture', currency: 'USD', corridor: 'fixture', settlement_account_id: settlement.id } }), 'route');
    return {
      tenant: tenant.id,
      tenantKey: key,
      spareTenant: spareTenant.id,
      account: account.id,
      hold: hold.id,
      transaction: transaction.id,
      endpoint: endpoint.id,
      delivery,
      run: run.id,
      statement: statement.id,
      intent,
      key: spareKey,
      policy: policy.id,
      route: route.id,
    };
  }

  const ledgerEvents = async (tenantId: string) =>
    (await t.query(`select count(*)::int as n from events where stream_id = $1`, [`ledger-${tenantId}`]))[0].n as number;

  const call = (route: RouteEntry, caller: Caller, f: Fixture) =>
    t.request(route.method, urlOf(route, f), { token: tokens.get(caller), body: route.method === 'GET' || route.method === 'DELETE' ? undefined : {} });

  beforeAll(async () => {
    t = await TestLedger.start({ LEDGER_WEBHOOK_ALLOW_PRIVATE: 'true' }); // the endpoints point at 127.0.0.1
    routes = routeTable(t.ledger.app);
    own = await fixture('own');
    other = await fixture('other');
    tokens.set('none', undefined);
    tokens.set('platform_admin', TEST_ADMIN_TOKEN);
    for (const role of ROLES) tokens.set(role, role === 'admin' ? own.tenantKey : await t.createKey(own.tenantKey, role));
  }, 120_000);

  afterAll(async () => {
    await t?.stop();
  });

  it('finds every route, and each one declares who may call it', () => {
    expect(routes.length).toBeGreaterThanOrEqual(45);
    expect(routes.filter((r) => r.access === undefined)).toEqual([]);
    // Admin may do everything in its tenant: every tenant route lets it in.
    expect(routes.filter((r) => r.access?.kind === 'roles' && !r.access.roles.includes('admin'))).toEqual([]);
  });

  it('refuses every caller the rules do not let in, before anything changes', async () => {
    const before = [await ledgerEvents(own.tenant), await ledgerEvents(other.tenant)];
    const wrong: string[] = [];
    for (const route of routes) {
      for (const caller of CALLERS) {
        const expected = expectedAccess(route, caller);
        if (expected !== 401 && expected !== 403) continue;
        const res = await call(route, caller, own);
        if (res.status !== expected) wrong.push(`${route.method} ${route.path} as ${caller}: ${res.status} (expected ${expected})`);
      }
    }
    expect(wrong).toEqual([]);
    expect([await ledgerEvents(own.tenant), await ledgerEvents(other.tenant)]).toEqual(before);
  });

  it('lets in every caller the rules allow, and never answers 5xx', async () => {
    const wrong: string[] = [];
    for (const route of routes) {
      for (const caller of CALLERS) {
        const expected = expectedAccess(route, caller);
        if (expected !== 'allowed' && expected !== 'public') continue;
        const res = await call(route, caller, own);
        if (res.status === 401 || res.status === 403 || res.status >= 500) wrong.push(`${route.method} ${route.path} as ${caller}: ${res.status} ${JSON.stringify(res.body?.error ?? '')}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("answers another tenant's resources exactly like missing ones, changes nothing of theirs, and audits each attempt", async () => {
    const before = await ledgerEvents(other.tenant);
    const deniedCount = async () => (await t.request('GET', '/audit-log?outcome=denied&limit=1000', { token: own.tenantKey })).body.data.length;
    const tenantRoutes = routes.filter((r) => r.access?.kind === 'roles' && r.path.includes(':'));
    const wrong: string[] = [];
    for (const route of tenantRoutes) {
      const denied = await deniedCount();
      const res = await t.request(route.method, urlOf(route, other), { token: own.tenantKey, body: route.method === 'GET' || route.method === 'DELETE' ? undefined : {} });
      if (res.status !== 404 || res.body?.error?.code !== 'not_found') wrong.push(`${route.method} ${route.path}: ${res.status} ${JSON.stringify(res.body)}`);
      const page = (await t.request('GET', '/audit-log?outcome=denied&limit=1000', { token: own.tenantKey })).body.data;
      const recorded = page.slice(denied);
      const id = idFor(route.path, other);
      // An intent id is the client's own name, scoped to its tenant (two tenants may both have
      // "intent_042"): asking for a name this tenant never used is a miss, not an attempt on another's.
      if (route.path.startsWith('/intents/')) {
        if (recorded.length !== 0) wrong.push(`${route.method} ${route.path}: a miss audited as ${JSON.stringify(recorded)}`);
        continue;
      }
      if (recorded.length !== 1 || recorded[0].reason !== 'cross_tenant' || !String(recorded[0].resource).endsWith(`:${id}`)) {
        wrong.push(`${route.method} ${route.path}: audited as ${JSON.stringify(recorded)}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(await ledgerEvents(other.tenant)).toBe(before);
  });
});
