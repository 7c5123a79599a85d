// Deriving a decided command's checks again (derivePolicyChecks), as evidence does: from the
// policy versions the log held when the command was decided, its accounts and its own event,
// the checks come out as the decision ran them (less what a velocity window held).
import { LedgerEvent } from './events.js';
import { activePoliciesOf } from './policies.js';
import { PolicyCheck, decideControlled, decideJudged, derivePolicyChecks, policyChecksOf } from './policy-evaluation.js';
import { LedgerState } from './state.js';
import { fold, testContext } from './testing/given-when-then.js';
import { EUR, USD, accountCreated, credit, debit, openAccount, placeHold, postTransaction, reverseTransaction } from './testing/ledger-fixtures.js';
import { Decided, SmallLedger, amountLimit, balanceMonitor, createPolicy, currencyAllowlist, disablePolicy, firstIdOf, updatePolicy, velocityLimit } from './testing/policy-fixtures.js';

const T = Date.parse('2030-01-02T03:00:00.000Z');
const at = (seconds: number) => new Date(T + seconds * 1000).toISOString();
const pay = (from: string, to: string, amount: bigint) => postTransaction([debit(from, amount), credit(to, amount)]);

const opened: LedgerEvent[] = [
  accountCreated('settlement', { normal_balance: 'debit', account_type: 'settlement' }),
  accountCreated('alice'),
  accountCreated('bob'),
  accountCreated('carol', { account_type: 'merchant' }),
];

/** The policies as evidence finds them: the log folded up to the revision the command was decided at. */
function stateAt(ledger: SmallLedger, revision: bigint): LedgerState {
  return fold(ledger.log.slice(0, Number(revision) + 1));
}

/** What evidence derives for each event of a decided command that holds what was judged. */
function derivedFor(ledger: SmallLedger, decided: Decided): PolicyCheck[] {
  if ('code' in decided.outcome) throw new Error('refused');
  const state = stateAt(ledger, decided.revisionBefore);
  const all = [...(state.policies as Map<string, import('./policies.js').Policy>).values()];
  // Another ledger's accounts: evidence reads them from the read model, never the writer's state.
  const accounts = fold(ledger.log).accounts;
  return derivePolicyChecks(activePoliciesOf(all), (id) => accounts.get(id), decided.outcome.events);
}

/** A decision's checks as evidence shows a passed one: no window usage. */
function withoutUsed(checks: readonly PolicyCheck[]): PolicyCheck[] {
  return checks.map(({ used: _used, ...rest }) => rest);
}

describe('derivePolicyChecks', () => {
  it('gives every decided command the checks it ran, under the policy version then in force, across updates and a disable', () => {
    const ledger = new SmallLedger(opened);
    ledger.accept(pay('settlement', 'alice', 5000n), at(-3600));
    ledger.accept(pay('settlement', 'bob', 5000n), at(-3600));
    ledger.accept(createPolicy(amountLimit(USD, 500n), { name: 'cap', scope: { account_type: 'customer' } }), at(0)); // c3
    ledger.accept(createPolicy(velocityLimit(USD, 2000n, 600), { name: 'pace' }), at(0)); // c4
    ledger.accept(createPolicy(amountLimit(EUR, 1n), { name: 'eur' }), at(0)); // c5: another currency, never applies
    ledger.accept(pay('alice', 'bob', 400n), at(1));
    ledger.accept(postTransaction([debit('alice', 100n), debit('bob', 200n), credit('carol', 300n)]), at(2));
    ledger.accept(placeHold('alice', 'carol', 300n), at(3));
    ledger.accept(updatePolicy(firstIdOf(3), { params: { currency: USD, max_amount: '900' } }), at(4));
    const afterUpdate = ledger.accept(pay('bob', 'alice', 800n), at(5));
    ledger.accept(reverseTransaction((afterUpdate.events[0].data as { transaction_id: string }).transaction_id), at(6));
    ledger.accept(disablePolicy(firstIdOf(4)), at(7));
    ledger.accept(pay('alice', 'carol', 50n), at(8));
    ledger.accept(createPolicy(currencyAllowlist(USD), { name: 'usd only', scope: { account_type: 'customer' } }), at(9));
    ledger.accept(openAccount({ customer: 'dave', currency: USD, account_type: 'customer' }), at(10));

    const judged = ledger.decided.filter((d) => !('code' in d.outcome) && d.outcome.checks.length > 0);
    expect(judged.length).toBe(7);
    for (const decided of judged) {
      if ('code' in decided.outcome) continue;
      expect(derivedFor(ledger, decided)).toEqual(withoutUsed(decided.outcome.checks));
    }
    // The posting after the update names the new limit; the one before it, the old.
    expect(derivedFor(ledger, ledger.decided[5]).map((c) => [c.name, c.version, c.limit])).toEqual([
      ['cap', 1, '500'],
      ['pace', 1, '2000'],
    ]);
    expect(derivedFor(ledger, ledger.decided[9]).map((c) => [c.name, c.version, c.limit])).toEqual([
      ['cap', 2, '900'],
      ['pace', 1, '2000'],
    ]);
  });

  it('derives nothing for commands no policy judged: out of scope, in another currency, or before any policy', () => {
    const ledger = new SmallLedger(opened);
    ledger.accept(pay('settlement', 'alice', 5000n), at(-1));
    ledger.accept(createPolicy(amountLimit(USD, 500n), { scope: { account_type: 'customer' } }), at(0));
    ledger.accept(pay('settlement', 'carol', 5000n), at(1));
    for (const decided of ledger.decided) expect(derivedFor(ledger, decided)).toEqual([]);
  });

  it('reads an observed violation as passed (the writer stores violations in full; evidence prefers them)', () => {
    const ledger = new SmallLedger(opened);
    ledger.accept(pay('settlement', 'alice', 5000n), at(-1));
    ledger.accept(createPolicy(amountLimit(USD, 100n), { mode: 'observe' }), at(0));
    const decision = ledger.accept(pay('alice', 'bob', 150n), at(1));
    expect(decision.checks.map((c) => c.outcome)).toEqual(['observed_violation']);
    expect(derivedFor(ledger, ledger.decided[2]).map((c) => [c.outcome, c.limit, c.attempted])).toEqual([['passed', '100', '150']]);
  });
});

// The writer keeps of a decision's checks only what its events store (decideJudged 'violations'):
// a count, the violations, and every check only when an event cannot derive them.
describe("decideJudged keeping the violations only (the writer's way)", () => {
  const judgedBoth = (ledger: SmallLedger, command: Parameters<typeof decideJudged>[1], now: string) => {
    const lean = decideJudged(ledger.state, command, testContext(now, 'lean'), 'violations');
    const all = decideControlled(ledger.state, command, testContext(now, 'all'));
    if ('code' in lean || 'code' in all) throw new Error('refused');
    return { lean, all };
  };

  it('counts passed checks without keeping them, and keeps an observed violation exactly as decideControlled records it', () => {
    const ledger = new SmallLedger(opened);
    ledger.accept(pay('settlement', 'alice', 5000n), at(-1));
    ledger.accept(createPolicy(amountLimit(USD, 1000n), { name: 'cap' }), at(0));
    ledger.accept(createPolicy(velocityLimit(USD, 100n, 60), { name: 'pace', mode: 'observe' }), at(0));
    ledger.accept(pay('alice', 'bob', 60n), at(1));

    const passed = judgedBoth(ledger, pay('alice', 'bob', 30n), at(2));
    expect(passed.lean.checks_run).toBe(2);
    expect(passed.lean.judged).toEqual([]);
    expect(passed.all.checks.map((c) => c.outcome)).toEqual(['passed', 'passed']);

    const over = judgedBoth(ledger, pay('alice', 'bob', 50n), at(3));
    expect(over.lean.checks_run).toBe(2);
    expect(policyChecksOf(over.lean.judged)).toEqual(over.all.checks.filter((c) => c.outcome !== 'passed'));
    expect(policyChecksOf(over.lean.judged)).toMatchObject([{ name: 'pace', outcome: 'observed_violation', used: '60', attempted: '50' }]);
  });

  it('keeps every check when an event cannot derive them (a balance monitor fires after the posting)', () => {
    const ledger = new SmallLedger(opened);
    ledger.accept(pay('settlement', 'alice', 5000n), at(-1));
    ledger.accept(createPolicy(amountLimit(USD, 1000n), { name: 'cap' }), at(0));
    ledger.accept(createPolicy(balanceMonitor(USD, 4500n, 'below'), { name: 'low' }), at(0));
    const { lean, all } = judgedBoth(ledger, pay('alice', 'bob', 600n), at(1));
    expect(lean.events.map((e) => e.type)).toEqual(['ledger.entry.posted', 'balance.monitor.triggered']);
    expect(lean.checks_run).toBe(1);
    expect(policyChecksOf(lean.judged)).toEqual(all.checks);
    expect(all.checks).toMatchObject([{ name: 'cap', outcome: 'passed', attempted: '600' }]);
  });
});
