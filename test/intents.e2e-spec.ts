import { HttpResponse, TestLedger } from './support/ledger.js';
import { cli } from './support/process.js';
import { waitFor } from './support/wait.js';

/**
 * The runtime through the API (API.md "Intents and routes"): routes, then intents driven through
 * accepted -> controlled -> ledgered -> routed -> synchronized -> evidenced, settled, canceled or
 * expired; every refusal at its stage; idempotency on the intent id (across a cold writer too);
 * settle, cancel and expiry racing; replay agreeing with the intents read model.
 */

const MONEY_MODEL = 'minor_units + ledger_currency';
const inMs = (ms: number) => new Date(Date.now() + ms).toISOString();

describe('intents and routes over HTTP', () => {
  let t: TestLedger;
  beforeAll(async () => {
    t = await TestLedger.start();
  });
  afterAll(async () => {
    await t.stop();
  });

  /** The seed's ledger flow: a customer holding `funds`, a settlement account, a merchant, and a route for USD through us-ach. */
  async function runtimeTenant(funds = '200000') {
    const { key, tenantId, funding, accounts } = await t.fundedTenant(1, funds);
    const customer = accounts[0];
    const settlement = await t.openAccount(key, { customer: 'acme', account_type: 'settlement' });
    const merchant = await t.openAccount(key, { customer: 'merchant' });
    const route = await t.request('POST', '/routes', { token: key, body: { name: 'ACH primary', currency: 'USD', corridor: 'us-ach', settlement_account_id: settlement.id } });
    expect(route.status).toBe(201);
    return { key, tenantId, funding, customer, settlement, merchant, route: route.body };
  }

  type Runtime = Awaited<ReturnType<typeof runtimeTenant>>;

  const intentBody = (rt: Runtime, intent_id: string, extra: Record<string, unknown> = {}) => ({
    intent_id,
    scope: 'workspace_scope',
    money_model: MONEY_MODEL,
    primitives: ['policy', 'ledger', 'events'],
    amount: '125000',
    currency: 'USD',
    source_account_id: rt.customer.id,
    destination_account_id: rt.merchant.id,
    corridor: 'us-ach',
    ...extra,
  });

  const createIntent = (key: string, body: Record<string, unknown>) => t.request('POST', '/intents', { token: key, body });
  const balances = async (key: string, accountId: string) => (await t.request('GET', `/accounts/${accountId}/balances`, { token: key })).body.balances;
  const getIntent = async (key: string, id: string) => (await t.request('GET', `/intents/${id}`, { token: key })).body;

  function expectRefusal(res: HttpResponse, code: string, stage: string) {
    expect(res.status).toBe(code === 'policy_violation' || code === 'insufficient_funds' || code === 'no_route' ? 422 : res.status);
    expect(res.body.error).toMatchObject({ code, details: expect.objectContaining({ stage }) });
  }

  it("drives the seed's intent of 125,000 through every state, then settles it through the route as one posting of four entries", async () => {
    const rt = await runtimeTenant();
    const created = await createIntent(rt.key, intentBody(rt, 'intent_042', { metadata: { order: 'o-1' } }));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: 'intent_042',
      status: 'open',
      scope: 'workspace_scope',
      money_model: MONEY_MODEL,
      primitives: ['policy', 'ledger', 'events'],
      amount: '125000',
      currency: 'USD',
      source_account_id: rt.customer.id,
      destination_account_id: rt.merchant.id,
      corridor: 'us-ach',
      route: { id: rt.route.id, name: 'ACH primary', settlement_account_id: rt.settlement.id },
      hold_id: expect.any(String),
      transaction_id: null,
      position: expect.stringMatching(/^[0-9]+$/),
    });
    expect(created.body.states.map((s: any) => s.state)).toEqual(['accepted', 'controlled', 'ledgered', 'routed']);
    expect(created.body.states[1].policy).toEqual(['tenant_scope.passed', 'role.passed']);
    for (const s of created.body.states) expect(new Date(s.at).toISOString()).toBe(s.at);
    expect((await balances(rt.key, rt.customer.id)).available).toBe('75000');

    // synchronized and evidenced are observed, with no further call than looking.
    const observed = await waitFor('the intent to be synchronized and evidenced', async () => {
      const view = await getIntent(rt.key, 'intent_042');
      return view.states.some((s: any) => s.state === 'evidenced') && view;
    });
    expect(observed.states.map((s: any) => s.state)).toEqual(['accepted', 'controlled', 'ledgered', 'routed', 'synchronized', 'evidenced']);
    expect(observed.states[5]).toMatchObject({ chain_hash: expect.stringMatching(/^[0-9a-f]{64}$/), signature: expect.any(String) });
    expect(BigInt(observed.states[5].position)).toBeGreaterThanOrEqual(BigInt(created.body.states[3].position));

    const settled = await t.request('POST', '/intents/intent_042/settle', { token: rt.key });
    expect(settled.status).toBe(200);
    expect(settled.body).toMatchObject({ id: 'intent_042', status: 'settled', transaction_id: expect.any(String), settlement: { transaction_id: expect.any(String) } });
    expect(settled.body.states.map((s: any) => s.state)).toEqual(['accepted', 'controlled', 'ledgered', 'routed', 'synchronized', 'evidenced']);
    const transaction = await t.request('GET', `/transactions/${settled.body.transaction_id}`, { token: rt.key });
    expect(transaction.body.entries.map((e: any) => [e.account_id, e.direction, e.amount])).toEqual([
      [rt.customer.id, 'debit', '125000'],
      [rt.settlement.id, 'credit', '125000'],
      [rt.settlement.id, 'debit', '125000'],
      [rt.merchant.id, 'credit', '125000'],
    ]);
    expect(await balances(rt.key, rt.customer.id)).toMatchObject({ posted: '75000', available: '75000', pending_debits: '0' });
    expect(await balances(rt.key, rt.merchant.id)).toMatchObject({ posted: '125000', available: '125000', pending_credits: '0' });
    expect(await balances(rt.key, rt.settlement.id)).toMatchObject({ posted: '0' });
    const hold = await t.request('GET', `/holds/${created.body.hold_id}`, { token: rt.key });
    expect(hold.body).toMatchObject({ status: 'captured', captured_amount: '125000' });
    const trial = await t.request('GET', '/reconciliation/trial-balance', { token: rt.key });
    // The capture moved only the hold's legs out of pending; the settlement legs between were posted only.
    expect(trial.body.data ?? trial.body).toEqual([expect.objectContaining({ currency: 'USD', pending: { balanced: true, debits: '0', credits: '0' }, posted: expect.objectContaining({ balanced: true }) })]);

    // The settling transaction's evidence names the intent; the intent's events are tenant events.
    const evidence = await t.request('GET', `/evidence/transactions/${settled.body.transaction_id}`, { token: rt.key });
    expect(evidence.status).toBe(200);
    expect(JSON.stringify(evidence.body)).toContain('"intent_id":"intent_042"');
    const feed = (await t.request('GET', '/events?limit=1000', { token: rt.key })).body.data.map((e: any) => e.type);
    expect(feed).toEqual(expect.arrayContaining(['route.created', 'intent.accepted', 'intent.routed', 'intent.settled']));

    // Settled is final.
    const again = await t.request('POST', '/intents/intent_042/settle', { token: rt.key });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'intent_not_open', details: { status: 'settled' } });
    expect((await t.request('POST', '/intents/intent_042/cancel', { token: rt.key })).status).toBe(409);
  });

  it('is idempotent on intent_id: the same body gets the same answer (also from a cold writer in another process), another body 409', async () => {
    const rt = await runtimeTenant();
    const body = intentBody(rt, 'pay-7', { amount: '1000' });
    const [a, b] = await Promise.all([createIntent(rt.key, body), createIntent(rt.key, body)]);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.body).toEqual(a.body);
    const events = await t.eventCount();
    const sibling = await t.startSibling();
    try {
      const fromCold = await sibling.request('POST', '/intents', { token: rt.key, body });
      expect(fromCold.status).toBe(201);
      expect(fromCold.headers.get('idempotent-replayed')).toBe('true');
      expect(fromCold.body).toEqual(a.body);
      // An Idempotency-Key header does not change what the intent id names.
      const withKey = await sibling.request('POST', '/intents', { token: rt.key, body, headers: { 'Idempotency-Key': 'something-else' } });
      expect(withKey.body).toEqual(a.body);
    } finally {
      await sibling.ledger.shutdown();
    }
    const reused = await createIntent(rt.key, { ...body, amount: '2000' });
    expect(reused.status).toBe(409);
    expect(reused.body.error.code).toBe('idempotency_key_reused');
    expect(await t.eventCount()).toBe(events);
    expect((await balances(rt.key, rt.customer.id)).available).toBe('199000');
    // The runtime's key space is its own.
    const sneaky = await t.transfer(rt.key, rt.funding.id, rt.customer.id, '1', { 'Idempotency-Key': 'intent:pay-7' });
    expect(sneaky.status).toBe(400);
  });

  it('refuses at routed when no route serves the corridor: the reservation is released in the same decision, 422 no_route', async () => {
    const rt = await runtimeTenant();
    const res = await createIntent(rt.key, intentBody(rt, 'no-route-1', { corridor: 'eu-sepa' }));
    expectRefusal(res, 'no_route', 'routed');
    expect(res.body.error.details).toMatchObject({ intent_id: 'no-route-1', corridor: 'eu-sepa', currency: 'USD' });
    expect(await balances(rt.key, rt.customer.id)).toMatchObject({ available: '200000', pending_debits: '0' });
    const view = await waitFor('the refused intent', async () => {
      const v = await t.request('GET', '/intents/no-route-1', { token: rt.key });
      return v.status === 200 && v.body;
    });
    expect(view.status).toBe('refused');
    expect(view.states.map((s: any) => s.state)).toEqual(['accepted', 'controlled', 'ledgered', 'refused']);
    expect(view.states[3]).toMatchObject({ stage: 'routed', code: 'no_route' });
    const hold = await t.request('GET', `/holds/${view.hold_id}`, { token: rt.key });
    expect(hold.body).toMatchObject({ status: 'released' });
    // A repeat is answered the same; a disabled route is no route either.
    expectRefusal(await createIntent(rt.key, intentBody(rt, 'no-route-1', { corridor: 'eu-sepa' })), 'no_route', 'routed');
    expect((await t.request('POST', `/routes/${rt.route.id}/disable`, { token: rt.key })).body).toMatchObject({ status: 'disabled' });
    expectRefusal(await createIntent(rt.key, intentBody(rt, 'no-route-2')), 'no_route', 'routed');
    expect((await t.request('POST', `/routes/${rt.route.id}/enable`, { token: rt.key })).body).toMatchObject({ status: 'enabled' });
    expect((await createIntent(rt.key, intentBody(rt, 'routed-again'))).status).toBe(201);
  });

  it('refuses at ledgered on insufficient funds and at controlled on an enforced policy, reserving nothing', async () => {
    const rt = await runtimeTenant('1000');
    const poor = await createIntent(rt.key, intentBody(rt, 'poor-1'));
    expectRefusal(poor, 'insufficient_funds', 'ledgered');
    const poorView = await waitFor('poor', async () => (await t.request('GET', '/intents/poor-1', { token: rt.key })).body?.status === 'refused' && getIntent(rt.key, 'poor-1'));
    expect(poorView.states.map((s: any) => s.state)).toEqual(['accepted', 'controlled', 'refused']);

    const policy = await t.request('POST', '/policies', { token: rt.key, body: { name: 'max 500', type: 'amount_limit', scope: { account_type: 'customer' }, params: { currency: 'USD', max_amount: '500' } } });
    expect(policy.status).toBe(201);
    const limited = await createIntent(rt.key, intentBody(rt, 'limited-1', { amount: '600' }));
    expectRefusal(limited, 'policy_violation', 'controlled');
    expect(limited.body.error.details).toMatchObject({ policy_id: policy.body.id, limit: '500', attempted: '600' });
    const limitedView = await waitFor('limited', async () => (await t.request('GET', '/intents/limited-1', { token: rt.key })).body?.status === 'refused' && getIntent(rt.key, 'limited-1'));
    expect(limitedView.states.map((s: any) => s.state)).toEqual(['accepted', 'refused']);
    expect((await balances(rt.key, rt.customer.id)).available).toBe('1000');

    const within = await createIntent(rt.key, intentBody(rt, 'within-1', { amount: '400' }));
    expect(within.status).toBe(201);
    expect(within.body.states[1].policy).toEqual(['tenant_scope.passed', 'role.passed', 'limit_check.passed']);
  });

  it('cancels (the hold released, the reason kept), and the runtime cancels an unsettled intent past expires_at', async () => {
    const rt = await runtimeTenant();
    const created = await createIntent(rt.key, intentBody(rt, 'cancel-me', { amount: '5000' }));
    const canceled = await t.request('POST', '/intents/cancel-me/cancel', { token: rt.key, body: { reason: 'customer asked' } });
    expect(canceled.status).toBe(200);
    expect(canceled.body).toMatchObject({ status: 'canceled', cancellation: { reason: 'canceled', note: 'customer asked' } });
    expect((await t.request('GET', `/holds/${created.body.hold_id}`, { token: rt.key })).body.status).toBe('released');
    expect((await t.request('POST', '/intents/cancel-me/settle', { token: rt.key })).body.error.code).toBe('intent_not_open');
    // An intent's hold is the intent's: the holds routes refuse it.
    const other = await createIntent(rt.key, intentBody(rt, 'keep-hold', { amount: '10' }));
    const capture = await t.request('POST', `/holds/${other.body.hold_id}/capture`, { token: rt.key });
    expect(capture.status).toBe(409);
    expect(capture.body.error).toMatchObject({ code: 'hold_owned_by_intent', details: { intent_id: 'keep-hold' } });

    await createIntent(rt.key, intentBody(rt, 'expire-me', { amount: '7000', expires_at: inMs(700) }));
    const expired = await waitFor('the runtime to cancel the expired intent', async () => {
      const view = await getIntent(rt.key, 'expire-me');
      return view.status === 'canceled' && view;
    });
    expect(expired.cancellation).toMatchObject({ reason: 'expired' });
    expect(await balances(rt.key, rt.customer.id)).toMatchObject({ available: String(200000 - 10), pending_debits: '10' });
  });

  it('settle, cancel and expiry racing: exactly one wins each time, the others get 409 intent_not_open', async () => {
    const rt = await runtimeTenant('1000000');
    const RACES = 12;
    const outcomes: string[] = [];
    for (let i = 0; i < RACES; i++) {
      const id = `race-${i}`;
      const expiresIn = 150 + (i % 4) * 40;
      const created = await createIntent(rt.key, intentBody(rt, id, { amount: '100', expires_at: inMs(expiresIn) }));
      expect(created.status).toBe(201);
      // Fire settle and cancel around the expiry, so that each of the three wins some of the races.
      await new Promise((r) => setTimeout(r, expiresIn - 60 + (i % 3) * 40));
      const [settle, cancel] = await Promise.all([
        t.request('POST', `/intents/${id}/settle`, { token: rt.key }),
        t.request('POST', `/intents/${id}/cancel`, { token: rt.key }),
      ]);
      for (const res of [settle, cancel]) {
        expect([200, 409]).toContain(res.status);
        if (res.status === 409) expect(res.body.error.code).toBe('intent_not_open');
      }
      const final = await waitFor(`race ${i} to end`, async () => {
        const view = await getIntent(rt.key, id);
        return view.status !== 'open' && view;
      });
      const winners = [settle.status === 200 && 'settle', cancel.status === 200 && 'cancel', final.cancellation?.reason === 'expired' && 'expiry'].filter(Boolean);
      expect(winners).toHaveLength(1);
      expect(final.status).toBe(winners[0] === 'settle' ? 'settled' : 'canceled');
      outcomes.push(winners[0] as string);
    }
    // Every intent moved its 100 at most once: the merchant got 100 per settle, the customer the rest back.
    const settles = outcomes.filter((o) => o === 'settle').length;
    expect((await balances(rt.key, rt.merchant.id)).posted).toBe(String(100 * settles));
    expect(await balances(rt.key, rt.customer.id)).toMatchObject({ posted: String(1000000 - 100 * settles), pending_debits: '0' });
    expect(new Set(outcomes).size).toBeGreaterThanOrEqual(2);
  });

  it('validates the contract, the roles and the routes, changing nothing on bad input', async () => {
    const rt = await runtimeTenant();
    const events = await t.eventCount();
    const bad = [
      { money_model: 'float' },
      { primitives: ['policy', 'magic'] },
      { primitives: [] },
      { amount: '-5' },
      { amount: '1.5' },
      { corridor: '' },
      { currency: 'usd dollars' },
      { expires_at: '2030-W01-1' },
    ];
    for (const change of bad) {
      const res = await createIntent(rt.key, intentBody(rt, 'bad', change));
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    expect((await createIntent(rt.key, intentBody(rt, 'ghost', { source_account_id: '00000000-0000-4000-8000-000000000000' }))).status).toBe(404);
    expect((await createIntent(rt.key, intentBody(rt, 'eur', { currency: 'EUR' }))).body.error.code).toBe('currency_mismatch');
    const auditor = await t.createKey(rt.key, 'auditor');
    expect((await createIntent(auditor, intentBody(rt, 'auditor-1'))).status).toBe(403);
    expect((await t.request('POST', '/routes', { token: auditor, body: { name: 'x', currency: 'USD', corridor: 'c', settlement_account_id: rt.settlement.id } })).status).toBe(403);
    expect((await t.request('GET', '/intents/nope', { token: rt.key })).status).toBe(404);
    const debitNormal = await t.openAccount(rt.key, { customer: 'asset', account_type: 'asset', normal_balance: 'debit' });
    const invalid = await t.request('POST', '/routes', { token: rt.key, body: { name: 'x', currency: 'USD', corridor: 'c', settlement_account_id: debitNormal.id } });
    expect(invalid.status).toBe(422);
    expect(invalid.body.error.code).toBe('invalid_route');
    expect(await t.eventCount()).toBe(events + 1); // only the account opened above
    // Another tenant sees none of it.
    const other = await t.createTenant('other');
    expect((await t.request('GET', '/intents/bad', { token: other.key })).status).toBe(404);
    expect((await t.request('POST', `/routes/${rt.route.id}/disable`, { token: other.key })).status).toBe(404);
  });

  it('lists routes and intents paged and by status; replay folds intents and --compare agrees with the read models', async () => {
    const rt = await runtimeTenant();
    await t.request('POST', '/routes', { token: rt.key, body: { name: 'ACH backup', currency: 'USD', corridor: 'us-ach', settlement_account_id: rt.settlement.id, priority: 200 } });
    const routes = await t.request('GET', '/routes', { token: rt.key });
    expect(routes.body.data.map((r: any) => [r.name, r.priority, r.status])).toEqual([['ACH primary', 100, 'enabled'], ['ACH backup', 200, 'enabled']]);
    for (let i = 0; i < 5; i++) await createIntent(rt.key, intentBody(rt, `list-${i}`, { amount: '10' }));
    await t.request('POST', '/intents/list-0/settle', { token: rt.key });
    await t.request('POST', '/intents/list-1/cancel', { token: rt.key });
    await createIntent(rt.key, intentBody(rt, 'list-refused', { corridor: 'nowhere' }));
    const first = await t.request('GET', '/intents?limit=3', { token: rt.key });
    expect(first.body.data.map((i: any) => i.id)).toEqual(['list-0', 'list-1', 'list-2']);
    const second = await t.request('GET', `/intents?limit=3&cursor=${first.body.next_cursor}`, { token: rt.key });
    expect(second.body.data.map((i: any) => i.id)).toEqual(['list-3', 'list-4', 'list-refused']);
    expect((await t.request('GET', '/intents?status=settled', { token: rt.key })).body.data.map((i: any) => i.id)).toEqual(['list-0']);
    expect((await t.request('GET', '/intents?status=open', { token: rt.key })).body.data).toHaveLength(3);
    expect((await t.request('GET', '/intents?status=weird', { token: rt.key })).status).toBe(400);

    const compare = await cli(t.db.url, ['replay', '--tenant', rt.tenantId, '--compare']);
    expect(compare.code).toBe(0);
    expect(compare.stdout).toContain('intents agree');
    // The intents and routes read models rebuild identically from the log.
    expect((await cli(t.db.url, ['projections', 'verify', 'intents'])).code).toBe(0);
    expect((await cli(t.db.url, ['projections', 'verify', 'routes'])).code).toBe(0);
    // A tampered read model is caught.
    await t.query(`update runtime_intents set status = 'settled', view = jsonb_set(view, '{status}', '"settled"') where id = 'list-2'`);
    const caught = await cli(t.db.url, ['replay', '--tenant', rt.tenantId, '--compare']);
    expect(caught.code).toBe(1);
    expect(caught.stdout).toContain('intent list-2');
  });
});

describe('settle and cancel while the read models run behind (no projector anywhere)', () => {
  let lagging: TestLedger;
  beforeAll(async () => {
    // The API alone, as beside a projector process that has stopped: reads wait 300 ms, then give up.
    lagging = await TestLedger.start({ LEDGER_PROJECTOR: 'off', LEDGER_READ_WAIT_MS: '300' });
  });
  afterAll(async () => {
    await lagging.stop();
  });

  it('answer 200 with the intent folded from its own events in the log, not a 503 for a command that happened', async () => {
    const { key, accounts } = await lagging.fundedTenant(1, '5000');
    const settlement = await lagging.openAccount(key, { customer: 'acme', account_type: 'settlement' });
    const merchant = await lagging.openAccount(key, { customer: 'merchant' });
    expect((await lagging.request('POST', '/routes', { token: key, body: { name: 'ACH', currency: 'USD', corridor: 'us-ach', settlement_account_id: settlement.id } })).status).toBe(201);
    const intent = (intent_id: string) => ({ intent_id, scope: 'workspace_scope', money_model: MONEY_MODEL, primitives: ['policy', 'ledger', 'events'], amount: '1000', currency: 'USD', source_account_id: accounts[0].id, destination_account_id: merchant.id, corridor: 'us-ach' });
    for (const id of ['lag-settle', 'lag-cancel']) expect((await lagging.request('POST', '/intents', { token: key, body: intent(id) })).status).toBe(201);
    // A read of the intents read model cannot be answered: it has nothing.
    expect((await lagging.request('GET', '/intents/lag-settle', { token: key })).status).toBe(503);

    const settled = await lagging.request('POST', '/intents/lag-settle/settle', { token: key });
    expect(settled.status).toBe(200);
    expect(settled.body).toMatchObject({ id: 'lag-settle', status: 'settled', transaction_id: expect.any(String), settlement: { transaction_id: settled.body.transaction_id } });
    expect(settled.body.states.map((s: { state: string }) => s.state)).toEqual(['accepted', 'controlled', 'ledgered', 'routed']);
    const canceled = await lagging.request('POST', '/intents/lag-cancel/cancel', { token: key, body: { reason: 'customer asked' } });
    expect(canceled.status).toBe(200);
    expect(canceled.body).toMatchObject({ id: 'lag-cancel', status: 'canceled', cancellation: { reason: 'canceled', note: 'customer asked' } });
    // Once: a second settle is refused by the writer, which has the intent settled.
    expect((await lagging.request('POST', '/intents/lag-settle/settle', { token: key })).body.error.code).toBe('intent_not_open');
  });
});
