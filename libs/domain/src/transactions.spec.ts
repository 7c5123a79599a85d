// Over 300 lines on purpose: one given/when/then case per rule and per edge of it, in the order the rules are read.
// Decider specs for post_transaction: balance per currency, funds, status, currency, atomicity.
import { EntryInput } from './commands.js';
import { decide } from './decide.js';
import { entryIdOf, postingOf } from './stored-posting.js';
import { isDomainError } from './errors.js';
import { EntryPostedData, LedgerEvent } from './events.js';
import { ENTRIES_PER_TRANSACTION_MAX } from './limits.js';
import { AMOUNT_MAX } from './money.js';
import { NOW, fold, given, serializeState, testContext } from './testing/given-when-then.js';
import { EUR, USD, accountCreated, credit, debit, figures, postTransaction, posted, statusChanged } from './testing/ledger-fixtures.js';

// settlement is an asset (debit-normal); alice, bob and carol are customer liabilities (credit-normal).
const opened: LedgerEvent[] = [
  accountCreated('settlement', { normal_balance: 'debit', account_type: 'settlement' }),
  accountCreated('alice'),
  accountCreated('bob'),
  accountCreated('carol'),
];
const aliceDeposited100 = posted('tx-deposit', [
  { account_id: 'settlement', direction: 'debit', amount: '100', balance_after: figures({ debits_posted: '100', posted: '100', available: '100' }) },
  { account_id: 'alice', direction: 'credit', amount: '100', balance_after: figures({ credits_posted: '100', posted: '100', available: '100' }) },
]);
// Holds are not yet a command; a recorded entry's figures are how pending counters reach the state.
const aliceHolds60Of100 = posted('tx-hold', [
  { account_id: 'alice', direction: 'debit', amount: '0', balance_after: figures({ credits_posted: '100', debits_pending: '60', posted: '100', available: '40' }) },
]);

function postedData(events: LedgerEvent[]): EntryPostedData {
  expect(events).toHaveLength(1);
  const [event] = events;
  if (event.type !== 'ledger.entry.posted') throw new Error(`expected ledger.entry.posted, got ${event.type}`);
  return postingOf(event.data);
}

describe('post_transaction', () => {
  describe('accepted postings', () => {
    it('posts a balanced transfer with the ids, time and texts from the command and context', () => {
      const outcome = given(...opened, aliceDeposited100).when(
        postTransaction([debit('alice', 30n), credit('bob', 30n)], {
          description: 'rent',
          reference: 'inv-7',
          metadata: { month: '2030-01' },
        }),
      );

      expect(outcome.events()).toEqual([
        {
          type: 'ledger.entry.posted',
          data: {
            transaction_id: 'id-1',
            description: 'rent',
            reference: 'inv-7',
            metadata: { month: '2030-01' },
            posted_at: NOW,
            entries: [
              {
                entry_id: entryIdOf('id-1', 0),
                account_id: 'alice',
                direction: 'debit',
                amount: '30',
                currency: 'USD',
                balance_after: figures({ debits_posted: '30', credits_posted: '100', posted: '70', available: '70' }),
              },
              {
                entry_id: entryIdOf('id-1', 1),
                account_id: 'bob',
                direction: 'credit',
                amount: '30',
                currency: 'USD',
                balance_after: figures({ credits_posted: '30', posted: '30', available: '30' }),
              },
            ],
          },
        },
      ]);
    });

    it('debiting a debit-normal account raises its balance (a deposit from an empty ledger)', () => {
      const outcome = given(...opened).when(postTransaction([debit('settlement', 100n), credit('alice', 100n)]));

      expect(postedData(outcome.events()).entries.map((e) => e.balance_after)).toEqual([
        figures({ debits_posted: '100', posted: '100', available: '100' }),
        figures({ credits_posted: '100', posted: '100', available: '100' }),
      ]);
    });

    it('crediting a debit-normal account lowers its balance (a payout)', () => {
      const outcome = given(...opened, aliceDeposited100).when(postTransaction([debit('alice', 40n), credit('settlement', 40n)]));

      expect(postedData(outcome.events()).entries.map((e) => [e.account_id, e.balance_after])).toEqual([
        ['alice', figures({ debits_posted: '40', credits_posted: '100', posted: '60', available: '60' })],
        ['settlement', figures({ debits_posted: '100', credits_posted: '40', posted: '60', available: '60' })],
      ]);
    });

    it('records pending counters and the available balance they leave', () => {
      const outcome = given(...opened, aliceDeposited100, aliceHolds60Of100).when(postTransaction([debit('alice', 30n), credit('bob', 30n)]));

      expect(postedData(outcome.events()).entries[0].balance_after).toEqual(
        figures({ debits_posted: '30', credits_posted: '100', debits_pending: '60', posted: '70', available: '10' }),
      );
    });

    it('records a running balance_after when the same account appears twice', () => {
      const outcome = given(...opened, aliceDeposited100).when(
        postTransaction([debit('alice', 10n), debit('alice', 20n), credit('bob', 30n)]),
      );

      expect(postedData(outcome.events()).entries.map((e) => [e.entry_id, e.account_id, e.balance_after])).toEqual([
        [entryIdOf('id-1', 0), 'alice', figures({ debits_posted: '10', credits_posted: '100', posted: '90', available: '90' })],
        [entryIdOf('id-1', 1), 'alice', figures({ debits_posted: '30', credits_posted: '100', posted: '70', available: '70' })],
        [entryIdOf('id-1', 2), 'bob', figures({ credits_posted: '30', posted: '30', available: '30' })],
      ]);
      expect(postedData(outcome.events()).transaction_id).toBe('id-1');
      expect(outcome.stateAfter().accounts.get('alice')).toMatchObject({ debits_posted: 30n, credits_posted: 100n });
    });

    it('records a running balance_after when one account is both debited and credited', () => {
      const outcome = given(...opened, aliceDeposited100).when(postTransaction([credit('alice', 5n), debit('alice', 5n)]));

      expect(postedData(outcome.events()).entries.map((e) => e.balance_after)).toEqual([
        figures({ credits_posted: '105', posted: '105', available: '105' }),
        figures({ debits_posted: '5', credits_posted: '105', posted: '100', available: '100' }),
      ]);
    });

    it('accepts a debit that takes the available balance exactly to zero', () => {
      const outcome = given(...opened, aliceDeposited100).when(postTransaction([debit('alice', 100n), credit('bob', 100n)]));

      expect(postedData(outcome.events()).entries[0].balance_after).toEqual(
        figures({ debits_posted: '100', credits_posted: '100', posted: '0', available: '0' }),
      );
    });

    it('accepts a matching currency on the entry', () => {
      const outcome = given(...opened, aliceDeposited100).when(postTransaction([debit('alice', 1n, USD), credit('bob', 1n, USD)]));
      expect(postedData(outcome.events()).entries.map((e) => e.currency)).toEqual(['USD', 'USD']);
    });

    it('accepts a multi-currency transaction balanced in each currency', () => {
      const outcome = given(
        ...opened,
        aliceDeposited100,
        accountCreated('alice-eur', { currency: EUR }),
        accountCreated('fx-usd', { allow_negative: true, account_type: 'operating' }),
        accountCreated('fx-eur', { currency: EUR, allow_negative: true, account_type: 'operating' }),
      ).when(postTransaction([debit('alice', 100n), credit('fx-usd', 100n), debit('fx-eur', 92n), credit('alice-eur', 92n)]));

      expect(postedData(outcome.events()).entries.map((e) => [e.account_id, e.currency, e.amount, e.balance_after.posted])).toEqual([
        ['alice', 'USD', '100', '0'],
        ['fx-usd', 'USD', '100', '100'],
        ['fx-eur', 'EUR', '92', '-92'],
        ['alice-eur', 'EUR', '92', '92'],
      ]);
    });

    it('lets an allow_negative account go below zero', () => {
      const outcome = given(...opened, accountCreated('float', { allow_negative: true })).when(postTransaction([debit('float', 500n), credit('bob', 500n)]));

      expect(postedData(outcome.events()).entries[0].balance_after).toEqual(figures({ debits_posted: '500', posted: '-500', available: '-500' }));
    });

    it('lets an allow_negative debit-normal account go below zero', () => {
      const outcome = given(...opened, aliceDeposited100, accountCreated('clearing', { normal_balance: 'debit', allow_negative: true })).when(
        postTransaction([debit('alice', 7n), credit('clearing', 7n)]),
      );

      expect(postedData(outcome.events()).entries[1].balance_after).toEqual(figures({ credits_posted: '7', posted: '-7', available: '-7' }));
    });

    it('keeps balances exact beyond 2^63 - 1 (no overflow)', () => {
      const outcome = given(...opened, accountCreated('float', { allow_negative: true })).when(
        postTransaction([debit('float', AMOUNT_MAX), debit('float', AMOUNT_MAX), credit('bob', AMOUNT_MAX), credit('bob', AMOUNT_MAX)]),
      );

      const entries = postedData(outcome.events()).entries;
      expect(entries[1].balance_after).toEqual(
        figures({ debits_posted: '18446744073709551614', posted: '-18446744073709551614', available: '-18446744073709551614' }),
      );
      expect(entries[3].balance_after).toEqual(
        figures({ credits_posted: '18446744073709551614', posted: '18446744073709551614', available: '18446744073709551614' }),
      );
      expect(outcome.stateAfter().accounts.get('bob')?.credits_posted).toBe(18446744073709551614n);
    });

    it('folds into a state whose counters equal the last recorded figures of each account', () => {
      const outcome = given(...opened, aliceDeposited100).when(postTransaction([debit('alice', 60n), credit('bob', 50n), credit('carol', 10n)]));

      const after = outcome.stateAfter();
      expect(after.revision).toBe(5n); // four accounts and a deposit at 0..4, this posting at 5
      expect(after.accounts.get('alice')).toMatchObject({ debits_posted: 60n, credits_posted: 100n, debits_pending: 0n, credits_pending: 0n });
      expect(after.accounts.get('bob')).toMatchObject({ debits_posted: 0n, credits_posted: 50n });
      expect(after.accounts.get('carol')).toMatchObject({ debits_posted: 0n, credits_posted: 10n });
      expect(after.accounts.get('settlement')).toMatchObject({ debits_posted: 100n, credits_posted: 0n });
    });

    it('is deterministic: the same state, command and context give the same events', () => {
      const command = postTransaction([debit('alice', 60n), credit('bob', 60n)], { description: 'same' });
      const first = given(...opened, aliceDeposited100).when(command).events();
      const second = given(...opened, aliceDeposited100).when(command).events();
      expect(second).toEqual(first);
    });

    it('leaves the state it decided against untouched', () => {
      const outcome = given(...opened, aliceDeposited100).when(postTransaction([debit('alice', 60n), credit('bob', 60n)]));
      expect(outcome.events()).toHaveLength(1);
      expect(serializeState(outcome.state)).toBe(serializeState(outcome.stateBefore));
    });
  });

  describe('unbalanced_transaction', () => {
    it('refuses more debits than credits', () => {
      const outcome = given(...opened, aliceDeposited100).when(postTransaction([debit('alice', 30n), credit('bob', 29n)]));

      expect(outcome.error()).toEqual({
        kind: 'domain_error',
        code: 'unbalanced_transaction',
        message: 'debits and credits differ for USD',
        details: { currency: 'USD', debits_minus_credits: '1' },
      });
    });

    it('refuses more credits than debits', () => {
      const outcome = given(...opened, aliceDeposited100).when(postTransaction([debit('alice', 30n), credit('bob', 20n), credit('carol', 11n)]));

      expect(outcome.error()).toMatchObject({ code: 'unbalanced_transaction', details: { currency: 'USD', debits_minus_credits: '-1' } });
    });

    it('refuses a transaction balanced in total but not per currency', () => {
      const outcome = given(...opened, aliceDeposited100, accountCreated('alice-eur', { currency: EUR })).when(
        postTransaction([debit('alice', 100n), credit('alice-eur', 100n)]),
      );

      expect(outcome.error()).toEqual({
        kind: 'domain_error',
        code: 'unbalanced_transaction',
        message: 'debits and credits differ for USD',
        details: { currency: 'USD', debits_minus_credits: '100' },
      });
    });

    it('refuses when one currency balances and another does not', () => {
      const outcome = given(
        ...opened,
        aliceDeposited100,
        accountCreated('fx-eur', { currency: EUR, allow_negative: true }),
        accountCreated('alice-eur', { currency: EUR }),
      ).when(postTransaction([debit('alice', 10n), credit('bob', 10n), debit('fx-eur', 9n), credit('alice-eur', 8n)]));

      expect(outcome.error()).toMatchObject({ code: 'unbalanced_transaction', details: { currency: 'EUR', debits_minus_credits: '1' } });
    });

    it('is reported before insufficient funds', () => {
      const outcome = given(...opened).when(postTransaction([debit('alice', 1000n), credit('bob', 999n)]));
      expect(outcome.error().code).toBe('unbalanced_transaction');
    });
  });

  describe('insufficient_funds', () => {
    it('refuses a debit beyond the available balance of a credit-normal account', () => {
      const outcome = given(...opened, aliceDeposited100).when(postTransaction([debit('alice', 130n), credit('bob', 130n)]));

      expect(outcome.error()).toEqual({
        kind: 'domain_error',
        code: 'insufficient_funds',
        message: 'account alice has insufficient available balance',
        details: { account_id: 'alice', available: '100', required: '130' },
      });
    });

    it('refuses a debit of 1 from an empty account', () => {
      const outcome = given(...opened).when(postTransaction([debit('bob', 1n), credit('carol', 1n)]));
      expect(outcome.error()).toMatchObject({ code: 'insufficient_funds', details: { account_id: 'bob', available: '0', required: '1' } });
    });

    it('counts outgoing holds: posted 100 with 60 held leaves 40 available', () => {
      const refused = given(...opened, aliceDeposited100, aliceHolds60Of100).when(postTransaction([debit('alice', 41n), credit('bob', 41n)]));
      expect(refused.error()).toMatchObject({ code: 'insufficient_funds', details: { account_id: 'alice', available: '40', required: '41' } });

      const accepted = given(...opened, aliceDeposited100, aliceHolds60Of100).when(postTransaction([debit('alice', 40n), credit('bob', 40n)]));
      expect(postedData(accepted.events()).entries[0].balance_after).toMatchObject({ posted: '60', available: '0' });
    });

    it('refuses crediting a debit-normal account beyond its balance', () => {
      const outcome = given(...opened, aliceDeposited100, accountCreated('float', { allow_negative: true })).when(
        postTransaction([debit('float', 150n), credit('settlement', 150n)]),
      );

      expect(outcome.error()).toEqual({
        kind: 'domain_error',
        code: 'insufficient_funds',
        message: 'account settlement has insufficient available balance',
        details: { account_id: 'settlement', available: '100', required: '150' },
      });
    });

    it('counts outgoing holds of a debit-normal account (credits_pending)', () => {
      const settlementHolds70 = posted('tx-hold', [
        { account_id: 'settlement', direction: 'credit', amount: '0', balance_after: figures({ debits_posted: '100', credits_pending: '70', posted: '100', available: '30' }) },
      ]);
      const outcome = given(...opened, aliceDeposited100, settlementHolds70, accountCreated('float', { allow_negative: true })).when(
        postTransaction([debit('float', 40n), credit('settlement', 40n)]),
      );

      expect(outcome.error()).toMatchObject({ code: 'insufficient_funds', details: { account_id: 'settlement', available: '30', required: '40' } });
    });

    it('never needs funds to credit a credit-normal account', () => {
      const outcome = given(...opened, accountCreated('float', { allow_negative: true })).when(postTransaction([debit('float', 1n), credit('bob', 1n)]));
      expect(postedData(outcome.events()).entries[1].balance_after).toMatchObject({ posted: '1', available: '1' });
    });

    it('judges the running balance after every entry on an account', () => {
      // 70 + 40 = 110 out of 100: each entry alone would fit, together they do not; the second one is refused.
      const outcome = given(...opened, aliceDeposited100).when(postTransaction([debit('alice', 70n), debit('alice', 40n), credit('bob', 110n)]));
      expect(outcome.error()).toMatchObject({ code: 'insufficient_funds', details: { account_id: 'alice', available: '100', required: '40' } });
    });

    it('reports the first account, in entry order, that lacks funds', () => {
      const outcome = given(...opened).when(postTransaction([credit('carol', 5n), debit('bob', 2n), debit('alice', 3n)]));
      expect(outcome.error()).toMatchObject({ code: 'insufficient_funds', details: { account_id: 'bob', available: '0', required: '2' } });
    });

    it('accepts a posting that raises an available balance already below zero, and refuses one that lowers it', () => {
      // Today's commands cannot reach this state; recorded figures stand in for holds that exceed the balance.
      const overHeld = posted('tx-hold', [
        { account_id: 'alice', direction: 'debit', amount: '0', balance_after: figures({ debits_pending: '10', available: '-10' }) },
      ]);
      const float = accountCreated('float', { allow_negative: true });

      const raised = given(...opened, float, overHeld).when(postTransaction([debit('float', 4n), credit('alice', 4n)]));
      expect(postedData(raised.events()).entries[1].balance_after).toEqual(
        figures({ credits_posted: '4', debits_pending: '10', posted: '4', available: '-6' }),
      );

      const lowered = given(...opened, float, overHeld).when(postTransaction([debit('alice', 1n), credit('bob', 1n)]));
      expect(lowered.error()).toMatchObject({ code: 'insufficient_funds', details: { account_id: 'alice', available: '-10', required: '1' } });
    });

    it('yields no events and leaves the state untouched', () => {
      const outcome = given(...opened, aliceDeposited100).when(postTransaction([debit('alice', 130n), credit('bob', 130n)]));

      expect(isDomainError(outcome.decision)).toBe(true);
      expect(serializeState(outcome.state)).toBe(serializeState(outcome.stateBefore));
      expect(outcome.state.accounts.get('bob')).toMatchObject({ credits_posted: 0n });
    });

    it('refuses a posting whose balance history would show a non-negative account below zero mid-transaction', () => {
      // Net zero for both, but alice's first entry would record available -50 in her history.
      const outcome = given(...opened).when(postTransaction([debit('alice', 50n), credit('bob', 50n), debit('bob', 50n), credit('alice', 50n)]));
      expect(outcome.error()).toMatchObject({ code: 'insufficient_funds', details: { account_id: 'alice', available: '0', required: '50' } });
      const reordered = given(...opened).when(postTransaction([credit('alice', 50n), debit('alice', 50n), credit('bob', 50n), debit('bob', 50n)]));
      expect(postedData(reordered.events()).entries.map((e) => e.balance_after.available)).toEqual(['50', '0', '50', '0']);
    });
  });

  describe('account_not_active', () => {
    it.each([
      ['frozen', 'debit', 0, [debit('alice', 10n), credit('bob', 10n)], 'alice'],
      ['frozen', 'credit', 1, [debit('alice', 10n), credit('bob', 10n)], 'bob'],
      ['closed', 'debit', 0, [debit('carol', 10n), credit('bob', 10n)], 'carol'],
      ['closed', 'credit', 1, [debit('alice', 10n), credit('carol', 10n)], 'carol'],
    ] as const)('refuses a %s account on the %s side', (status, _side, entry_index, entries, account_id) => {
      const outcome = given(...opened, aliceDeposited100, statusChanged(account_id, 'active', status)).when(
        postTransaction(entries as unknown as EntryInput[]),
      );

      expect(outcome.error()).toEqual({
        kind: 'domain_error',
        code: 'account_not_active',
        message: `account ${account_id} is ${status}`,
        details: { account_id, status, entry_index },
      });
      expect(serializeState(outcome.state)).toBe(serializeState(outcome.stateBefore));
    });

    it('accepts again once the account is unfrozen', () => {
      const outcome = given(
        ...opened,
        aliceDeposited100,
        statusChanged('bob', 'active', 'frozen'),
        statusChanged('bob', 'frozen', 'active'),
      ).when(postTransaction([debit('alice', 10n), credit('bob', 10n)]));
      expect(postedData(outcome.events()).entries[1].balance_after).toMatchObject({ posted: '10' });
    });

    it('is reported before an imbalance', () => {
      const outcome = given(...opened, statusChanged('bob', 'active', 'frozen')).when(postTransaction([debit('alice', 10n), credit('bob', 9n)]));
      expect(outcome.error().code).toBe('account_not_active');
    });
  });

  describe('currency_mismatch', () => {
    it('refuses an entry whose currency differs from its account', () => {
      const outcome = given(...opened, aliceDeposited100).when(postTransaction([debit('alice', 10n), credit('bob', 10n, EUR)]));

      expect(outcome.error()).toEqual({
        kind: 'domain_error',
        code: 'currency_mismatch',
        message: 'entry currency EUR differs from account currency USD',
        details: { account_id: 'bob', entry_index: 1, entry_currency: 'EUR', account_currency: 'USD' },
      });
    });

    it('compares currencies exactly (case matters)', () => {
      const outcome = given(...opened, aliceDeposited100).when(postTransaction([debit('alice', 10n, 'usd'), credit('bob', 10n)]));
      expect(outcome.error()).toMatchObject({ code: 'currency_mismatch', details: { entry_index: 0, entry_currency: 'usd' } });
    });
  });

  describe('not_found', () => {
    it('refuses an entry on an unknown account, naming it and its index', () => {
      const outcome = given(...opened, aliceDeposited100).when(postTransaction([debit('alice', 10n), credit('ghost', 10n)]));

      expect(outcome.error()).toEqual({
        kind: 'domain_error',
        code: 'not_found',
        message: 'account ghost not found',
        details: { account_id: 'ghost', entry_index: 1 },
      });
      expect(serializeState(outcome.state)).toBe(serializeState(outcome.stateBefore));
    });

    it('reports the first failing entry, whatever its kind of failure', () => {
      const outcome = given(...opened, statusChanged('bob', 'active', 'frozen')).when(
        postTransaction([debit('ghost', 10n), credit('bob', 10n, EUR)]),
      );
      expect(outcome.error()).toMatchObject({ code: 'not_found', details: { account_id: 'ghost', entry_index: 0 } });
    });
  });

  describe('entry count limits (validated at the edge; a breach here is a programming error)', () => {
    it.each([0, 1, ENTRIES_PER_TRANSACTION_MAX + 1])('throws with %i entries', (count) => {
      const entries = Array.from({ length: count }, (_, index) => (index % 2 === 0 ? debit('alice', 1n) : credit('bob', 1n)));
      expect(() => given(...opened, aliceDeposited100).when(postTransaction(entries))).toThrow(`post_transaction with ${count} entries reached the domain`);
    });

    it(`accepts exactly ${ENTRIES_PER_TRANSACTION_MAX} entries`, () => {
      const debits = Array.from({ length: ENTRIES_PER_TRANSACTION_MAX - 1 }, () => debit('float', 1n));
      const outcome = given(...opened, accountCreated('float', { allow_negative: true })).when(
        postTransaction([...debits, credit('bob', BigInt(ENTRIES_PER_TRANSACTION_MAX - 1))]),
      );

      const entries = postedData(outcome.events()).entries;
      expect(entries).toHaveLength(512);
      expect(entries[510].balance_after).toMatchObject({ debits_posted: '511', posted: '-511' });
      expect(entries[511].balance_after).toMatchObject({ credits_posted: '511', posted: '511' });
      expect(new Set(entries.map((e) => e.entry_id)).size).toBe(512);
    });
  });

  it('decide() never mutates the state, even across many decisions', () => {
    const state = fold([...opened, aliceDeposited100]);
    const before = serializeState(state);
    const ctx = testContext();
    decide(state, postTransaction([debit('alice', 10n), credit('bob', 10n)]), ctx);
    decide(state, postTransaction([debit('alice', 1000n), credit('bob', 1000n)]), ctx);
    decide(state, postTransaction([debit('alice', 10n), credit('ghost', 10n)]), ctx);
    expect(serializeState(state)).toBe(before);
  });
});
