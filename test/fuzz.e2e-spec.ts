// Over 300 lines on purpose: the cases share one running service (started once per file), which is what keeps the suite fast.
import fc from 'fast-check';
import { Pool } from 'pg';
import { TEST_ADMIN_TOKEN, TestLedger } from './support/ledger.js';
import { waitFor } from './support/wait.js';

/**
 * Property-based fuzz of every route of the running API: "never a 5xx, and a refusal changes
 * nothing" (the API's rule: never a 500 for bad input; a rejected command changes nothing).
 *
 * Routes come from Fastify's own route table (printRoutes), so a route added later is fuzzed
 * without touching this file; the test fails if fewer than ROUTES_MIN are found (a parse that
 * silently found nothing would otherwise pass). Path parameters get ids of this tenant and of
 * another one, uuids, garbage, long strings, any Unicode, raw %-encodings (invalid UTF-8
 * included); queries get the names routes take and random ones, with arbitrary values. Bodies:
 * for a route whose body the OpenAPI document describes (from its DTO, so this too follows new
 * routes), a valid body with one field at an edge value of its kind; for every route, arbitrary
 * JSON (nested at most BODY_DEPTH_MAX levels: deeper bodies are the body parser's business, fixed
 * separately), bodies shaped like the API's commands with arbitrary or nearly valid values, huge
 * and negative numbers, floats, numbers JSON cannot carry (1e400), bad and edge dates, malformed
 * JSON. Requests carry tenant A's admin key, no key, or the platform admin token.
 *
 * Why the ledger check is sound: requests go one at a time and nothing else writes to a tenant's
 * ledger stream during the run (the hold sweep runs hourly, no scheduled reconciliation; the
 * projector and the chain-head signer only read the log). So the stream's revision just before
 * and just after a request is exactly that request's effect: a 2xx to a POST/DELETE/PATCH/PUT may
 * have moved it; anything else — any 4xx, any GET, anything without tenant A's key — must leave
 * it where it was. Tenant B, whose ids are sent but whose key never is, must not change at all.
 *
 * On failure fast-check prints the seed and path; rerun with FUZZ_SEED=<seed> (and FUZZ_PATH=<path>)
 * to replay it. FUZZ_RUNS_PER_ROUTE raises the runs for a longer local session.
 */

/** Fewer routes than this means the route table was not read (there are 46 today). */
const ROUTES_MIN = 40;
/** Requests per route and method (twice that with a described body): the fuzz takes ~20 s alone, ~45 s within npm test, on two shared cores. */
const RUNS_PER_ROUTE = Number(process.env.FUZZ_RUNS_PER_ROUTE ?? 120);
/** An answer slower than this fails the run (a read waits at most LEDGER_READ_WAIT_MS, 5 s). */
const REQUEST_TIMEOUT_MS = 15_000;
/** Nesting of generated bodies (the parser-level depth limit is tested on its own). */
const BODY_DEPTH_MAX = 20;
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
const PATH = process.env.FUZZ_PATH;

interface Route {
  method: string;
  path: string;
}

/**
 * The routes in Fastify's printRoutes({ commonPrefix: false }) tree: one node per line, 4
 * characters of indentation per level, each node's label appended to its parent's, methods in
 * parentheses on nodes that are routes. HEAD (Fastify's automatic twin of GET) is left out.
 */
function routesOf(tree: string): Route[] {
  const prefixes: string[] = [];
  const routes: Route[] = [];
  for (const line of tree.split('\n')) {
    const node = /^((?:│ {3}| {4})*)[├└]── (\S+)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!node) continue;
    const depth = node[1].length / 4;
    const path = (depth > 0 ? prefixes[depth - 1] : '') + node[2];
    prefixes.length = depth;
    prefixes.push(path);
    for (const method of (node[3] ?? '').split(', ')) if (method && method !== 'HEAD') routes.push({ method, path });
  }
  return routes;
}

/** Percent-encodes the UTF-8 bytes of any string (lone surrogates become U+FFFD); never throws. */
function percentEncode(text: string): string {
  return [...Buffer.from(text, 'utf8')].map((byte) => (/[A-Za-z0-9._~-]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
}

/** Numbers JSON can write but JS cannot hold exactly; spliced into the body text after JSON.stringify. */
const RAW_NUMBERS = ['1e400', '-1e400', '123456789012345678901234567890', '9223372036854775808', '18446744073709551616', '1E2', '0.1e1', '-0', '5e-324', '1.0'];
const RAW_NUMBER_MARK = (text: string) => `__raw_number:${text}__`;
const RAW_NUMBER_MARKS = /"__raw_number:([^"]*)__"/g;

const BAD_AND_EDGE_DATES = [
  '0000-01-01', '0000-01-01T00:00:00Z', '2030-W01-1', '2030-W01-1T00:00:00Z', '10000-01-01', '10000-01-01T00:00:00Z', '+010000-01-01T00:00:00Z',
  '-000001-01-01T00:00:00Z', '2030-02-31T00:00:00Z', '2030-01-01T24:00:00Z', '2016-12-31T23:59:60Z', '0001-01-01T00:00:00Z', '0001-01-01T00:00:00+01:00',
  '9999-12-31T23:59:59.999Z', '9999-12-31T23:00:00-01:00', '0001-01-01', '9999-12-31', '2030-01-01T00:00:00Z', '2020-01-01T00:00:00Z', '1970-01-01T00:00:00Z',
  '2099-12-31T23:59:59.999999999+23:59',
];

const QUERY_NAMES = [
  'limit', 'cursor', 'after', 'min_position', 'as_of', 'as_of_position', 'customer', 'status', 'account_id', 'stuck', 'outcome', 'endpoint_id', 'event_id',
  'dry_run', 'metadata.key', 'path_prefix', 'currency', 'posted_after', 'posted_before', 'effective_as_of', 'reference', 'from', 'to',
];
const BODY_FIELDS = [
  'entries', 'transactions', 'account_id', 'destination_account_id', 'direction', 'amount', 'currency', 'customer', 'account_type', 'normal_balance',
  'allow_negative', 'metadata', 'description', 'reference', 'expires_at', 'reason', 'idempotency_key', 'intent_id', 'name', 'role', 'url', 'events',
  'endpoint_id', 'from', 'to', 'format', 'content', 'path', 'effective_at', 'expected_lock_version',
];

interface Ids {
  own: string[];
  other: string[];
  /** This tenant's accounts: a funding account that may go negative, and a wallet. */
  ownAccounts: string[];
  /** This tenant's webhook endpoint. */
  ownEndpoint: string;
}

function arbitraries(ids: Ids) {
  const anyId = fc.constantFrom(...ids.own, ...ids.other);
  const text = fc.oneof(
    { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
    fc.string({ unit: 'grapheme', maxLength: 20 }),
    fc.string({ unit: 'binary', maxLength: 20 }), // any code point, lone surrogates included
    fc.string({ minLength: 200, maxLength: 3000 }),
  );
  const scalarText = fc.oneof(
    { weight: 3, arbitrary: text },
    { weight: 2, arbitrary: anyId },
    fc.uuid(),
    fc.uuid().map((u) => u.toUpperCase()),
    fc.constantFrom(...BAD_AND_EDGE_DATES),
    fc.bigInt({ min: -(2n ** 200n), max: 2n ** 200n }).map(String),
    fc.integer().map(String),
    fc.double().map(String),
    fc.constantFrom('', ' ', 'true', 'false', 'null', '0', '-0', '-1', '1', '1000', '1001', '9223372036854775807', '1e308', 'NaN', 'Infinity', 'USD', 'debit', 'credit', 'admin', '*', 'csv', 'jsonl'),
  );
  const leaf = fc.oneof(
    { weight: 4, arbitrary: scalarText },
    fc.integer(),
    fc.double(), // NaN and ±Infinity become null in JSON
    fc.constantFrom(2 ** 53 + 1, 1e308, -1e308, -1, 0, 1.5, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER),
    fc.constantFrom(...RAW_NUMBERS).map(RAW_NUMBER_MARK),
    fc.boolean(),
    fc.constant(null),
  );
  const key = fc.oneof(fc.constantFrom(...BODY_FIELDS), fc.string({ maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString'));
  const { value } = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof({ maxDepth: 4, depthSize: 'small' }, leaf, fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(key, tie('value'), { maxKeys: 5 })),
  }));
  // A value at the bottom of 1..BODY_DEPTH_MAX arrays or objects.
  const deep = fc.tuple(fc.integer({ min: 1, max: BODY_DEPTH_MAX - 1 }), fc.boolean(), leaf).map(([depth, arrays, bottom]) => {
    let nested: unknown = bottom;
    for (let i = 0; i < depth; i++) nested = arrays ? [nested] : { metadata: nested };
    return nested;
  });
  const amount = fc.oneof(leaf, fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String), fc.integer({ min: -5, max: 2000 }), fc.constantFrom('1', '5', '100'));
  const optional = (record: Record<string, fc.Arbitrary<unknown>>) => fc.record(record, { requiredKeys: [] });
  const entry = optional({ account_id: fc.oneof(anyId, leaf), direction: fc.oneof(fc.constantFrom('debit', 'credit'), leaf), amount, currency: fc.oneof(fc.constant('USD'), leaf) });
  const posting = optional({
    entries: fc.oneof({ weight: 3, arbitrary: fc.array(entry, { maxLength: 4 }) }, value),
    description: leaf,
    reference: leaf,
    metadata: fc.oneof(value, deep),
    idempotency_key: leaf,
    effective_at: fc.constantFrom(...BAD_AND_EDGE_DATES),
  });
  // Shaped like the API's commands, every field optional, every value arbitrary: gets past the
  // first checks into the deeper ones (funds, holds, dates) far more often than random JSON.
  const command = fc.tuple(
    posting,
    optional({
      transactions: fc.oneof(fc.array(posting, { maxLength: 4 }), value),
      account_id: fc.oneof(anyId, leaf),
      destination_account_id: fc.oneof(anyId, leaf),
      endpoint_id: fc.oneof(anyId, leaf),
      amount,
      expires_at: fc.oneof(fc.constantFrom(...BAD_AND_EDGE_DATES), leaf),
      from: fc.oneof(fc.constantFrom(...BAD_AND_EDGE_DATES), leaf),
      to: fc.oneof(fc.constantFrom(...BAD_AND_EDGE_DATES), leaf),
      customer: leaf,
      currency: fc.oneof(fc.constantFrom('USD', 'EUR'), leaf),
      account_type: leaf,
      normal_balance: fc.oneof(fc.constantFrom('debit', 'credit'), leaf),
      allow_negative: leaf,
      reason: leaf,
      name: leaf,
      role: fc.oneof(fc.constantFrom('admin', 'service', 'operator', 'auditor'), leaf),
      url: leaf,
      events: fc.oneof(fc.constant(['*']), value),
      format: fc.oneof(fc.constantFrom('csv', 'jsonl'), leaf),
      content: fc.oneof(text, fc.constant('external_id,amount,currency,direction,date,reference\nx,1,USD,credit,2030-W01-1,r')),
    }),
  ).map(([a, b]) => ({ ...a, ...b }));
  // Nearly valid commands (each field good, now and then arbitrary): these are accepted or
  // refused by the decision itself (funds, balance, currency, hold state), so the ledger moves
  // during the run and the refusals checked include the deepest ones.
  const nearly = <T>(good: fc.Arbitrary<T>) => fc.oneof({ weight: 15, arbitrary: good }, { weight: 1, arbitrary: leaf });
  const account = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...ids.ownAccounts) }, { weight: 1, arbitrary: anyId });
  const goodAmount = fc.oneof(fc.constantFrom('1', '10', '100', '5000', '9223372036854775807'), fc.integer({ min: 1, max: 2000 }));
  const goodEntry = fc.record({ account_id: nearly(account), direction: nearly(fc.constantFrom('debit', 'credit')), amount: nearly(goodAmount) });
  const balanced = fc.tuple(account, account, goodAmount).map(([from, to, amount]) => [
    { account_id: from, direction: 'debit', amount },
    { account_id: to, direction: 'credit', amount },
  ]);
  const entries = fc.oneof({ weight: 3, arbitrary: balanced }, fc.array(goodEntry, { minLength: 1, maxLength: 4 }));
  const goodText = fc.string({ maxLength: 20 });
  const goodPosting = optional({ entries: nearly(entries), description: nearly(goodText), reference: nearly(goodText), idempotency_key: nearly(fc.oneof(fc.uuid(), fc.constantFrom('k1', 'k2'))) });
  const nearlyValid = fc.record({
    entries: nearly(entries),
    transactions: nearly(fc.array(goodPosting, { minLength: 1, maxLength: 3 })),
    account_id: nearly(account),
    destination_account_id: nearly(account),
    endpoint_id: nearly(anyId),
    amount: nearly(goodAmount),
    expires_at: fc.option(nearly(fc.oneof({ weight: 1, arbitrary: fc.constantFrom(...BAD_AND_EDGE_DATES) }, { weight: 3, arbitrary: fc.constant('2099-01-01T00:00:00Z') })), { nil: undefined }),
    from: nearly(fc.constantFrom(...BAD_AND_EDGE_DATES)),
    to: nearly(fc.constantFrom(...BAD_AND_EDGE_DATES)),
    customer: nearly(fc.constantFrom('alice', 'bob')),
    currency: nearly(fc.constantFrom('USD', 'EUR', 'usd')),
    account_type: nearly(fc.constantFrom('customer', 'operating')),
    normal_balance: nearly(fc.constantFrom('debit', 'credit')),
    allow_negative: nearly(fc.boolean()),
    description: nearly(goodText),
    reference: nearly(goodText),
    reason: nearly(goodText),
    metadata: fc.option(nearly(fc.dictionary(goodText, leaf, { maxKeys: 3 })), { nil: undefined }),
    name: nearly(goodText),
    role: nearly(fc.constantFrom('admin', 'service', 'operator', 'auditor')),
    // Loopback (allowed in this test) on a closed port: no DNS lookup, and a delivery fails at once.
    url: nearly(fc.constantFrom('http://127.0.0.1:9/hook', 'http://10.0.0.1/hook', 'ftp://127.0.0.1/')),
    events: nearly(fc.constantFrom(['*'], ['ledger.entry.posted'], [])),
    format: nearly(fc.constantFrom('csv', 'jsonl')),
    content: nearly(fc.constantFrom('external_id,amount,currency,direction,date,reference\nx,1,USD,credit,2030-01-01,r', '{"external_id":"j","amount":"1","currency":"USD","direction":"debit","date":"2030-01-01"}')),
    // Mostly fresh keys; now and then one used before (a replay, or a reuse with another body).
    idempotency_key: fc.option(nearly(fc.oneof({ weight: 4, arbitrary: fc.uuid() }, { weight: 1, arbitrary: fc.constantFrom('k1', 'k2') })), { nil: undefined }),
  }).map((json) => JSON.parse(JSON.stringify(json)) as unknown); // absent optional fields: no key at all
  const body = fc.oneof(
    { weight: 2, arbitrary: fc.constant({ kind: 'none' as const }) },
    { weight: 6, arbitrary: nearlyValid.map((json) => ({ kind: 'json' as const, json })) },
    { weight: 4, arbitrary: command.map((json) => ({ kind: 'json' as const, json })) },
    { weight: 3, arbitrary: value.map((json) => ({ kind: 'json' as const, json })) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 5 }).map((json) => ({ kind: 'json' as const, json })) },
    { weight: 1, arbitrary: deep.map((json) => ({ kind: 'json' as const, json })) },
    { weight: 1, arbitrary: fc.tuple(fc.string({ maxLength: 100 }), fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded')).map(([raw, type]) => ({ kind: 'raw' as const, raw, type })) },
  );
  const rawEncoded = fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 12 }).map((bytes) => bytes.map((b) => `%${b.toString(16).padStart(2, '0')}`).join(''));
  const pathParam = fc.oneof(
    { weight: 5, arbitrary: anyId },
    { weight: 2, arbitrary: scalarText.map(percentEncode) },
    fc.uuid(),
    rawEncoded,
    fc.constantFrom('%', '%zz', '%E0%A4%A', '%C3%28', '%ED%A0%80', '%2F', '%2e%2e', '..', '.', '%00', 'null', '__proto__', 'constructor', 'x'.repeat(101), 'a'.repeat(5000)),
  );
  const queryValue = fc.oneof({ weight: 5, arbitrary: scalarText.map(percentEncode) }, rawEncoded, fc.constant(''));
  const query = fc.array(fc.tuple(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...QUERY_NAMES) }, text), queryValue), { maxLength: 5 });
  const headers: fc.Arbitrary<Record<string, string>> = fc.oneof(
    { weight: 2, arbitrary: fc.constant({}) },
    fc.record(
      {
        'Idempotency-Key': fc.oneof(fc.stringMatching(/^[\x21-\x7e]{0,300}$/), fc.constantFrom('k1', 'k2')),
        'X-Intent-Id': fc.stringMatching(/^[\x21-\x7e]{0,80}$/),
      },
      { requiredKeys: [] },
    ),
  );
  const auth = fc.oneof({ weight: 8, arbitrary: fc.constant('admin' as const) }, { weight: 2, arbitrary: fc.constant('none' as const) }, { weight: 1, arbitrary: fc.constant('platform' as const) });
  return { pathParam, query, body, headers, auth, leaf, value, deep, scalarText, anyId };
}

type Body = { kind: 'none' } | { kind: 'json'; json: unknown } | { kind: 'raw'; raw: string; type: string };
type Schema = { $ref?: string; type?: string; format?: string; enum?: unknown[]; example?: unknown; items?: Schema; properties?: Record<string, Schema> };
type OpenApi = { paths: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: Schema }> } }>>; components: { schemas: Record<string, Schema> } };

/** Dates to put in a date-time field: each kind of bad date once or twice, and the edges that are good. */
const DATE_EDGES = [
  '2030-W01-1', '2030-W01-1T00:00:00Z', '0000-01-01T00:00:00Z', '0000-01-01', '10000-01-01T00:00:00Z', '+010000-01-01T00:00:00Z', '2030-02-31T00:00:00Z',
  '2030-01-01T24:00:00Z', '2016-12-31T23:59:60Z', '2030-01-01T00:00:00+24:00', '0001-01-01T00:00:00+01:00', '9999-12-31T23:00:00-01:00', '2030-01-01',
  '0001-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z', '2099-12-31T23:59:59.999999999+23:59',
];

/**
 * Bodies for a route whose request body the OpenAPI document (built from the DTOs) describes: a
 * valid body with exactly one field replaced by an edge value of its kind (a bad date for a
 * date-time, a bad id for a uuid, huge or negative amounts, ...) or removed. Every other field
 * passes validation, so the one bad value meets the code behind validation too: that is where
 * `2030-W01-1` in expires_at was a 500 (valid to IsISO8601, not to `new Date`).
 */
function schemaBodies(doc: OpenApi, route: Route, ids: Ids, generic: ReturnType<typeof arbitraries>): fc.Arbitrary<Body> | null {
  const operation = doc.paths[route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')]?.[route.method.toLowerCase()];
  const resolve = (schema: Schema | undefined): Schema | undefined => (schema?.$ref ? doc.components.schemas[schema.$ref.split('/').pop()!] : schema);
  const root = resolve(operation?.requestBody?.content?.['application/json']?.schema);
  if (!root?.properties) return null;
  const [funding, wallet] = ids.ownAccounts;
  const balanced = [
    { account_id: funding, direction: 'debit', amount: '1' },
    { account_id: wallet, direction: 'credit', amount: '1' },
  ];
  const validOf = (name: string, schema: Schema): unknown => {
    if (name === 'entries') return balanced;
    if (name === 'url') return 'http://127.0.0.1:9/hook'; // loopback (allowed here) on a closed port: no DNS lookup
    if (name === 'content') return 'external_id,amount,currency,direction,date,reference\nx,1,USD,credit,2030-01-01,r';
    if (name === 'account_id') return wallet;
    if (name === 'destination_account_id') return funding;
    if (name === 'endpoint_id') return ids.ownEndpoint;
    if (name === 'amount') return '1';
    if (schema.format === 'date-time') return name === 'from' ? '2020-01-01T00:00:00Z' : '2099-01-01T00:00:00Z';
    if (schema.enum) return schema.enum[0];
    if (schema.type === 'array') return schema.items?.enum ? [schema.items.enum[0]] : [];
    if (schema.example !== undefined) return schema.example;
    return schema.type === 'boolean' ? false : schema.type === 'number' || schema.type === 'integer' ? 1 : schema.type === 'object' ? {} : 'fuzz';
  };
  const edgeOf = (name: string, schema: Schema): fc.Arbitrary<unknown> => {
    if (schema.format === 'date-time') return fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...DATE_EDGES) }, generic.leaf);
    if (schema.format === 'uuid') return fc.oneof(generic.anyId, generic.scalarText, fc.uuid(), generic.leaf);
    if (name === 'amount') return fc.oneof(fc.constantFrom(...RAW_NUMBERS).map(RAW_NUMBER_MARK), fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String), fc.double(), generic.leaf);
    if (name === 'metadata') return fc.oneof(generic.value, generic.deep);
    return fc.oneof(generic.leaf, generic.value);
  };
  // Every field of the body, and of the first item of an array of objects (entries.0.amount).
  const paths: { path: (string | number)[]; schema: Schema }[] = [];
  const valid: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(root.properties)) {
    if (name !== 'idempotency_key' && name !== 'intent_id') valid[name] = validOf(name, schema);
    paths.push({ path: [name], schema });
    const item = resolve(schema.items);
    for (const [inner, innerSchema] of Object.entries(item?.properties ?? {})) paths.push({ path: [name, 0, inner], schema: innerSchema });
  }
  // Dates weigh more: they were this issue's 500s, and one date field among nine would be drawn rarely.
  return fc
    .oneof(...paths.map((p) => ({ weight: p.schema.format === 'date-time' ? 4 : 1, arbitrary: fc.constant(p) })))
    .chain(({ path, schema }) => fc.tuple(fc.constant(path), fc.option(edgeOf(String(path[path.length - 1]), schema), { nil: undefined, freq: 6 })))
    .map(([path, edge]) => {
      const body = JSON.parse(JSON.stringify(valid)) as Record<string, any>;
      let parent: any = body;
      for (const step of path.slice(0, -1)) parent = parent?.[step];
      if (parent && typeof parent === 'object') {
        if (edge === undefined) delete parent[path[path.length - 1]];
        else parent[path[path.length - 1]] = edge;
      }
      return { kind: 'json', json: body } as Body;
    });
}

describe('fuzz: every route, arbitrary path, query and body', () => {
  let t: TestLedger;
  let pool: Pool;
  let adminKey: string;
  let tenantA: string;
  let tenantB: string;
  let ids: Ids;

  /** Opens accounts, posts, holds, a webhook endpoint with a delivery, a drift run and a statement: ids to aim at. */
  async function seed(key: string): Promise<string[]> {
    const ok = async (method: string, path: string, body?: unknown) => {
      const res = await t.request(method, path, { token: key, body });
      if (res.status >= 300) throw new Error(`seed ${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    };
    const endpoint = await ok('POST', '/webhook-endpoints', { url: 'http://127.0.0.1:9/never', events: ['*'] });
    const funding = await t.openAccount(key, { customer: 'treasury', account_type: 'operating', allow_negative: true });
    const wallet = await t.openAccount(key, { customer: 'alice' });
    // Accounts only paths aim at (the fuzz may freeze or close them), so that bodies keep two active accounts.
    const aimed = await t.openAccount(key, { customer: 'bob' });
    await t.transfer(key, funding.id, aimed.id, '10');
    const posted = await t.transfer(key, funding.id, wallet.id, '1000');
    const hold = await ok('POST', '/holds', { account_id: wallet.id, destination_account_id: funding.id, amount: '100' });
    const run = await ok('POST', '/reconciliation/runs');
    const statement = await ok('POST', '/reconciliation/statements', { account_id: wallet.id, format: 'csv', content: 'external_id,amount,currency,direction,date,reference\nx1,1000,USD,credit,2030-01-01,r' });
    const deliveries = await waitFor('a webhook delivery', async () => (await ok('GET', `/webhook-deliveries?endpoint_id=${endpoint.id}`)).data[0]);
    return [funding.id, wallet.id, posted.body.id, hold.id, endpoint.id, run.id, statement.id, deliveries.id, aimed.id];
  }

  beforeAll(async () => {
    t = await TestLedger.start({
      LEDGER_HOLD_SWEEP_MS: String(3_600_000),
      LEDGER_WEBHOOK_ALLOW_PRIVATE: 'true', // the seeded endpoints point at 127.0.0.1 (a closed port)
      LEDGER_WEBHOOK_MAX_ATTEMPTS: '1',
    });
    pool = new Pool({ connectionString: t.db.url, max: 1 });
    const a = await t.createTenant('fuzzed');
    const b = await t.createTenant('bystander');
    adminKey = a.key;
    tenantA = a.id;
    tenantB = b.id;
    const [funding, wallet, ...aimed] = await seed(a.key);
    // Paths aim at every seeded id but the two accounts bodies use (freezing those would refuse every later body).
    ids = { own: aimed, other: await seed(b.key), ownAccounts: [funding, wallet], ownEndpoint: aimed[2] };
  });
  afterAll(async () => {
    await pool.end();
    await t.stop();
  });

  async function revisions(): Promise<{ a: string; b: string }> {
    const { rows } = await pool.query<{ stream_id: string; revision: string }>(
      `select stream_id, max(stream_revision)::text as revision from events where stream_id = any($1) group by stream_id`,
      [[`ledger-${tenantA}`, `ledger-${tenantB}`]],
    );
    const of = (tenant: string) => rows.find((r) => r.stream_id === `ledger-${tenant}`)?.revision ?? 'none';
    return { a: of(tenantA), b: of(tenantB) };
  }

  it('answers every request below 500, and only a 2xx to a tenant command moves that tenant ledger', async () => {
    const tree = t.ledger.app.getHttpAdapter().getInstance().printRoutes({ commonPrefix: false });
    const routes = routesOf(tree);
    expect(routes.length).toBeGreaterThanOrEqual(ROUTES_MIN);
    expect(routes).toEqual(expect.arrayContaining([{ method: 'POST', path: '/holds' }, { method: 'GET', path: '/accounts/:id/balances' }, { method: 'POST', path: '/webhook-deliveries/:id/replay' }]));

    const doc = (await t.request('GET', '/docs-json')).body as OpenApi;
    const generic = arbitraries(ids);
    const { pathParam, query, headers, auth } = generic;
    const statuses = new Map<number, number>();
    const perRoute: Record<string, Record<number, number>> = {};
    for (const route of routes) {
      const counts = (perRoute[`${route.method} ${route.path}`] = {} as Record<number, number>);
      const names = route.path.match(/:[A-Za-z0-9_]+/g) ?? [];
      const described = schemaBodies(doc, route, ids, generic);
      const body: fc.Arbitrary<Body> = described ? fc.oneof({ weight: 3, arbitrary: described }, { weight: 2, arbitrary: generic.body }) : generic.body;
      const request = fc.record({ params: fc.tuple(...names.map(() => pathParam)), query, body, headers, auth });
      await fc.assert(
        fc.asyncProperty(request, async (r) => {
          let index = 0;
          const path = route.path.replace(/:[A-Za-z0-9_]+/g, () => r.params[index++]);
          const search = r.query.map(([name, value]) => `${percentEncode(name)}=${value}`).join('&');
          const url = `${t.url}${path}${search ? `?${search}` : ''}`;
          const sent: Record<string, string> = { ...r.headers };
          if (r.auth === 'admin') sent.authorization = `Bearer ${adminKey}`;
          if (r.auth === 'platform') sent.authorization = `Bearer ${TEST_ADMIN_TOKEN}`;
          let payload: string | undefined;
          if (route.method !== 'GET' && r.body.kind === 'json') {
            payload = (JSON.stringify(r.body.json) ?? 'null').replace(RAW_NUMBER_MARKS, '$1');
            sent['content-type'] = 'application/json';
          } else if (route.method !== 'GET' && r.body.kind === 'raw') {
            payload = r.body.raw;
            sent['content-type'] = r.body.type;
          }
          const before = await revisions();
          const response = await fetch(url, { method: route.method, headers: sent, body: payload, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
          const answer = await response.text();
          const after = await revisions();
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          counts[response.status] = (counts[response.status] ?? 0) + 1;
          const mayChange = r.auth === 'admin' && route.method !== 'GET' && response.status >= 200 && response.status < 300;
          const seen = { request: `${route.method} ${url.slice(t.url.length, 2000)}`, auth: r.auth, headers: r.headers, body: payload?.slice(0, 2000), status: response.status, answer: answer.slice(0, 2000) };
          if (response.status >= 500) throw new Error(`5xx: ${JSON.stringify(seen)}`);
          if (response.status >= 400 && !/"error":\{"code":"[a-z_]+"/.test(answer)) throw new Error(`not the error envelope: ${JSON.stringify(seen)}`);
          if (after.b !== before.b) throw new Error(`the other tenant's ledger changed (${before.b} -> ${after.b}): ${JSON.stringify(seen)}`);
          if (!mayChange && after.a !== before.a) throw new Error(`a refusal changed the ledger (${before.a} -> ${after.a}): ${JSON.stringify(seen)}`);
        }),
        // Routes with a described body get twice the runs: most of what can go wrong is in bodies.
        { numRuns: described ? 2 * RUNS_PER_ROUTE : RUNS_PER_ROUTE, seed: SEED, path: PATH },
      );
    }
    if (process.env.FUZZ_VERBOSE) console.log(JSON.stringify(perRoute, null, 1));
    // The fuzz got past authentication and validation, not just to their refusals.
    for (const status of [200, 201, 400, 401, 403, 404]) expect({ status, answered: (statuses.get(status) ?? 0) > 0 }).toEqual({ status, answered: true });
  }, 600_000);
});
