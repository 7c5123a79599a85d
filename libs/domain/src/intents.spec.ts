// Given/when/then for the runtime's decisions: routes, and intents through accepted ->
// controlled -> ledgered -> routed, then settled, canceled or expired; every refusal and the
// stage it is recorded at.
import { availableBalance, countersOf } from './account.js';
import { CreateIntent, CreateRoute, LedgerCommand } from './commands.js';
import { DomainError, isDomainError } from './errors.js';
import { EntryPostedData, IntentRefusedData, IntentRoutedData, LedgerEvent } from './events.js';
import { INTENT_MONEY_MODEL } from './intents.js';
import { ROUTES_PER_TENANT_MAX, createRoute, routeFor } from './routes.js';
import { LedgerState } from './state.js';
import { NOW, fold, given, testContext } from './testing/given-when-then.js';
import { USD, accountCreated, captureHold, expireHold, figures, posted, releaseHold } from './testing/ledger-fixtures.js';
import { amountLimit, createPolicy, SmallLedger } from './testing/policy-fixtures.js';
import { ControlledDecision } from './policy-evaluation.js';

const LATER = '2030-01-02T05:00:00.000Z';
const EXPIRES_AT = '2030-01-02T04:04:05.000Z';

// customer pays merchant 125,000 through the reserve/settlement account `clearing` (credit-normal).
const opened: LedgerEvent[] = [
  accountCreated('treasury', { allow_negative: true, account_type: 'operating' }),
  accountCreated('customer'),
  accountCreated('merchant'),
  accountCreated('clearing', { account_type: 'settlement' }),
  accountCreated('clearing-2', { account_type: 'settlement' }),
  accountCreated('asset', { normal_balance: 'debit', account_type: 'asset' }),
  accountCreated('eur-clearing', { currency: 'EUR' }),
];
const customerFunded = posted('tx-fund', [
  { account_id: 'treasury', direction: 'debit', amount: '200000', balance_after: figures({ debits_posted: '200000', posted: '-200000', available: '-200000' }) },
  { account_id: 'customer', direction: 'credit', amount: '200000', balance_after: figures({ credits_posted: '200000', posted: '200000', available: '200000' }) },
]);

function route(name: string, settlement: string, priority = 100, corridor = 'us-ach', currency = USD): LedgerCommand {
  return { type: 'create_route', name, currency, corridor, settlement_account_id: settlement, priority };
}

function intent(intent_id: string, overrides: Partial<CreateIntent> = {}): CreateIntent {
  return {
    type: 'create_intent',
    intent_id,
    scope: 'workspace_scope',
    money_model: INTENT_MONEY_MODEL,
    primitives: ['policy', 'ledger', 'events'],
    amount: 125_000n,
    currency: USD,
    source_account_id: 'customer',
    destination_account_id: 'merchant',
    corridor: 'us-ach',
    expires_at: null,
    metadata: {},
    ...overrides,
  };
}

/** A ledger with accounts, the customer funded, and a route through `clearing`. */
function routed(): SmallLedger {
  const ledger = new SmallLedger([...opened, customerFunded]);
  ledger.accept(route('ach primary', 'clearing'), NOW);
  return ledger;
}

const available = (state: LedgerState, id: string) => availableBalance(state.accounts.get(id)!.normal_balance, countersOf(state.accounts.get(id)!));
const types = (decision: ControlledDecision) => decision.events.map((e) => e.type);
const refusal = (events: LedgerEvent[]) => events.find((e) => e.type === 'intent.refused')!.data as IntentRefusedData;

describe('routes', () => {
  it('given a credit-normal settlement account, when a route is created, then it is enabled with its priority', () => {
    const events = given(...opened).when(route('ach', 'clearing', 7)).events();
    expect(events).toEqual([
      { type: 'route.created', data: { route_id: 'id-1', name: 'ach', currency: USD, corridor: 'us-ach', settlement_account_id: 'clearing', priority: 7, created_at: NOW } },
    ]);
    expect(fold(events, fold(opened)).routes).toEqual([expect.objectContaining({ id: 'id-1', status: 'enabled', priority: 7 })]);
  });

  it('refuses a settlement account that is unknown, in another currency, or debit-normal without allow_negative', () => {
    expect(given(...opened).when(route('x', 'nobody')).error()).toMatchObject({ code: 'not_found', details: { field: 'settlement_account_id' } });
    expect(given(...opened).when(route('x', 'eur-clearing')).error()).toMatchObject({ code: 'invalid_route', details: { account_currency: 'EUR' } });
    expect(given(...opened).when(route('x', 'asset')).error()).toMatchObject({ code: 'invalid_route', details: { normal_balance: 'debit' } });
    // A debit-normal account allowed to go negative can take the settlement's credit first.
    expect(given(...opened, accountCreated('float', { normal_balance: 'debit', allow_negative: true })).when(route('x', 'float')).events()).toHaveLength(1);
  });

  it('picks the first enabled route by priority, the earlier on a tie, and skips disabled ones and other corridors', () => {
    const ledger = new SmallLedger(opened);
    ledger.accept(route('late tie', 'clearing', 10), NOW); // c1-1
    ledger.accept(route('tie', 'clearing-2', 10), NOW); // c2-1
    ledger.accept(route('other corridor', 'clearing', 1, 'eu-sepa'), NOW); // c3-1
    expect(routeFor(ledger.state, USD, 'us-ach')?.id).toBe('c1-1');
    ledger.accept({ type: 'change_route_status', route_id: 'c1-1', action: 'disable' }, NOW);
    expect(routeFor(ledger.state, USD, 'us-ach')?.id).toBe('c2-1');
    ledger.accept(route('best', 'clearing', 0), NOW); // c5-1
    expect(routeFor(ledger.state, USD, 'us-ach')?.id).toBe('c5-1');
    expect(routeFor(ledger.state, 'EUR', 'us-ach')).toBeNull();
    // Enabling an enabled route changes nothing; an unknown route is not found.
    expect(ledger.accept({ type: 'change_route_status', route_id: 'c5-1', action: 'enable' }, NOW).events).toEqual([]);
    expect(ledger.refuse({ type: 'change_route_status', route_id: 'nope', action: 'enable' }, NOW).code).toBe('not_found');
  });

  it(`stops at ${ROUTES_PER_TENANT_MAX} routes`, () => {
    const state = fold(opened);
    state.routes = Array.from({ length: ROUTES_PER_TENANT_MAX - 1 }, (_, i) => ({ id: `r${i}`, name: 'r', currency: USD, corridor: 'c', settlement_account_id: 'clearing', priority: 1, status: 'enabled' as const, created_at: NOW }));
    const last = createRoute(state, route('last', 'clearing') as CreateRoute, testContext());
    expect(isDomainError(last)).toBe(false);
    fold(last as LedgerEvent[], state);
    expect(createRoute(state, route('one more', 'clearing') as CreateRoute, testContext())).toMatchObject({ code: 'route_limit_reached' });
  });
});

describe('intents: accepted -> controlled -> ledgered -> routed', () => {
  it("given funds and a route, when the seed's intent of 125,000 is created, then it is accepted, reserved by a hold and routed", () => {
    const ledger = routed();
    const decision = ledger.accept(intent('intent_042'), NOW);
    expect(types(decision)).toEqual(['intent.accepted', 'balance.hold.created', 'intent.routed']);
    expect(decision.events[0].data).toMatchObject({ intent_id: 'intent_042', amount: '125000', scope: 'workspace_scope', money_model: INTENT_MONEY_MODEL, accepted_at: NOW });
    expect(decision.events[1].data).toMatchObject({ account_id: 'customer', destination_account_id: 'merchant', amount: '125000', intent_id: 'intent_042', reference: 'intent_042' });
    const routedData = decision.events[2].data as IntentRoutedData;
    expect(routedData).toMatchObject({ intent_id: 'intent_042', route_id: 'c1-1', route_name: 'ach primary', settlement_account_id: 'clearing' });
    expect(available(ledger.state, 'customer')).toBe(75_000n);
    expect(ledger.state.intents.get('intent_042')).toMatchObject({ status: 'open', hold_id: routedData.hold_id, settlement_account_id: 'clearing' });
    expect(ledger.state.holds.get(routedData.hold_id)).toMatchObject({ status: 'pending', intent_id: 'intent_042' });
  });

  it('refuses at ledgered when the source cannot cover the amount, recording the refusal and reserving nothing', () => {
    const ledger = routed();
    const decision = ledger.accept(intent('too-much', { amount: 200_001n }), NOW);
    expect(types(decision)).toEqual(['intent.accepted', 'intent.refused']);
    expect(refusal(decision.events)).toMatchObject({ stage: 'ledgered', code: 'insufficient_funds', hold_id: null, details: { account_id: 'customer' } });
    expect(ledger.state.intents.get('too-much')?.status).toBe('refused');
    expect(available(ledger.state, 'customer')).toBe(200_000n);
  });

  it('refuses at routed when no enabled route serves the corridor, releasing the reservation in the same decision', () => {
    const ledger = routed();
    const decision = ledger.accept(intent('nowhere', { corridor: 'eu-sepa' }), NOW);
    expect(types(decision)).toEqual(['intent.accepted', 'balance.hold.created', 'balance.released', 'intent.refused']);
    const refused = refusal(decision.events);
    expect(refused).toMatchObject({ stage: 'routed', code: 'no_route', details: { currency: USD, corridor: 'eu-sepa' } });
    expect(decision.events[2].data).toMatchObject({ hold_id: refused.hold_id, reason: 'released', note: 'no_route', amount: '125000' });
    expect(available(ledger.state, 'customer')).toBe(200_000n);
    expect(ledger.state.holds.get(refused.hold_id!)?.status).toBe('released');
    // A disabled route is no route.
    ledger.accept({ type: 'change_route_status', route_id: 'c1-1', action: 'disable' }, NOW);
    expect(refusal(ledger.accept(intent('disabled'), NOW).events).code).toBe('no_route');
  });

  it('refuses at controlled when an enforced policy is broken, recording the refusal and reserving nothing', () => {
    const ledger = routed();
    ledger.accept(createPolicy(amountLimit(USD, 100_000n)), NOW);
    const decision = ledger.accept(intent('over-limit'), NOW);
    expect(types(decision)).toEqual(['intent.accepted', 'intent.refused']);
    expect(refusal(decision.events)).toMatchObject({ stage: 'controlled', code: 'policy_violation', details: { limit: '100000', attempted: '125000' } });
    expect(available(ledger.state, 'customer')).toBe(200_000n);
    // Within the limit, the intent's hold is checked and the check is named.
    const within = ledger.accept(intent('within', { amount: 100_000n }), NOW);
    expect(types(within)).toEqual(['intent.accepted', 'balance.hold.created', 'intent.routed']);
    expect(within.checks).toEqual([expect.objectContaining({ check: 'limit_check', outcome: 'passed', attempted: '100000' })]);
  });

  it('refuses before acceptance, appending nothing, when an account is unknown, the same, inactive or in another currency', () => {
    const ledger = routed();
    const codes = (command: CreateIntent) => (ledger.refuse(command, NOW) as DomainError).code;
    expect(codes(intent('a', { source_account_id: 'ghost' }))).toBe('not_found');
    expect(codes(intent('b', { destination_account_id: 'ghost' }))).toBe('not_found');
    expect(codes(intent('c', { destination_account_id: 'customer' }))).toBe('invalid_hold');
    expect(codes(intent('d', { currency: 'EUR' }))).toBe('currency_mismatch');
    expect(codes(intent('e', { expires_at: '2030-01-01T00:00:00.000Z' }))).toBe('invalid_hold');
    ledger.accept({ type: 'change_account_status', account_id: 'merchant', action: 'freeze' }, NOW);
    expect(codes(intent('f'))).toBe('account_not_active');
    expect(ledger.state.intents.get('a')).toBeUndefined();
  });

  it('refuses an intent id that names another intent already (a repeat of the same request is answered from the log by the writer)', () => {
    const ledger = routed();
    ledger.accept(intent('once'), NOW);
    expect(ledger.refuse(intent('once', { amount: 1n }), NOW)).toMatchObject({ code: 'idempotency_key_reused', details: { intent_id: 'once' } });
  });
});

describe('intents: settle, cancel, expiry', () => {
  function openIntent(expires_at: string | null = null): { ledger: SmallLedger; holdId: string } {
    const ledger = routed();
    const decision = ledger.accept(intent('intent_042', { expires_at }), NOW);
    return { ledger, holdId: (decision.events[2].data as IntentRoutedData).hold_id };
  }

  it('settles with one posting of four entries, source -> settlement -> destination, capturing the hold', () => {
    const { ledger, holdId } = openIntent();
    const decision = ledger.accept({ type: 'settle_intent', intent_id: 'intent_042' }, LATER);
    expect(types(decision)).toEqual(['ledger.entry.posted', 'intent.settled']);
    const posting = decision.events[0].data as EntryPostedData;
    expect(posting.hold_id).toBe(holdId);
    expect(posting.entries.map((e) => [e.account_id, e.direction, e.amount])).toEqual([
      ['customer', 'debit', '125000'],
      ['clearing', 'credit', '125000'],
      ['clearing', 'debit', '125000'],
      ['merchant', 'credit', '125000'],
    ]);
    // The settlement account ends where it began; pending is gone on both sides.
    expect(posting.entries[2].balance_after).toMatchObject({ posted: '0', debits_posted: '125000', credits_posted: '125000' });
    expect(posting.entries[0].balance_after).toMatchObject({ posted: '75000', debits_pending: '0', available: '75000' });
    expect(posting.entries[3].balance_after).toMatchObject({ posted: '125000', credits_pending: '0', available: '125000' });
    expect(decision.events[1].data).toMatchObject({ intent_id: 'intent_042', transaction_id: posting.transaction_id, hold_id: holdId, route_id: 'c1-1' });
    expect(ledger.state.intents.get('intent_042')).toMatchObject({ status: 'settled', transaction_id: posting.transaction_id });
    expect(ledger.state.holds.get(holdId)).toMatchObject({ status: 'captured', captured_amount: 125_000n });
  });

  it('cancels by releasing the hold; the reason is kept', () => {
    const { ledger, holdId } = openIntent();
    const decision = ledger.accept({ type: 'cancel_intent', intent_id: 'intent_042', note: 'customer asked' }, LATER);
    expect(types(decision)).toEqual(['balance.released', 'intent.canceled']);
    expect(decision.events[0].data).toMatchObject({ hold_id: holdId, reason: 'released', note: 'customer asked', amount: '125000' });
    expect(decision.events[1].data).toMatchObject({ reason: 'canceled', note: 'customer asked' });
    expect(available(ledger.state, 'customer')).toBe(200_000n);
  });

  it('an intent past expires_at is canceled by the expiry of its hold (reason expired), and can no longer be settled or canceled', () => {
    const { ledger, holdId } = openIntent(EXPIRES_AT);
    expect(ledger.refuse({ type: 'settle_intent', intent_id: 'intent_042' }, EXPIRES_AT)).toMatchObject({ code: 'intent_not_open', details: { status: 'expired' } });
    expect(ledger.refuse(expireHold(holdId), '2030-01-02T04:04:04.999Z').code).toBe('hold_not_pending');
    const expired = ledger.accept(expireHold(holdId), EXPIRES_AT);
    expect(types(expired)).toEqual(['balance.released', 'intent.canceled']);
    expect(expired.events[1].data).toMatchObject({ intent_id: 'intent_042', reason: 'expired', hold_id: holdId });
    expect(ledger.state.intents.get('intent_042')?.status).toBe('canceled');
    expect(available(ledger.state, 'customer')).toBe(200_000n);
  });

  it('exactly one of settle, cancel and expiry happens: whichever is decided first, the others are intent_not_open', () => {
    const orders: LedgerCommand[][] = [];
    const settle: LedgerCommand = { type: 'settle_intent', intent_id: 'intent_042' };
    const cancel: LedgerCommand = { type: 'cancel_intent', intent_id: 'intent_042', note: null };
    for (const first of [settle, cancel]) orders.push([first, first === settle ? cancel : settle]);
    for (const [first, second] of orders) {
      const { ledger } = openIntent();
      ledger.accept(first, LATER);
      expect(ledger.refuse(second, LATER)).toMatchObject({ code: 'intent_not_open', details: { status: first === settle ? 'settled' : 'canceled' } });
      expect(ledger.refuse(first, LATER).code).toBe('intent_not_open');
    }
    const { ledger, holdId } = openIntent(EXPIRES_AT);
    ledger.accept(settle, NOW);
    expect(ledger.refuse(expireHold(holdId), LATER).code).toBe('hold_not_pending');
  });

  it("an intent's hold cannot be captured or released through the holds routes", () => {
    const { ledger, holdId } = openIntent();
    expect(ledger.refuse(captureHold(holdId), LATER)).toMatchObject({ code: 'hold_owned_by_intent', details: { intent_id: 'intent_042' } });
    expect(ledger.refuse(releaseHold(holdId), LATER).code).toBe('hold_owned_by_intent');
  });

  it('settle and cancel of an unknown or refused intent are refused', () => {
    const ledger = routed();
    expect(ledger.refuse({ type: 'settle_intent', intent_id: 'ghost' }, NOW)).toMatchObject({ code: 'not_found', details: { intent_id: 'ghost' } });
    ledger.accept(intent('nowhere', { corridor: 'eu-sepa' }), NOW);
    expect(ledger.refuse({ type: 'cancel_intent', intent_id: 'nowhere', note: null }, NOW)).toMatchObject({ code: 'intent_not_open', details: { status: 'refused' } });
  });

  it('replaying the log folds to the same intents, routes and balances as the decisions left', () => {
    const { ledger } = openIntent();
    ledger.accept(intent('second', { amount: 10n }), NOW);
    ledger.accept({ type: 'settle_intent', intent_id: 'intent_042' }, LATER);
    ledger.accept({ type: 'cancel_intent', intent_id: 'second', note: null }, LATER);
    const replayed = fold(ledger.log);
    expect([...(replayed.intents as Map<string, unknown>).entries()]).toEqual([...(ledger.state.intents as Map<string, unknown>).entries()]);
    expect(replayed.routes).toEqual(ledger.state.routes);
    expect([...(replayed.accounts as Map<string, unknown>).values()]).toEqual([...(ledger.state.accounts as Map<string, unknown>).values()]);
  });
});

// A given/when/then check of the plain decide path too (the writer uses decideControlled; both must agree without policies).
it('decide and decideControlled agree on an intent when no policy applies', () => {
  const history = [...opened, customerFunded, { type: 'route.created', data: { route_id: 'r', name: 'r', currency: USD, corridor: 'us-ach', settlement_account_id: 'clearing', priority: 1, created_at: NOW } } as LedgerEvent];
  const plain = given(...history).when(intent('x'), testContext());
  const controlled = given(...history).whenControlled(intent('x'), testContext());
  expect(controlled.events()).toEqual(plain.events());
});
