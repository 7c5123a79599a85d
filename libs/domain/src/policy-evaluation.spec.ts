// Over 300 lines on purpose: one given/when/then case per rule and per edge of it, in the order the rules are read.
// Deciding under tenant policies (decideControlled): every type in both modes, the velocity
// window's edges, refusals that leave the state unchanged, balance monitors firing once per
// crossing, and replay deciding every past command under the policy version then in force.
import { LedgerCommand } from './commands.js';
import { decide } from './decide.js';
import { DomainError, isDomainError } from './errors.js';
import { LedgerEvent } from './events.js';
import { ControlledDecision, decideControlled, policyCheckLabels } from './policy-evaluation.js';
import { evolve, initialState } from './state.js';
import { fold, serializeState, testContext } from './testing/given-when-then.js';
import {
  EUR,
  USD,
  accountCreated,
  captureHold,
  credit,
  debit,
  openAccount,
  placeHold,
  postTransaction,
  reverseTransaction,
} from './testing/ledger-fixtures.js';
import {
  SmallLedger,
  amountLimit,
  balanceMonitor,
  createPolicy,
  currencyAllowlist,
  disablePolicy,
  updatePolicy,
  velocityLimit,
} from './testing/policy-fixtures.js';

const T = Date.parse('2030-01-02T03:00:00.000Z');
/** The time `seconds` after T (the policies below are created at T). */
const at = (seconds: number) => new Date(T + seconds * 1000).toISOString();

// settlement accounts are assets (debit-normal); alice and bob are customers, carol a merchant.
const opened: LedgerEvent[] = [
  accountCreated('settlement', { normal_balance: 'debit', account_type: 'settlement' }),
  accountCreated('settlement-eur', { normal_balance: 'debit', account_type: 'settlement', currency: EUR }),
  accountCreated('alice'),
  accountCreated('bob'),
  accountCreated('carol', { account_type: 'merchant' }),
  accountCreated('alice-eur', { currency: EUR }),
];

const pay = (from: string, to: string, amount: bigint) => postTransaction([debit(from, amount), credit(to, amount)]);

/** alice, bob and alice-eur hold 1000 each, deposited an hour before T. */
function fundedLedger(): SmallLedger {
  const ledger = new SmallLedger(opened);
  ledger.accept(pay('settlement', 'alice', 1000n), at(-3600));
  ledger.accept(pay('settlement', 'bob', 1000n), at(-3600));
  ledger.accept(pay('settlement-eur', 'alice-eur', 1000n), at(-3600));
  return ledger;
}

function idOf(decision: ControlledDecision): string {
  const data = decision.events[0].data as { policy_id?: string; hold_id?: string; transaction_id?: string };
  return data.policy_id ?? data.hold_id ?? data.transaction_id!;
}

/** Refuses `command` at `now` and checks that nothing changed: no event, the same state. */
function refusedWithoutChange(ledger: SmallLedger, command: LedgerCommand, now: string): DomainError {
  const before = serializeState(ledger.state);
  const logLength = ledger.log.length;
  const error = ledger.refuse(command, now);
  expect(serializeState(ledger.state)).toBe(before);
  expect(ledger.log).toHaveLength(logLength);
  return error;
}

describe('without policies', () => {
  it('decides as decide() does, with no checks', () => {
    const ledger = fundedLedger();
    const command = pay('alice', 'bob', 10n);

    const controlled = decideControlled(ledger.state, command, testContext(at(1)));

    expect(controlled).toEqual({ events: decide(ledger.state, command, testContext(at(1))), checks: [] });
  });

  it('passes refusals of the ledger through unchanged', () => {
    const ledger = fundedLedger();
    const command = pay('alice', 'bob', 5000n);

    expect(decideControlled(ledger.state, command, testContext(at(1)))).toEqual(decide(ledger.state, command, testContext(at(1))));
  });
});

describe('amount_limit', () => {
  function withLimit(mode: 'enforce' | 'observe' = 'enforce') {
    const ledger = fundedLedger();
    const policyId = idOf(ledger.accept(createPolicy(amountLimit(USD, 500n), { name: 'max 500', mode, scope: { account_type: 'customer' } }), at(0)));
    return { ledger, policyId };
  }

  it('passes a posting of exactly the limit and reports the check', () => {
    const { ledger, policyId } = withLimit();

    const decision = ledger.accept(pay('alice', 'bob', 500n), at(1));

    expect(decision.checks).toEqual([
      {
        check: 'limit_check',
        outcome: 'passed',
        policy_id: policyId,
        name: 'max 500',
        type: 'amount_limit',
        version: 1,
        mode: 'enforce',
        account_id: 'alice',
        currency: USD,
        limit: '500',
        attempted: '500',
      },
    ]);
    expect(policyCheckLabels(decision.checks)).toEqual(['limit_check.passed']);
  });

  it('refuses one over with policy_violation naming the policy, the limit and the attempt, appending nothing', () => {
    const { ledger, policyId } = withLimit();

    const error = refusedWithoutChange(ledger, pay('alice', 'bob', 501n), at(1));

    expect(error).toEqual({
      kind: 'domain_error',
      code: 'policy_violation',
      message: expect.stringContaining('max 500'),
      details: { policy_id: policyId, name: 'max 500', type: 'amount_limit', version: 1, mode: 'enforce', account_id: 'alice', currency: USD, limit: '500', attempted: '501' },
    });
  });

  it("sums an account's debit entries in one posting", () => {
    const { ledger } = withLimit();

    const error = refusedWithoutChange(ledger, postTransaction([debit('alice', 300n), debit('alice', 201n), credit('bob', 501n)]), at(1));

    expect(error.details).toMatchObject({ account_id: 'alice', attempted: '501' });
  });

  it('judges each account in scope that money leaves, and nothing else', () => {
    const { ledger } = withLimit();

    const decision = ledger.accept(postTransaction([debit('alice', 100n), debit('bob', 200n), credit('carol', 300n)]), at(1));

    expect(decision.checks.map((c) => [c.account_id, c.attempted])).toEqual([
      ['alice', '100'],
      ['bob', '200'],
    ]);
    expect(policyCheckLabels(decision.checks)).toEqual(['limit_check.passed', 'limit_check.passed']);
  });

  it('does not apply to accounts out of scope, to money coming in, or to other currencies', () => {
    const { ledger } = withLimit();

    expect(ledger.accept(pay('settlement', 'alice', 5000n), at(1)).checks).toEqual([]);
    expect(ledger.accept(pay('alice-eur', 'settlement-eur', 900n), at(2)).checks).toEqual([]);
  });

  it('judges a hold at placement', () => {
    const { ledger } = withLimit();

    expect(refusedWithoutChange(ledger, placeHold('alice', 'carol', 501n), at(1)).details).toMatchObject({ attempted: '501' });
    expect(ledger.accept(placeHold('alice', 'carol', 500n), at(2)).checks).toMatchObject([{ outcome: 'passed', attempted: '500' }]);
  });

  it("does not judge a hold's capture again, even under a lower limit", () => {
    const { ledger, policyId } = withLimit();
    const holdId = idOf(ledger.accept(placeHold('alice', 'carol', 500n), at(1)));
    ledger.accept(updatePolicy(policyId, { params: { currency: USD, max_amount: '100' } }), at(2));

    expect(ledger.accept(captureHold(holdId), at(3)).checks).toEqual([]);
  });

  it('judges a reversal as the posting it is', () => {
    const { ledger } = withLimit();
    const depositId = ledger.accept(pay('settlement', 'alice', 600n), at(1)).events[0].data as { transaction_id: string };

    const error = refusedWithoutChange(ledger, reverseTransaction(depositId.transaction_id), at(2));

    expect(error.details).toMatchObject({ account_id: 'alice', attempted: '600', limit: '500' });
  });

  it('in observe mode lets a violation through and reports it', () => {
    const { ledger } = withLimit('observe');

    const decision = ledger.accept(pay('alice', 'bob', 501n), at(1));

    expect(decision.events.map((e) => e.type)).toEqual(['ledger.entry.posted']);
    expect(decision.checks).toMatchObject([{ outcome: 'observed_violation', mode: 'observe', limit: '500', attempted: '501' }]);
    expect(policyCheckLabels(decision.checks)).toEqual(['limit_check.observed_violation']);
  });

  it('never runs once disabled', () => {
    const { ledger, policyId } = withLimit();
    ledger.accept(disablePolicy(policyId), at(1));

    expect(ledger.accept(pay('alice', 'bob', 501n), at(2)).checks).toEqual([]);
  });

  it('judges with the version in force', () => {
    const { ledger, policyId } = withLimit();
    ledger.accept(updatePolicy(policyId, { params: { currency: USD, max_amount: '1000' } }), at(1));

    expect(ledger.accept(pay('alice', 'bob', 800n), at(2)).checks).toMatchObject([{ version: 2, limit: '1000', attempted: '800' }]);
  });

  it('is not judged by decide() alone', () => {
    const { ledger } = withLimit();

    expect(isDomainError(decide(ledger.state, pay('alice', 'bob', 501n), testContext(at(1))))).toBe(false);
  });

  it('lets the ledger refuse first what it would refuse anyway', () => {
    const { ledger } = withLimit();

    expect(ledger.refuse(pay('alice', 'bob', 5000n), at(1)).code).toBe('insufficient_funds');
  });
});

describe('velocity_limit', () => {
  // 100 per trailing 60 s per customer account, created at T.
  function withVelocity(options: { mode?: 'enforce' | 'observe'; max_count?: number } = {}) {
    const ledger = fundedLedger();
    const rule = velocityLimit(USD, 100n, 60, options.max_count ?? null);
    const policyId = idOf(ledger.accept(createPolicy(rule, { name: '100 a minute', mode: options.mode, scope: { account_type: 'customer' } }), at(0)));
    return { ledger, policyId };
  }

  it('counts from its creation: money out before it is not counted', () => {
    const ledger = fundedLedger();
    ledger.accept(pay('alice', 'carol', 90n), at(-10));
    ledger.accept(createPolicy(velocityLimit(USD, 100n, 60)), at(0));

    expect(ledger.accept(pay('alice', 'carol', 100n), at(1)).checks).toMatchObject([{ outcome: 'passed', used: '0', attempted: '100' }]);
  });

  it('passes exactly at the limit and refuses one over, naming what the window already used', () => {
    const { ledger, policyId } = withVelocity();
    ledger.accept(pay('alice', 'carol', 60n), at(1));

    expect(ledger.accept(pay('alice', 'carol', 40n), at(10)).checks).toEqual([
      {
        check: 'limit_check',
        outcome: 'passed',
        policy_id: policyId,
        name: '100 a minute',
        type: 'velocity_limit',
        version: 1,
        mode: 'enforce',
        account_id: 'alice',
        currency: USD,
        measure: 'amount',
        limit: '100',
        attempted: '40',
        used: '60',
        window_seconds: 60,
      },
    ]);
    const error = refusedWithoutChange(ledger, pay('alice', 'carol', 1n), at(20));
    expect(error.code).toBe('policy_violation');
    expect(error.details).toEqual({
      policy_id: policyId,
      name: '100 a minute',
      type: 'velocity_limit',
      version: 1,
      mode: 'enforce',
      account_id: 'alice',
      currency: USD,
      measure: 'amount',
      limit: '100',
      attempted: '1',
      used: '100',
      window_seconds: 60,
    });
  });

  it('stops counting a debit exactly when it leaves the window', () => {
    const { ledger } = withVelocity();
    ledger.accept(pay('alice', 'carol', 60n), at(1));
    ledger.accept(pay('alice', 'carol', 40n), at(10));

    // At T+60 the window is (T+0, T+60]: the 60 of T+1 is still in it.
    expect(refusedWithoutChange(ledger, pay('alice', 'carol', 1n), at(60)).details).toMatchObject({ used: '100' });
    // At T+61 it is (T+1, T+61]: the 60 has left; 40 used.
    expect(refusedWithoutChange(ledger, pay('alice', 'carol', 61n), at(61)).details).toMatchObject({ used: '40' });
    expect(ledger.accept(pay('alice', 'carol', 60n), at(61)).checks).toMatchObject([{ used: '40', attempted: '60' }]);
    // The 40 of T+10 counts through T+69 and leaves at T+70.
    expect(refusedWithoutChange(ledger, pay('alice', 'carol', 1n), at(69)).details).toMatchObject({ used: '100' });
    expect(ledger.accept(pay('alice', 'carol', 40n), at(70)).checks).toMatchObject([{ used: '60', attempted: '40' }]);
  });

  it('keeps a window per account', () => {
    const { ledger } = withVelocity();
    ledger.accept(pay('alice', 'carol', 100n), at(1));

    expect(ledger.accept(pay('bob', 'carol', 100n), at(2)).checks).toMatchObject([{ account_id: 'bob', used: '0' }]);
  });

  it('counts a hold at placement and not its capture again', () => {
    const { ledger } = withVelocity();
    const holdId = idOf(ledger.accept(placeHold('alice', 'carol', 60n), at(1)));
    expect(ledger.accept(captureHold(holdId), at(5)).checks).toEqual([]);

    expect(ledger.accept(pay('alice', 'carol', 40n), at(6)).checks).toMatchObject([{ used: '60' }]);
    expect(refusedWithoutChange(ledger, pay('alice', 'carol', 1n), at(7)).details).toMatchObject({ used: '100' });
  });

  it('limits how many postings and holds the window holds with max_count', () => {
    const { ledger } = withVelocity({ max_count: 2 });
    ledger.accept(pay('alice', 'carol', 1n), at(1));
    ledger.accept(placeHold('alice', 'carol', 1n), at(2));

    const error = refusedWithoutChange(ledger, pay('alice', 'carol', 1n), at(3));

    expect(error.details).toMatchObject({ measure: 'count', limit: '2', used: '2', attempted: '1', window_seconds: 60 });
    // Once the first leaves the window, one more fits.
    expect(ledger.accept(pay('alice', 'carol', 1n), at(61)).checks).toMatchObject([{ outcome: 'passed', measure: 'amount', used: '1' }]);
  });

  it('in observe mode lets a violation through, reports it, and counts it', () => {
    const { ledger } = withVelocity({ mode: 'observe' });

    expect(ledger.accept(pay('alice', 'carol', 150n), at(1)).checks).toMatchObject([{ outcome: 'observed_violation', used: '0', attempted: '150' }]);
    expect(ledger.accept(pay('alice', 'carol', 1n), at(2)).checks).toMatchObject([{ outcome: 'observed_violation', used: '150', attempted: '1' }]);
  });

  it('keeps the window across a new limit, and starts it again for a new window length', () => {
    const { ledger, policyId } = withVelocity();
    ledger.accept(pay('alice', 'carol', 100n), at(1));

    ledger.accept(updatePolicy(policyId, { params: { currency: USD, max_amount: '150', window_seconds: 60 } }), at(2));
    expect(ledger.accept(pay('alice', 'carol', 50n), at(3)).checks).toMatchObject([{ version: 2, used: '100' }]);
    expect(refusedWithoutChange(ledger, pay('alice', 'carol', 1n), at(4)).details).toMatchObject({ used: '150' });

    ledger.accept(updatePolicy(policyId, { params: { currency: USD, max_amount: '150', window_seconds: 120 } }), at(5));
    expect(ledger.accept(pay('alice', 'carol', 150n), at(6)).checks).toMatchObject([{ version: 3, used: '0', window_seconds: 120 }]);
  });

  // Two limits counting the same thing share one window object (countVelocity); a change to one
  // must leave the other's window as it was, and each must go on counting on its own.
  it('keeps two limits with the same window apart once one of them changes its window', () => {
    const ledger = fundedLedger();
    const first = idOf(ledger.accept(createPolicy(velocityLimit(USD, 1000n, 60), { name: 'first' }), at(0)));
    ledger.accept(createPolicy(velocityLimit(USD, 1000n, 60), { name: 'second' }), at(0));
    ledger.accept(pay('alice', 'carol', 100n), at(1));
    ledger.accept(pay('alice', 'carol', 200n), at(2));
    expect(ledger.accept(pay('alice', 'carol', 50n), at(3)).checks).toMatchObject([{ name: 'first', used: '300' }, { name: 'second', used: '300' }]);

    ledger.accept(updatePolicy(first, { params: { currency: USD, max_amount: '1000', window_seconds: 120 } }), at(4));
    expect(ledger.accept(pay('alice', 'carol', 10n), at(5)).checks).toMatchObject([{ name: 'first', used: '0' }, { name: 'second', used: '350' }]);
    expect(ledger.accept(pay('alice', 'carol', 1n), at(6)).checks).toMatchObject([{ name: 'first', used: '10' }, { name: 'second', used: '360' }]);
    // Folding the same log from scratch gives the same windows as folding it as decided.
    expect(serializeState(fold(ledger.log))).toBe(serializeState(ledger.state));
  });
});

describe('currency_allowlist', () => {
  function withAllowlist(mode: 'enforce' | 'observe' = 'enforce', scope = {}) {
    const ledger = fundedLedger();
    const policyId = idOf(ledger.accept(createPolicy(currencyAllowlist(USD, EUR), { name: 'USD and EUR only', mode, scope }), at(0)));
    return { ledger, policyId };
  }

  it('opens an account in a listed currency and reports an allowlist_check', () => {
    const { ledger, policyId } = withAllowlist();

    const decision = ledger.accept(openAccount({ currency: EUR }), at(1));

    expect(decision.checks).toEqual([
      {
        check: 'allowlist_check',
        outcome: 'passed',
        policy_id: policyId,
        name: 'USD and EUR only',
        type: 'currency_allowlist',
        version: 1,
        mode: 'enforce',
        account_id: (decision.events[0].data as { account_id: string }).account_id,
        currency: EUR,
        limit: [USD, EUR],
        attempted: EUR,
      },
    ]);
    expect(policyCheckLabels(decision.checks)).toEqual(['allowlist_check.passed']);
  });

  it('refuses an account in another currency, naming the list and the currency, opening nothing', () => {
    const { ledger, policyId } = withAllowlist();

    const error = refusedWithoutChange(ledger, openAccount({ currency: 'GBP' }), at(1));

    expect(error).toMatchObject({ code: 'policy_violation', message: expect.stringContaining('GBP') });
    expect(error.details).toEqual({ policy_id: policyId, name: 'USD and EUR only', type: 'currency_allowlist', version: 1, mode: 'enforce', currency: 'GBP', limit: [USD, EUR], attempted: 'GBP' });
  });

  it('applies only to accounts in its scope', () => {
    const { ledger } = withAllowlist('enforce', { account_type: 'merchant' });

    expect(ledger.accept(openAccount({ currency: 'GBP', account_type: 'customer' }), at(1)).checks).toEqual([]);
    expect(ledger.refuse(openAccount({ currency: 'GBP', account_type: 'merchant' }), at(2)).code).toBe('policy_violation');
  });

  it('in observe mode opens the account and reports the violation', () => {
    const { ledger } = withAllowlist('observe');

    const decision = ledger.accept(openAccount({ currency: 'GBP' }), at(1));

    expect(decision.events.map((e) => e.type)).toEqual(['account.created']);
    expect(policyCheckLabels(decision.checks)).toEqual(['allowlist_check.observed_violation']);
  });

  it('does not judge postings', () => {
    const { ledger } = withAllowlist();

    expect(ledger.accept(pay('alice', 'bob', 1n), at(1)).checks).toEqual([]);
  });
});

describe('balance_monitor', () => {
  function withMonitor(threshold: bigint, when: 'below' | 'above', options: { mode?: 'enforce' | 'observe'; scope?: object } = {}) {
    const ledger = fundedLedger();
    const policyId = idOf(ledger.accept(createPolicy(balanceMonitor(USD, threshold, when), { name: 'low balance', mode: options.mode, scope: options.scope ?? { account_type: 'customer' } }), at(0)));
    return { ledger, policyId };
  }

  const triggers = (decision: ControlledDecision) => decision.events.filter((e) => e.type === 'balance.monitor.triggered').map((e) => e.data);

  it("appends balance.monitor.triggered after the command's events when available drops below the threshold", () => {
    const { ledger, policyId } = withMonitor(100n, 'below');

    const decision = ledger.accept(pay('alice', 'carol', 950n), at(1));

    expect(decision.events.map((e) => e.type)).toEqual(['ledger.entry.posted', 'balance.monitor.triggered']);
    expect(decision.events[1].data).toEqual({
      policy_id: policyId,
      policy_version: 1,
      name: 'low balance',
      account_id: 'alice',
      currency: USD,
      threshold: '100',
      when: 'below',
      balance: '50',
      balance_before: '1000',
      triggered_at: at(1),
    });
    // A monitor is not a limit: it adds no check.
    expect(decision.checks).toEqual([]);
  });

  it('fires once per crossing, not on every posting while beyond, and again after coming back', () => {
    const { ledger } = withMonitor(100n, 'below');
    expect(triggers(ledger.accept(pay('alice', 'carol', 950n), at(1)))).toHaveLength(1);

    expect(triggers(ledger.accept(pay('alice', 'carol', 10n), at(2)))).toEqual([]);
    expect(triggers(ledger.accept(pay('settlement', 'alice', 500n), at(3)))).toEqual([]);
    expect(triggers(ledger.accept(pay('alice', 'carol', 500n), at(4)))).toMatchObject([{ balance: '40', balance_before: '540' }]);
  });

  it('does not count a balance exactly at the threshold as beyond it', () => {
    const { ledger } = withMonitor(100n, 'below');

    expect(triggers(ledger.accept(pay('alice', 'carol', 900n), at(1)))).toEqual([]);
    expect(triggers(ledger.accept(pay('alice', 'carol', 1n), at(2)))).toMatchObject([{ balance: '99', balance_before: '100' }]);
  });

  it('watches available balance: a hold can cross the threshold', () => {
    const { ledger } = withMonitor(100n, 'below');

    expect(triggers(ledger.accept(placeHold('alice', 'carol', 950n), at(1)))).toMatchObject([{ account_id: 'alice', balance: '50' }]);
  });

  it('fires when a balance rises above an `above` threshold', () => {
    const { ledger } = withMonitor(1500n, 'above');

    expect(triggers(ledger.accept(pay('settlement', 'bob', 600n), at(1)))).toMatchObject([{ account_id: 'bob', when: 'above', balance: '1600', balance_before: '1000' }]);
  });

  it('watches only accounts in its scope', () => {
    const { ledger } = withMonitor(100n, 'below', { scope: { account_id: 'bob' } });

    expect(triggers(ledger.accept(pay('alice', 'carol', 950n), at(1)))).toEqual([]);
    expect(triggers(ledger.accept(pay('bob', 'carol', 950n), at(2)))).toMatchObject([{ account_id: 'bob' }]);
  });

  it('never refuses, and fires in observe mode too', () => {
    const { ledger } = withMonitor(100n, 'below', { mode: 'observe' });

    expect(triggers(ledger.accept(pay('alice', 'carol', 1000n), at(1)))).toMatchObject([{ balance: '0' }]);
  });

  it('fires several monitors in creation order, after the whole command', () => {
    const { ledger } = withMonitor(100n, 'below');
    const secondId = idOf(ledger.accept(createPolicy(balanceMonitor(USD, 500n, 'below'), { name: 'half' }), at(0)));

    const decision = ledger.accept(postTransaction([debit('alice', 600n), debit('alice', 350n), credit('carol', 950n)]), at(1));

    expect(decision.events.map((e) => e.type)).toEqual(['ledger.entry.posted', 'balance.monitor.triggered', 'balance.monitor.triggered']);
    expect(triggers(decision).map((t) => [t.name, t.balance])).toEqual([
      ['low balance', '50'],
      ['half', '50'],
    ]);
    expect(triggers(decision)[1]).toMatchObject({ policy_id: secondId });
  });
});

describe('replay', () => {
  /**
   * A tenant's history with policies changing mid-stream: limits created, a limit lowered, one
   * set to observe, one disabled, a monitor added; commands accepted and refused between.
   */
  function history(): SmallLedger {
    const ledger = fundedLedger();
    const velocityId = idOf(ledger.accept(createPolicy(velocityLimit(USD, 100n, 60), { scope: { account_type: 'customer' } }), at(0)));
    const amountId = idOf(ledger.accept(createPolicy(amountLimit(USD, 80n)), at(0)));
    ledger.accept(pay('alice', 'carol', 50n), at(1));
    ledger.refuse(pay('alice', 'carol', 60n), at(2)); // velocity: 110 > 100
    ledger.accept(updatePolicy(amountId, { params: { currency: USD, max_amount: '40' } }), at(3));
    ledger.refuse(pay('alice', 'carol', 45n), at(4)); // amount: 45 > 40 (version 2)
    ledger.accept(pay('alice', 'carol', 40n), at(5));
    ledger.accept(updatePolicy(velocityId, { mode: 'observe' }), at(6));
    ledger.accept(pay('alice', 'carol', 30n), at(7)); // velocity observed: 120 > 100
    ledger.accept(disablePolicy(amountId), at(8));
    ledger.accept(createPolicy(balanceMonitor(USD, 800n, 'below')), at(9));
    ledger.accept(placeHold('alice', 'carol', 70n), at(70)); // window empty again; alice 880 -> 810
    ledger.accept(pay('alice', 'carol', 25n), at(71)); // 95 in the window; alice 810 -> 785 crosses 800
    ledger.accept(openAccount({ currency: 'GBP' }), at(72));
    return ledger;
  }

  it('decides every past command, against the state folded up to it, exactly as it was decided', () => {
    const ledger = history();
    const replayed = initialState();

    for (const past of ledger.decided) {
      while (replayed.revision < past.revisionBefore) {
        const revision = replayed.revision + 1n;
        evolve(replayed, ledger.log[Number(revision)], revision);
      }
      expect(decideControlled(replayed, past.command, testContext(past.now, past.idPrefix))).toEqual(past.outcome);
    }
    while (replayed.revision + 1n < BigInt(ledger.log.length)) evolve(replayed, ledger.log[Number(replayed.revision + 1n)], replayed.revision + 1n);
    expect(serializeState(replayed)).toBe(serializeState(ledger.state));
  });

  it('gave outcomes that the policies in force today would not (so the test above sees versions)', () => {
    const ledger = history();
    const outcomes = ledger.decided.map((past) => decideControlled(ledger.state, past.command, testContext(past.now, past.idPrefix)));
    const codes = (list: (ControlledDecision | DomainError)[]) => list.map((o) => (isDomainError(o) ? o.code : 'accepted'));

    expect(codes(ledger.decided.map((d) => d.outcome))).not.toEqual(codes(outcomes));
    // The 45 refused under amount limit version 2 would pass today: that policy is disabled.
    const refusedAt4 = ledger.decided.findIndex((d) => d.now === at(4));
    expect(isDomainError(ledger.decided[refusedAt4].outcome)).toBe(true);
    expect(isDomainError(outcomes[refusedAt4])).toBe(false);
  });

  it('recorded the expected outcomes', () => {
    const ledger = history();
    const summary = ledger.decided.slice(3).map((d) => {
      if (isDomainError(d.outcome)) return `${d.now.slice(11, 19)} ${d.command.type} refused ${d.outcome.details.type}`;
      const labels = policyCheckLabels(d.outcome.checks).join(',');
      const monitors = d.outcome.events.filter((e) => e.type === 'balance.monitor.triggered').length;
      return `${d.now.slice(11, 19)} ${d.command.type} [${labels}]${monitors ? ` +${monitors} monitor` : ''}`;
    });

    expect(summary).toEqual([
      '03:00:00 create_policy []',
      '03:00:00 create_policy []',
      '03:00:01 post_transaction [limit_check.passed,limit_check.passed]',
      '03:00:02 post_transaction refused velocity_limit',
      '03:00:03 update_policy []',
      '03:00:04 post_transaction refused amount_limit',
      '03:00:05 post_transaction [limit_check.passed,limit_check.passed]',
      '03:00:06 update_policy []',
      '03:00:07 post_transaction [limit_check.observed_violation,limit_check.passed]',
      '03:00:08 disable_policy []',
      '03:00:09 create_policy []',
      '03:01:10 place_hold [limit_check.passed]',
      '03:01:11 post_transaction [limit_check.passed] +1 monitor',
      '03:01:12 open_account []',
    ]);
  });
});
