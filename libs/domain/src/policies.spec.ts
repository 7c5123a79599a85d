// Policy definitions: parsing params and scopes from the wire, their limits, scope matching,
// the wire form round trip, and the index of active policies.
import {
  ALLOWLIST_CURRENCIES_MAX,
  NO_ACTIVE_POLICIES,
  POLICY_NAME_LENGTH_MAX,
  Policy,
  PolicyRule,
  VELOCITY_COUNT_MAX,
  VELOCITY_WINDOW_SECONDS_MAX,
  inScope,
  parsePolicyRule,
  parsePolicyScope,
  policyNameErrors,
  policyRuleData,
  policyRuleErrors,
  policyRuleFromData,
  scopeErrors,
  withPolicy,
} from './policies.js';
import { amountLimit, balanceMonitor, currencyAllowlist, velocityLimit } from './testing/policy-fixtures.js';

describe('parsePolicyRule', () => {
  it.each<[string, unknown, PolicyRule]>([
    ['amount_limit', { currency: 'USD', max_amount: '500' }, amountLimit('USD', 500n)],
    ['amount_limit', { currency: 'USD', max_amount: 500 }, amountLimit('USD', 500n)],
    ['velocity_limit', { currency: 'USD', max_amount: '1000', window_seconds: 3600 }, velocityLimit('USD', 1000n, 3600)],
    ['velocity_limit', { currency: 'USD', max_amount: '1000', window_seconds: 60, max_count: 3 }, velocityLimit('USD', 1000n, 60, 3)],
    ['velocity_limit', { currency: 'USD', max_amount: '1000', window_seconds: 60, max_count: null }, velocityLimit('USD', 1000n, 60)],
    ['currency_allowlist', { currencies: ['USD', 'EUR'] }, currencyAllowlist('USD', 'EUR')],
    ['balance_monitor', { currency: 'USD', threshold: '-250', when: 'below' }, balanceMonitor('USD', -250n, 'below')],
    ['balance_monitor', { currency: 'USD', threshold: 0, when: 'above' }, balanceMonitor('USD', 0n, 'above')],
  ])('parses %s %j', (type, params, rule) => {
    expect(parsePolicyRule(type, params)).toEqual({ ok: true, value: rule });
  });

  it.each<[string, unknown, unknown, Record<string, string[]>]>([
    ['an unknown type', 'rate_limit', {}, { type: [expect.stringContaining('amount_limit')] }],
    ['params that are not an object', 'amount_limit', ['USD'], { params: ['must be an object'] }],
    ['a missing amount', 'amount_limit', { currency: 'USD' }, { 'params.max_amount': [expect.any(String)] }],
    ['a zero amount', 'amount_limit', { currency: 'USD', max_amount: '0' }, { 'params.max_amount': [expect.any(String)] }],
    ['a fractional amount', 'amount_limit', { currency: 'USD', max_amount: 1.5 }, { 'params.max_amount': [expect.any(String)] }],
    ['an amount over 2^63-1', 'amount_limit', { currency: 'USD', max_amount: '9223372036854775808' }, { 'params.max_amount': [expect.any(String)] }],
    ['a bad currency', 'amount_limit', { currency: 'usd', max_amount: '1' }, { 'params.currency': [expect.any(String)] }],
    ['an unknown param', 'amount_limit', { currency: 'USD', max_amount: '1', window_seconds: 60 }, { 'params.window_seconds': ['is not a parameter of amount_limit'] }],
    ['a zero window', 'velocity_limit', { currency: 'USD', max_amount: '1', window_seconds: 0 }, { 'params.window_seconds': [expect.any(String)] }],
    [
      'a window over 31 days',
      'velocity_limit',
      { currency: 'USD', max_amount: '1', window_seconds: VELOCITY_WINDOW_SECONDS_MAX + 1 },
      { 'params.window_seconds': [`must be an integer from 1 to ${VELOCITY_WINDOW_SECONDS_MAX}`] },
    ],
    ['a window as a string', 'velocity_limit', { currency: 'USD', max_amount: '1', window_seconds: '60' }, { 'params.window_seconds': [expect.any(String)] }],
    [
      'a count over VELOCITY_COUNT_MAX',
      'velocity_limit',
      { currency: 'USD', max_amount: '1', window_seconds: 60, max_count: VELOCITY_COUNT_MAX + 1 },
      { 'params.max_count': [expect.any(String)] },
    ],
    ['an empty allowlist', 'currency_allowlist', { currencies: [] }, { 'params.currencies': [expect.any(String)] }],
    [
      'an allowlist over ALLOWLIST_CURRENCIES_MAX',
      'currency_allowlist',
      { currencies: Array.from({ length: ALLOWLIST_CURRENCIES_MAX + 1 }, (_, i) => `C${String(i).padStart(3, '0')}`) },
      { 'params.currencies': [expect.any(String)] },
    ],
    ['an allowlist naming a currency twice', 'currency_allowlist', { currencies: ['USD', 'USD'] }, { 'params.currencies': ['must not name a currency twice'] }],
    ['a threshold with decimals', 'balance_monitor', { currency: 'USD', threshold: '1.5', when: 'below' }, { 'params.threshold': [expect.any(String)] }],
    ['a monitor without a direction', 'balance_monitor', { currency: 'USD', threshold: '1' }, { 'params.when': ['must be "below" or "above"'] }],
  ])('refuses %s, naming the field', (_name, type, params, fields) => {
    expect(parsePolicyRule(type, params)).toEqual({ ok: false, fields });
  });

  it('accepts the largest limits', () => {
    const all = Array.from({ length: ALLOWLIST_CURRENCIES_MAX }, (_, i) => `C${String(i).padStart(3, '0')}`);
    expect(parsePolicyRule('currency_allowlist', { currencies: all }).ok).toBe(true);
    expect(parsePolicyRule('velocity_limit', { currency: 'USD', max_amount: '9223372036854775807', window_seconds: VELOCITY_WINDOW_SECONDS_MAX, max_count: VELOCITY_COUNT_MAX }).ok).toBe(true);
  });
});

describe('policyRuleErrors', () => {
  it('is null for a rule within every limit', () => {
    expect(policyRuleErrors(velocityLimit('USD', 10n, 60, 2))).toBeNull();
  });

  it('re-checks a typed rule built in code', () => {
    expect(policyRuleErrors(amountLimit('USD', 0n))).toEqual({ 'params.max_amount': [expect.any(String)] });
    expect(policyRuleErrors(velocityLimit('USD', 10n, 0.5))).toEqual({ 'params.window_seconds': [expect.any(String)] });
  });
});

describe('parsePolicyScope', () => {
  it('takes an absent or null scope as every account', () => {
    expect(parsePolicyScope(undefined)).toEqual({ ok: true, value: {} });
    expect(parsePolicyScope(null)).toEqual({ ok: true, value: {} });
  });

  it('keeps the fields given, in a fixed order, and drops nulls', () => {
    expect(parsePolicyScope({ currency: 'USD', account_type: 'customer', account_id: null })).toEqual({ ok: true, value: { account_type: 'customer', currency: 'USD' } });
    expect(Object.keys((parsePolicyScope({ currency: 'USD', account_id: 'a' }) as { value: object }).value)).toEqual(['account_id', 'currency']);
  });

  it('refuses unknown fields, bad currencies and empty text', () => {
    expect(parsePolicyScope({ customer: 'x', currency: 'dollars', account_type: '' })).toEqual({
      ok: false,
      fields: { 'scope.customer': [expect.any(String)], 'scope.currency': ['must be a currency code'], 'scope.account_type': [expect.any(String)] },
    });
    expect(parsePolicyScope('USD')).toEqual({ ok: false, fields: { scope: ['must be an object'] } });
  });
});

describe('policyNameErrors', () => {
  it('takes 1 to POLICY_NAME_LENGTH_MAX characters', () => {
    expect(policyNameErrors('x')).toBeNull();
    expect(policyNameErrors('x'.repeat(POLICY_NAME_LENGTH_MAX))).toBeNull();
    expect(policyNameErrors('x'.repeat(POLICY_NAME_LENGTH_MAX + 1))).toEqual({ name: [expect.any(String)] });
    expect(policyNameErrors('  ')).toEqual({ name: [expect.any(String)] });
    expect(policyNameErrors(7)).toEqual({ name: [expect.any(String)] });
  });
});

describe('scopeErrors', () => {
  it('refuses a scope currency other than the limit currency (it could never apply)', () => {
    expect(scopeErrors(amountLimit('USD', 1n), { currency: 'EUR' })).toEqual({ 'scope.currency': [expect.any(String)] });
    expect(scopeErrors(amountLimit('USD', 1n), { currency: 'USD' })).toBeNull();
  });

  it('refuses an allowlist scoped to one account (it judges accounts being opened)', () => {
    expect(scopeErrors(currencyAllowlist('USD'), { account_id: 'a' })).toEqual({ 'scope.account_id': [expect.any(String)] });
    expect(scopeErrors(currencyAllowlist('USD'), { account_type: 'merchant', currency: 'EUR' })).toBeNull();
  });
});

describe('inScope', () => {
  const alice = { id: 'alice', account_type: 'customer', currency: 'USD' };

  it.each([
    [{}, true],
    [{ account_id: 'alice' }, true],
    [{ account_id: 'bob' }, false],
    [{ account_type: 'customer', currency: 'USD' }, true],
    [{ account_type: 'customer', currency: 'EUR' }, false],
    [{ account_id: 'alice', account_type: 'merchant' }, false],
  ])('%j matches alice: %s', (scope, matches) => {
    expect(inScope(scope, alice)).toBe(matches);
  });
});

describe('the wire form', () => {
  it.each([amountLimit('USD', 5n), velocityLimit('EUR', 7n, 60), velocityLimit('EUR', 7n, 60, 4), currencyAllowlist('USD', 'EUR'), balanceMonitor('USD', -3n, 'below')])(
    'round-trips %j with money as strings',
    (rule) => {
      const data = policyRuleData(rule);
      expect(JSON.stringify(data)).not.toMatch(/\d+n/);
      expect(policyRuleFromData(JSON.parse(JSON.stringify(data)))).toEqual(rule);
    },
  );

  it('leaves max_count out when it is not set', () => {
    expect(policyRuleData(velocityLimit('USD', 1n, 60)).params).toEqual({ currency: 'USD', max_amount: '1', window_seconds: 60 });
  });
});

describe('withPolicy (the index of active policies)', () => {
  const policy = (id: string, rule: PolicyRule, status: Policy['status'] = 'active'): Policy => ({
    id,
    name: id,
    mode: 'enforce',
    scope: {},
    status,
    version: 1,
    created_at: '2030-01-01T00:00:00.000Z',
    updated_at: '2030-01-01T00:00:00.000Z',
    window_version: 1,
    ...rule,
  });

  it('indexes limits and monitors by currency and keeps creation order', () => {
    let active = NO_ACTIVE_POLICIES;
    active = withPolicy(active, policy('p1', velocityLimit('USD', 1n, 60)));
    active = withPolicy(active, policy('p2', amountLimit('USD', 1n)));
    active = withPolicy(active, policy('p3', amountLimit('EUR', 1n)));
    active = withPolicy(active, policy('p4', balanceMonitor('USD', 0n, 'below')));
    active = withPolicy(active, policy('p5', currencyAllowlist('USD')));

    expect(active.all.map((p) => p.id)).toEqual(['p1', 'p2', 'p3', 'p4', 'p5']);
    expect(active.limits_by_currency.get('USD')!.map((p) => p.id)).toEqual(['p1', 'p2']);
    expect(active.limits_by_currency.get('EUR')!.map((p) => p.id)).toEqual(['p3']);
    expect(active.velocity_by_currency.get('USD')!.map((p) => p.id)).toEqual(['p1']);
    expect(active.velocity_by_currency.has('EUR')).toBe(false);
    expect(active.monitors_by_currency.get('USD')!.map((p) => p.id)).toEqual(['p4']);
    expect(active.allowlists.map((p) => p.id)).toEqual(['p5']);
  });

  it('replaces an updated policy in its place, moves it between currencies, and drops a disabled one', () => {
    let active = withPolicy(withPolicy(NO_ACTIVE_POLICIES, policy('p1', amountLimit('USD', 1n))), policy('p2', amountLimit('USD', 2n)));
    const before = active;
    active = withPolicy(active, { ...policy('p1', amountLimit('EUR', 9n)), version: 2 });
    expect(active.all.map((p) => `${p.id}@${p.version}`)).toEqual(['p1@2', 'p2@1']);
    expect(active.limits_by_currency.get('USD')!.map((p) => p.id)).toEqual(['p2']);
    expect(active.limits_by_currency.get('EUR')!.map((p) => p.id)).toEqual(['p1']);

    active = withPolicy(active, policy('p2', amountLimit('USD', 2n), 'disabled'));
    expect(active.all.map((p) => p.id)).toEqual(['p1']);
    expect(active.limits_by_currency.has('USD')).toBe(false);
    // The index it was built from is untouched (a writer's overlay may be thrown away).
    expect(before.all.map((p) => `${p.id}@${p.version}`)).toEqual(['p1@1', 'p2@1']);
  });
});
