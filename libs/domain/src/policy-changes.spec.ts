// Deciding and folding policy changes: create, update, disable, their refusals (state unchanged),
// the limit on active policies, and what evolve keeps.
import { POLICIES_PER_TENANT_MAX } from './policies.js';
import { NOW, fold, given, serializeState } from './testing/given-when-then.js';
import { CREATED_AT, accountCreated } from './testing/ledger-fixtures.js';
import {
  amountLimit,
  balanceMonitor,
  createPolicy,
  currencyAllowlist,
  disablePolicy,
  policyCreated,
  policyDisabled,
  policyUpdated,
  updatePolicy,
  velocityLimit,
} from './testing/policy-fixtures.js';

const accounts = [accountCreated('alice'), accountCreated('bob', { account_type: 'merchant' })];
const limit500 = policyCreated('p-1', amountLimit('USD', 500n), { name: 'max 500', scope: { account_type: 'customer' } });

describe('create_policy', () => {
  it('appends policy.created with the whole policy at version 1, money as strings', () => {
    const outcome = given(...accounts).when(createPolicy(velocityLimit('USD', 1000n, 3600, 5), { name: 'hourly', mode: 'observe', scope: { currency: 'USD', account_id: 'alice' } }));

    expect(outcome.events()).toEqual([
      {
        type: 'policy.created',
        data: {
          policy_id: 'id-1',
          name: 'hourly',
          mode: 'observe',
          scope: { account_id: 'alice', currency: 'USD' },
          version: 1,
          created_at: NOW,
          type: 'velocity_limit',
          params: { currency: 'USD', max_amount: '1000', window_seconds: 3600, max_count: 5 },
        },
      },
    ]);
  });

  it('folds into an active policy in the index', () => {
    const state = given(...accounts).when(createPolicy(amountLimit('USD', 500n))).stateAfter();

    expect(state.policies!.get('id-1')).toEqual({
      id: 'id-1',
      name: 'amount_limit policy',
      mode: 'enforce',
      scope: {},
      status: 'active',
      version: 1,
      created_at: NOW,
      updated_at: NOW,
      window_version: 1,
      type: 'amount_limit',
      params: { currency: 'USD', max_amount: 500n },
    });
    expect(state.active_policies!.limits_by_currency.get('USD')!.map((p) => p.id)).toEqual(['id-1']);
  });

  it.each([
    ['a bad rule', createPolicy(amountLimit('USD', 0n)), 'params.max_amount'],
    ['an empty name', { ...createPolicy(amountLimit('USD', 1n)), name: '' }, 'name'],
    ['a bad mode', { ...createPolicy(amountLimit('USD', 1n)), mode: 'audit' as never }, 'mode'],
    ['a scope currency that is not the limit currency', createPolicy(amountLimit('USD', 1n), { scope: { currency: 'EUR' } }), 'scope.currency'],
    ['an allowlist scoped to one account', createPolicy(currencyAllowlist('USD'), { scope: { account_id: 'alice' } }), 'scope.account_id'],
    ['an unknown scope field', createPolicy(amountLimit('USD', 1n), { scope: { customer: 'x' } as never }), 'scope.customer'],
  ])('refuses %s as invalid_policy naming the field, changing nothing', (_name, command, field) => {
    const outcome = given(...accounts).when(command);

    expect(outcome.error().code).toBe('invalid_policy');
    expect(Object.keys(outcome.error().details.fields as object)).toContain(field);
    expect(serializeState(outcome.state)).toBe(serializeState(outcome.stateBefore));
    expect(outcome.ctx.issued).toEqual([]);
  });

  it('refuses a scope naming an unknown account as not_found', () => {
    const outcome = given(...accounts).when(createPolicy(amountLimit('USD', 1n), { scope: { account_id: 'nobody' } }));

    expect(outcome.error()).toMatchObject({ code: 'not_found', details: { account_id: 'nobody', field: 'scope.account_id' } });
  });

  describe(`at most ${POLICIES_PER_TENANT_MAX} active policies`, () => {
    const many = (count: number) => Array.from({ length: count }, (_, i) => policyCreated(`p-${i}`, amountLimit('USD', 1n)));

    it('creates the last one allowed', () => {
      expect(given(...many(POLICIES_PER_TENANT_MAX - 1)).when(createPolicy(amountLimit('USD', 1n))).events()).toHaveLength(1);
    });

    it('refuses one more with policy_limit_reached, changing nothing', () => {
      const outcome = given(...many(POLICIES_PER_TENANT_MAX)).when(createPolicy(amountLimit('USD', 1n)));

      expect(outcome.error()).toMatchObject({ code: 'policy_limit_reached', details: { active: POLICIES_PER_TENANT_MAX, limit: POLICIES_PER_TENANT_MAX } });
      expect(serializeState(outcome.state)).toBe(serializeState(outcome.stateBefore));
    });

    it('does not count disabled policies', () => {
      expect(given(...many(POLICIES_PER_TENANT_MAX), policyDisabled('p-0', 2)).when(createPolicy(amountLimit('USD', 1n))).events()).toHaveLength(1);
    });
  });
});

describe('update_policy', () => {
  it('appends policy.updated with the whole policy at version + 1, keeping what was not given', () => {
    const outcome = given(...accounts, limit500).when(updatePolicy('p-1', { params: { currency: 'USD', max_amount: '750' } }));

    expect(outcome.events()).toEqual([
      {
        type: 'policy.updated',
        data: {
          policy_id: 'p-1',
          name: 'max 500',
          mode: 'enforce',
          scope: { account_type: 'customer' },
          version: 2,
          updated_at: NOW,
          type: 'amount_limit',
          params: { currency: 'USD', max_amount: '750' },
        },
      },
    ]);
    const policy = outcome.stateAfter().policies!.get('p-1')!;
    expect(policy).toMatchObject({ version: 2, updated_at: NOW, created_at: CREATED_AT, params: { max_amount: 750n } });
  });

  it('changes mode and scope', () => {
    const outcome = given(...accounts, limit500).when(updatePolicy('p-1', { mode: 'observe', scope: { account_id: 'bob' } }));

    expect(outcome.events()[0].data).toMatchObject({ mode: 'observe', scope: { account_id: 'bob' }, params: { max_amount: '500' } });
  });

  it('parses params against the policy type from the log', () => {
    const outcome = given(...accounts, limit500).when(updatePolicy('p-1', { params: { currency: 'USD', max_amount: '1', window_seconds: 60 } }));

    expect(outcome.error()).toMatchObject({ code: 'invalid_policy', details: { fields: { 'params.window_seconds': ['is not a parameter of amount_limit'] } } });
    expect(serializeState(outcome.state)).toBe(serializeState(outcome.stateBefore));
  });

  it('refuses a change that gives nothing', () => {
    expect(given(...accounts, limit500).when(updatePolicy('p-1', {})).error().code).toBe('invalid_policy');
  });

  it('checks the new scope against the rule', () => {
    expect(given(...accounts, limit500).when(updatePolicy('p-1', { scope: { currency: 'EUR' } })).error().code).toBe('invalid_policy');
  });

  it('refuses an unknown policy as not_found', () => {
    expect(given(...accounts).when(updatePolicy('p-9', { mode: 'observe' })).error()).toMatchObject({ code: 'not_found', details: { policy_id: 'p-9' } });
  });

  it('refuses a disabled policy as policy_disabled', () => {
    const outcome = given(...accounts, limit500, policyDisabled('p-1', 2)).when(updatePolicy('p-1', { mode: 'observe' }));

    expect(outcome.error()).toMatchObject({ code: 'policy_disabled', details: { policy_id: 'p-1', version: 2 } });
  });

  it('starts a velocity window again only when what it counts changes', () => {
    const hourly = policyCreated('v-1', velocityLimit('USD', 100n, 3600));
    const windowVersionAfter = (...history: Parameters<typeof fold>[0]) => fold([...accounts, hourly, ...history]).policies!.get('v-1')!.window_version;

    expect(windowVersionAfter(policyUpdated('v-1', velocityLimit('USD', 200n, 3600, 3), 2, { mode: 'observe' }))).toBe(1);
    expect(windowVersionAfter(policyUpdated('v-1', velocityLimit('USD', 100n, 60), 2))).toBe(2);
    expect(windowVersionAfter(policyUpdated('v-1', velocityLimit('USD', 100n, 3600), 2, { scope: { account_type: 'customer' } }))).toBe(2);
    expect(windowVersionAfter(policyUpdated('v-1', velocityLimit('EUR', 100n, 3600), 2))).toBe(2);
  });
});

describe('disable_policy', () => {
  it('appends policy.disabled at version + 1 and takes the policy out of the index', () => {
    const outcome = given(...accounts, limit500).when(disablePolicy('p-1'));

    expect(outcome.events()).toEqual([{ type: 'policy.disabled', data: { policy_id: 'p-1', version: 2, disabled_at: NOW } }]);
    const state = outcome.stateAfter();
    expect(state.policies!.get('p-1')).toMatchObject({ status: 'disabled', version: 2, updated_at: NOW });
    expect(state.active_policies!.all).toEqual([]);
    expect(state.active_policies!.limits_by_currency.size).toBe(0);
  });

  it('changes nothing for a policy already disabled', () => {
    expect(given(...accounts, limit500, policyDisabled('p-1', 2)).when(disablePolicy('p-1')).events()).toEqual([]);
  });

  it('refuses an unknown policy as not_found', () => {
    expect(given(...accounts).when(disablePolicy('p-9')).error().code).toBe('not_found');
  });
});

describe('evolve with policy events', () => {
  it('replaces policy records instead of mutating them', () => {
    const state = fold([...accounts, limit500]);
    const before = state.policies!.get('p-1')!;
    const indexBefore = state.active_policies!;

    fold([policyUpdated('p-1', amountLimit('USD', 9n), 2), policyDisabled('p-1', 3)], state);

    expect(before).toMatchObject({ version: 1, status: 'active', params: { max_amount: 500n } });
    expect(indexBefore.all).toHaveLength(1);
    expect(state.policies!.get('p-1')).toMatchObject({ version: 3, status: 'disabled', params: { max_amount: 9n } });
  });

  it('folds a monitor trigger without changing anything but the revision', () => {
    const state = fold([...accounts, policyCreated('m-1', balanceMonitor('USD', 0n, 'below'))]);
    const before = serializeState(state);

    fold(
      [
        {
          type: 'balance.monitor.triggered',
          data: {
            policy_id: 'm-1',
            policy_version: 1,
            name: 'm',
            account_id: 'alice',
            currency: 'USD',
            threshold: '0',
            when: 'below',
            balance: '-1',
            balance_before: '0',
            triggered_at: NOW,
          },
        },
      ],
      state,
    );

    expect(serializeState(state)).toBe(before.replace(`"revision":"${state.revision - 1n}n"`, `"revision":"${state.revision}n"`));
  });

});
