// Over 300 lines on purpose: one given/when/then case per rule and per edge of it, in the order the rules are read.
// Decider and evolve specs for reverse_transaction: a new transaction with every entry's direction
// swapped, linked both ways (`reverses` on the posting, `ledger.entry.reversed` on the original),
// at most once per transaction, under the same status and funds rules as any posting.
// The reversal walks the original's entries in reverse order (retracing each account's balance
// history backwards): its entries are the original's reversed, each swapped, with entry ids issued
// in that order and then the transaction id. Account status is checked for every entry (reporting
// the original's entry_index) before any funds check.
import { availableBalance, balanceAfter, countersOf } from './account.js';
import { LedgerCommand } from './commands.js';
import { decide } from './decide.js';
import { entryIdOf, postingOf } from './stored-posting.js';
import { isDomainError } from './errors.js';
import { EntryPostedData, EntryReversedData, LedgerEvent } from './events.js';
import { LedgerState, evolve, initialState } from './state.js';
import { NOW, RecordedEvent, TestContext, fold, given, serializeState, testContext } from './testing/given-when-then.js';
import {
  EUR,
  accountCreated,
  captureHold,
  credit,
  debit,
  entryReversed,
  figures,
  holdCaptured,
  holdCreated,
  holdReleased,
  postTransaction,
  posted,
  releaseHold,
  reversalPosted,
  reverseTransaction,
  statusChanged,
} from './testing/ledger-fixtures.js';

// NOW is 2030-01-02T03:04:05.000Z.
const LATER = '2030-03-04T05:06:07.000Z';
const EXPIRES_AT = '2030-01-02T04:04:05.000Z';
const FAR_FUTURE = '2099-12-31T23:59:59.999Z';

// settlement is an asset (debit-normal); alice, bob and carol are customer liabilities
// (credit-normal); ops, fx-usd and fx-eur may go negative; alice-eur is alice's EUR wallet.
const opened: LedgerEvent[] = [
  accountCreated('settlement', { normal_balance: 'debit', account_type: 'settlement' }),
  accountCreated('alice'),
  accountCreated('bob'),
  accountCreated('carol'),
  accountCreated('ops', { allow_negative: true, account_type: 'operating' }),
  accountCreated('alice-eur', { currency: EUR }),
  accountCreated('fx-usd', { allow_negative: true, account_type: 'operating' }),
  accountCreated('fx-eur', { currency: EUR, allow_negative: true, account_type: 'operating' }),
];
const aliceDeposited100 = posted('tx-deposit', [
  { account_id: 'settlement', direction: 'debit', amount: '100', balance_after: figures({ debits_posted: '100', posted: '100', available: '100' }) },
  { account_id: 'alice', direction: 'credit', amount: '100', balance_after: figures({ credits_posted: '100', posted: '100', available: '100' }) },
]);
const funded: LedgerEvent[] = [...opened, aliceDeposited100];

// tx-rent: alice pays bob 30.
const alicePaysBob30 = posted('tx-rent', [
  { account_id: 'alice', direction: 'debit', amount: '30', balance_after: figures({ debits_posted: '30', credits_posted: '100', posted: '70', available: '70' }) },
  { account_id: 'bob', direction: 'credit', amount: '30', balance_after: figures({ credits_posted: '30', posted: '30', available: '30' }) },
]);
const withRent: LedgerEvent[] = [...funded, alicePaysBob30];

// tx-rent as reversed by rv-1 (recorded): tx-rent's entries in reverse order, each swapped.
const rentReversal = reversalPosted(
  'rv-1',
  'tx-rent',
  [
    { account_id: 'bob', direction: 'debit', amount: '30', balance_after: figures({ debits_posted: '30', credits_posted: '30', posted: '0', available: '0' }) },
    { account_id: 'alice', direction: 'credit', amount: '30', balance_after: figures({ debits_posted: '30', credits_posted: '130', posted: '100', available: '100' }) },
  ],
  'duplicate charge',
);
const rentReversed = entryReversed('tx-rent', 'rv-1', 'duplicate charge');
const withRentReversed: LedgerEvent[] = [...withRent, rentReversal, rentReversed];

/** A deterministic context accepted at `now`, handing out ids `${prefix}-1`, `${prefix}-2`, ... */
const ctxOf = (prefix: string, now: string = NOW): TestContext => testContext(now, prefix);

function postedData(event: LedgerEvent): EntryPostedData {
  if (event.type !== 'ledger.entry.posted') throw new Error(`expected ledger.entry.posted, got ${event.type}`);
  return postingOf(event.data);
}

function reversedData(event: LedgerEvent): EntryReversedData {
  if (event.type !== 'ledger.entry.reversed') throw new Error(`expected ledger.entry.reversed, got ${event.type}`);
  return event.data;
}

/** The reversal's posting, asserting the decision is exactly [posted, reversed]. */
function reversalOf(events: LedgerEvent[]): EntryPostedData {
  expect(events.map((e) => e.type)).toEqual(['ledger.entry.posted', 'ledger.entry.reversed']);
  return postedData(events[0]);
}

/** Decides `command` against `state`, expects events, folds them into `state`; returns the events. */
function decideAndFold(state: LedgerState, command: LedgerCommand, ctx: TestContext): LedgerEvent[] {
  const decision = decide(state, command, ctx);
  if (isDomainError(decision)) throw new Error(`expected events, got ${decision.code}: ${decision.message}`);
  fold(decision, state);
  return decision;
}

/** An account's counters as bigints. */
function countersIn(state: LedgerState, accountId: string) {
  return countersOf(state.accounts.get(accountId)!);
}

/** An account's posted and available balances as strings. */
function balancesIn(state: LedgerState, accountId: string): { posted: string; available: string } {
  const account = state.accounts.get(accountId)!;
  const { posted: p, available } = balanceAfter(account.normal_balance, countersOf(account));
  return { posted: p, available };
}

describe('reverse_transaction', () => {
  describe('accepted reversals', () => {
    it('posts a new transaction with every entry swapped, in reverse order, and marks the original reversed, with exact figures', () => {
      const outcome = given(...withRent).when(reverseTransaction('tx-rent', 'duplicate charge'));

      expect(outcome.events()).toEqual([
        {
          type: 'ledger.entry.posted',
          data: {
            transaction_id: 'id-1',
            reverses: 'tx-rent',
            description: 'duplicate charge',
            reference: null,
            metadata: {},
            posted_at: NOW,
            entries: [
              {
                entry_id: entryIdOf('id-1', 0),
                account_id: 'bob',
                direction: 'debit',
                amount: '30',
                currency: 'USD',
                balance_after: figures({ debits_posted: '30', credits_posted: '30', posted: '0', available: '0' }),
              },
              {
                entry_id: entryIdOf('id-1', 1),
                account_id: 'alice',
                direction: 'credit',
                amount: '30',
                currency: 'USD',
                balance_after: figures({ debits_posted: '30', credits_posted: '130', posted: '100', available: '100' }),
              },
            ],
          },
        },
        {
          type: 'ledger.entry.reversed',
          data: { transaction_id: 'tx-rent', reversed_by: 'id-1', reason: 'duplicate charge', reversed_at: NOW },
        },
      ]);
    });

    it('without a reason: describes the posting as the reversal of the original and records reason null', () => {
      const events = given(...withRent).when(reverseTransaction('tx-rent')).events();

      expect(postedData(events[0])).toMatchObject({ transaction_id: 'id-1', reverses: 'tx-rent', description: 'reversal of tx-rent', reference: null, metadata: {} });
      expect(reversedData(events[1])).toEqual({ transaction_id: 'tx-rent', reversed_by: 'id-1', reason: null, reversed_at: NOW });
    });

    it('takes its time and transaction id from the context: posted_at = reversed_at = ctx.now; entry ids are derived from the transaction id', () => {
      const outcome = given(...withRent).when(reverseTransaction('tx-rent', 'chargeback'), ctxOf('rv', LATER));

      const events = outcome.events();
      const data = reversalOf(events);
      expect(data.transaction_id).toBe('rv-1');
      expect(data.posted_at).toBe(LATER);
      expect(data.entries.map((e) => e.entry_id)).toEqual([entryIdOf('rv-1', 0), entryIdOf('rv-1', 1)]);
      expect(reversedData(events[1])).toEqual({ transaction_id: 'tx-rent', reversed_by: 'rv-1', reason: 'chargeback', reversed_at: LATER });
      expect(outcome.ctx.issued).toEqual(['rv-1']);
    });

    it('the new transaction id differs from the original and from every entry id', () => {
      const data = reversalOf(given(...withRent).when(reverseTransaction('tx-rent')).events());
      const ids = [data.transaction_id, ...data.entries.map((e) => e.entry_id)];
      expect(new Set(ids).size).toBe(3);
      expect(ids).not.toContain('tx-rent');
    });

    it('folds into balances equal to those before the original, and links both transactions', () => {
      const outcome = given(...withRent).when(reverseTransaction('tx-rent', 'duplicate charge'));
      const after = outcome.stateAfter();
      const beforeOriginal = fold(funded);

      // 8 accounts at 0..7, the deposit at 8, tx-rent at 9, the reversal's two events at 10 and 11.
      expect(after.revision).toBe(11n);
      expect(countersIn(after, 'alice')).toEqual({ debits_posted: 30n, credits_posted: 130n, debits_pending: 0n, credits_pending: 0n });
      expect(countersIn(after, 'bob')).toEqual({ debits_posted: 30n, credits_posted: 30n, debits_pending: 0n, credits_pending: 0n });
      expect(countersIn(after, 'settlement')).toEqual({ debits_posted: 100n, credits_posted: 0n, debits_pending: 0n, credits_pending: 0n });
      for (const id of ['alice', 'bob', 'settlement']) expect(balancesIn(after, id)).toEqual(balancesIn(beforeOriginal, id));
      expect(balancesIn(after, 'alice')).toEqual({ posted: '100', available: '100' });
      expect(balancesIn(after, 'bob')).toEqual({ posted: '0', available: '0' });

      expect(after.transactions.get('tx-rent')).toEqual({
        id: 'tx-rent',
        entries: [
          { account_id: 'alice', direction: 'debit', amount: 30n },
          { account_id: 'bob', direction: 'credit', amount: 30n },
        ],
        reversed_by: 'id-1',
      });
      expect(after.transactions.get('id-1')).toEqual({
        id: 'id-1',
        entries: [
          { account_id: 'bob', direction: 'debit', amount: 30n },
          { account_id: 'alice', direction: 'credit', amount: 30n },
        ],
        reversed_by: null,
      });
      expect(after.transactions.get('tx-deposit')?.reversed_by).toBeNull();
    });

    it('leaves the state it decided against untouched (the original is not marked until the events are folded)', () => {
      const outcome = given(...withRent).when(reverseTransaction('tx-rent'));
      expect(outcome.events()).toHaveLength(2);
      expect(serializeState(outcome.state)).toBe(serializeState(outcome.stateBefore));
      expect(outcome.state.transactions.get('tx-rent')?.reversed_by).toBeNull();
      expect(outcome.state.transactions.get('id-1')).toBeUndefined();
    });

    it('is deterministic: the same state, command and context give the same events', () => {
      const first = given(...withRent).when(reverseTransaction('tx-rent', 'same'), ctxOf('rv')).events();
      const second = given(...withRent).when(reverseTransaction('tx-rent', 'same'), ctxOf('rv')).events();
      expect(second).toEqual(first);
    });

    it('reverses a deposit: the debit-normal settlement account is credited back to zero', () => {
      const data = reversalOf(given(...funded).when(reverseTransaction('tx-deposit')).events());

      expect(data.entries.map((e) => [e.entry_id, e.account_id, e.direction, e.amount, e.balance_after])).toEqual([
        [entryIdOf('id-1', 0), 'alice', 'debit', '100', figures({ debits_posted: '100', credits_posted: '100', posted: '0', available: '0' })],
        [entryIdOf('id-1', 1), 'settlement', 'credit', '100', figures({ debits_posted: '100', credits_posted: '100', posted: '0', available: '0' })],
      ]);
    });
  });

  describe('multi-entry and multi-currency postings reverse per entry', () => {
    // tx-split: alice pays 50 to bob and 10 to carol in one posting.
    const split = posted('tx-split', [
      { account_id: 'alice', direction: 'debit', amount: '60', balance_after: figures({ debits_posted: '60', credits_posted: '100', posted: '40', available: '40' }) },
      { account_id: 'bob', direction: 'credit', amount: '50', balance_after: figures({ credits_posted: '50', posted: '50', available: '50' }) },
      { account_id: 'carol', direction: 'credit', amount: '10', balance_after: figures({ credits_posted: '10', posted: '10', available: '10' }) },
    ]);
    // tx-fx: alice converts 100 USD into 92 EUR through the fx accounts.
    const fx = posted('tx-fx', [
      { account_id: 'alice', direction: 'debit', amount: '100', balance_after: figures({ debits_posted: '100', credits_posted: '100', posted: '0', available: '0' }) },
      { account_id: 'fx-usd', direction: 'credit', amount: '100', balance_after: figures({ credits_posted: '100', posted: '100', available: '100' }) },
      { account_id: 'fx-eur', direction: 'debit', amount: '92', currency: EUR, balance_after: figures({ debits_posted: '92', posted: '-92', available: '-92' }) },
      { account_id: 'alice-eur', direction: 'credit', amount: '92', currency: EUR, balance_after: figures({ credits_posted: '92', posted: '92', available: '92' }) },
    ]);

    it('reverses a three-way split entry by entry, last entry first', () => {
      const data = reversalOf(given(...funded, split).when(reverseTransaction('tx-split')).events());

      expect(data.transaction_id).toBe('id-1');
      expect(data.entries.map((e) => [e.entry_id, e.account_id, e.direction, e.amount, e.currency, e.balance_after])).toEqual([
        [entryIdOf('id-1', 0), 'carol', 'debit', '10', 'USD', figures({ debits_posted: '10', credits_posted: '10', posted: '0', available: '0' })],
        [entryIdOf('id-1', 1), 'bob', 'debit', '50', 'USD', figures({ debits_posted: '50', credits_posted: '50', posted: '0', available: '0' })],
        [entryIdOf('id-1', 2), 'alice', 'credit', '60', 'USD', figures({ debits_posted: '60', credits_posted: '160', posted: '100', available: '100' })],
      ]);
    });

    it('refuses the split when the last credited account spent part of it, and names that account', () => {
      const carolSpends1 = posted('tx-carol', [
        { account_id: 'carol', direction: 'debit', amount: '1', balance_after: figures({ debits_posted: '1', credits_posted: '10', posted: '9', available: '9' }) },
        { account_id: 'bob', direction: 'credit', amount: '1', balance_after: figures({ credits_posted: '51', posted: '51', available: '51' }) },
      ]);
      const outcome = given(...funded, split, carolSpends1).when(reverseTransaction('tx-split'));

      expect(outcome.error()).toEqual({
        kind: 'domain_error',
        code: 'insufficient_funds',
        message: 'account carol no longer holds the money this reversal takes back',
        details: { account_id: 'carol', available: '9', required: '10' },
      });
      expect(serializeState(outcome.state)).toBe(serializeState(outcome.stateBefore));
    });

    it('reverses a multi-currency posting per entry, keeping each entry currency and amount', () => {
      const data = reversalOf(given(...funded, fx).when(reverseTransaction('tx-fx')).events());

      expect(data.transaction_id).toBe('id-1');
      expect(data.entries.map((e) => [e.entry_id, e.account_id, e.direction, e.amount, e.currency, e.balance_after])).toEqual([
        [entryIdOf('id-1', 0), 'alice-eur', 'debit', '92', 'EUR', figures({ debits_posted: '92', credits_posted: '92', posted: '0', available: '0' })],
        [entryIdOf('id-1', 1), 'fx-eur', 'credit', '92', 'EUR', figures({ debits_posted: '92', credits_posted: '92', posted: '0', available: '0' })],
        [entryIdOf('id-1', 2), 'fx-usd', 'debit', '100', 'USD', figures({ debits_posted: '100', credits_posted: '100', posted: '0', available: '0' })],
        [entryIdOf('id-1', 3), 'alice', 'credit', '100', 'USD', figures({ debits_posted: '100', credits_posted: '200', posted: '100', available: '100' })],
      ]);
    });

    it('every reversal entry is the mirrored original entry (last first) with the direction swapped (same account, amount and currency), and balances per currency', () => {
      const original = postedData(fx).entries;
      const reversal = reversalOf(given(...funded, fx).when(reverseTransaction('tx-fx')).events()).entries;

      expect(reversal).toHaveLength(original.length);
      reversal.forEach((entry, index) => {
        const mirrored = original[original.length - 1 - index];
        expect(entry.account_id).toBe(mirrored.account_id);
        expect(entry.amount).toBe(mirrored.amount);
        expect(entry.currency).toBe(mirrored.currency);
        expect(entry.direction).toBe(mirrored.direction === 'debit' ? 'credit' : 'debit');
      });
      const net = new Map<string, bigint>();
      for (const e of reversal) net.set(e.currency, (net.get(e.currency) ?? 0n) + (e.direction === 'debit' ? BigInt(e.amount) : -BigInt(e.amount)));
      // EUR first: the reversal starts from the original's last (EUR) entry.
      expect([...net]).toEqual([
        ['EUR', 0n],
        ['USD', 0n],
      ]);
    });

    it('refuses a multi-currency reversal when the EUR side has moved on, though the USD side could go back', () => {
      const aliceSpends2Eur = posted('tx-eur', [
        { account_id: 'alice-eur', direction: 'debit', amount: '2', currency: EUR, balance_after: figures({ debits_posted: '2', credits_posted: '92', posted: '90', available: '90' }) },
        { account_id: 'fx-eur', direction: 'credit', amount: '2', currency: EUR, balance_after: figures({ debits_posted: '92', credits_posted: '2', posted: '-90', available: '-90' }) },
      ]);
      const outcome = given(...funded, fx, aliceSpends2Eur).when(reverseTransaction('tx-fx'));

      expect(outcome.error()).toEqual({
        kind: 'domain_error',
        code: 'insufficient_funds',
        message: 'account alice-eur no longer holds the money this reversal takes back',
        details: { account_id: 'alice-eur', available: '90', required: '92' },
      });
      expect(outcome.decision).not.toBeInstanceOf(Array);
      expect(serializeState(outcome.state)).toBe(serializeState(outcome.stateBefore));
    });
  });

  describe('the same account twice in one posting', () => {
    // tx-twice: alice is debited 10 and 20 in one posting, bob credited 30.
    const twice = posted('tx-twice', [
      { account_id: 'alice', direction: 'debit', amount: '10', balance_after: figures({ debits_posted: '10', credits_posted: '100', posted: '90', available: '90' }) },
      { account_id: 'alice', direction: 'debit', amount: '20', balance_after: figures({ debits_posted: '30', credits_posted: '100', posted: '70', available: '70' }) },
      { account_id: 'bob', direction: 'credit', amount: '30', balance_after: figures({ credits_posted: '30', posted: '30', available: '30' }) },
    ]);
    // tx-topup: ops tops alice up with 10 and then 20 (from an empty ledger).
    const topUp = posted('tx-topup', [
      { account_id: 'ops', direction: 'debit', amount: '10', balance_after: figures({ debits_posted: '10', posted: '-10', available: '-10' }) },
      { account_id: 'alice', direction: 'credit', amount: '10', balance_after: figures({ credits_posted: '10', posted: '10', available: '10' }) },
      { account_id: 'ops', direction: 'debit', amount: '20', balance_after: figures({ debits_posted: '30', posted: '-30', available: '-30' }) },
      { account_id: 'alice', direction: 'credit', amount: '20', balance_after: figures({ credits_posted: '30', posted: '30', available: '30' }) },
    ]);

    it('records a running balance_after for an account debited twice', () => {
      const outcome = given(...funded, twice).when(reverseTransaction('tx-twice'));
      const data = reversalOf(outcome.events());

      expect(data.transaction_id).toBe('id-1');
      expect(data.entries.map((e) => [e.entry_id, e.account_id, e.direction, e.amount, e.balance_after])).toEqual([
        [entryIdOf('id-1', 0), 'bob', 'debit', '30', figures({ debits_posted: '30', credits_posted: '30', posted: '0', available: '0' })],
        [entryIdOf('id-1', 1), 'alice', 'credit', '20', figures({ debits_posted: '30', credits_posted: '120', posted: '90', available: '90' })],
        [entryIdOf('id-1', 2), 'alice', 'credit', '10', figures({ debits_posted: '30', credits_posted: '130', posted: '100', available: '100' })],
      ]);
      expect(countersIn(outcome.stateAfter(), 'alice')).toEqual({ debits_posted: 30n, credits_posted: 130n, debits_pending: 0n, credits_pending: 0n });
      expect(outcome.stateAfter().transactions.get('tx-twice')).toEqual({
        id: 'tx-twice',
        entries: [
          { account_id: 'alice', direction: 'debit', amount: 10n },
          { account_id: 'alice', direction: 'debit', amount: 20n },
          { account_id: 'bob', direction: 'credit', amount: 30n },
        ],
        reversed_by: 'id-1',
      });
    });

    it('records a running balance_after for an account both credited and debited', () => {
      const both = posted('tx-both', [
        { account_id: 'alice', direction: 'credit', amount: '5', balance_after: figures({ credits_posted: '105', posted: '105', available: '105' }) },
        { account_id: 'alice', direction: 'debit', amount: '5', balance_after: figures({ debits_posted: '5', credits_posted: '105', posted: '100', available: '100' }) },
      ]);
      const data = reversalOf(given(...funded, both).when(reverseTransaction('tx-both')).events());

      // Retraced backwards: the debit is undone first (alice up to 105), then the credit (back to 100).
      expect(data.entries.map((e) => [e.entry_id, e.direction, e.balance_after])).toEqual([
        [entryIdOf('id-1', 0), 'credit', figures({ debits_posted: '5', credits_posted: '110', posted: '105', available: '105' })],
        [entryIdOf('id-1', 1), 'debit', figures({ debits_posted: '10', credits_posted: '110', posted: '100', available: '100' })],
      ]);
      expect(data.transaction_id).toBe('id-1');
    });

    it('reverses two credits to one account back to zero, the other side allowed negative', () => {
      const data = reversalOf(given(...opened, topUp).when(reverseTransaction('tx-topup')).events());

      expect(data.transaction_id).toBe('id-1');
      expect(data.entries.map((e) => [e.entry_id, e.account_id, e.direction, e.amount, e.balance_after])).toEqual([
        [entryIdOf('id-1', 0), 'alice', 'debit', '20', figures({ debits_posted: '20', credits_posted: '30', posted: '10', available: '10' })],
        [entryIdOf('id-1', 1), 'ops', 'credit', '20', figures({ debits_posted: '30', credits_posted: '20', posted: '-10', available: '-10' })],
        [entryIdOf('id-1', 2), 'alice', 'debit', '10', figures({ debits_posted: '30', credits_posted: '30', posted: '0', available: '0' })],
        [entryIdOf('id-1', 3), 'ops', 'credit', '10', figures({ debits_posted: '30', credits_posted: '30', posted: '0', available: '0' })],
      ]);
    });

    it('applies the funds rule to the running balance: the second debit of alice is refused when she spent 5', () => {
      const aliceSpends5 = posted('tx-spend', [
        { account_id: 'alice', direction: 'debit', amount: '5', balance_after: figures({ debits_posted: '5', credits_posted: '30', posted: '25', available: '25' }) },
        { account_id: 'bob', direction: 'credit', amount: '5', balance_after: figures({ credits_posted: '5', posted: '5', available: '5' }) },
      ]);
      const outcome = given(...opened, topUp, aliceSpends5).when(reverseTransaction('tx-topup'));

      // Walking backwards, alice's first debit undoes the credit of 20 and her second the credit
      // of 10: 25 available covers the 20 (leaving 5), not then the 10; `available` is the
      // account's balance before the reversal.
      expect(outcome.error()).toEqual({
        kind: 'domain_error',
        code: 'insufficient_funds',
        message: 'account alice no longer holds the money this reversal takes back',
        details: { account_id: 'alice', available: '25', required: '10' },
      });
      expect(serializeState(outcome.state)).toBe(serializeState(outcome.stateBefore));
    });

    it('refuses at the first debit of alice (undoing the credit of 20) when she spent more than the first credit of 10', () => {
      const aliceSpends25 = posted('tx-spend', [
        { account_id: 'alice', direction: 'debit', amount: '25', balance_after: figures({ debits_posted: '25', credits_posted: '30', posted: '5', available: '5' }) },
        { account_id: 'bob', direction: 'credit', amount: '25', balance_after: figures({ credits_posted: '25', posted: '25', available: '25' }) },
      ]);
      const outcome = given(...opened, topUp, aliceSpends25).when(reverseTransaction('tx-topup'));
      expect(outcome.error()).toMatchObject({ code: 'insufficient_funds', details: { account_id: 'alice', available: '5', required: '20' } });
    });

    // A posting that credits then debits the same account from zero is accepted by post_transaction
    // (transactions.spec: "refuses a posting whose balance history would show a non-negative
    // account below zero mid-transaction", reordered case). Walking its entries in reverse order
    // retraces that balance history backwards (credit-then-debit again per account), so the
    // reversal decided right after it is accepted with no account ever below zero.
    it('reverses [credit alice 50, debit alice 50, credit bob 50, debit bob 50] posted from empty accounts, right after it (nothing moved on)', () => {
      const state = fold(opened);
      const posting = decideAndFold(state, postTransaction([credit('alice', 50n), debit('alice', 50n), credit('bob', 50n), debit('bob', 50n)]), ctxOf('tx'));
      expect(postedData(posting[0]).transaction_id).toBe('tx-1');
      expect(postedData(posting[0]).entries.map((e) => e.balance_after.available)).toEqual(['50', '0', '50', '0']);

      const events = decideAndFold(state, reverseTransaction('tx-1'), ctxOf('rv'));

      expect(events).toEqual([
        {
          type: 'ledger.entry.posted',
          data: {
            transaction_id: 'rv-1',
            reverses: 'tx-1',
            description: 'reversal of tx-1',
            reference: null,
            metadata: {},
            posted_at: NOW,
            entries: [
              {
                entry_id: entryIdOf('rv-1', 0),
                account_id: 'bob',
                direction: 'credit',
                amount: '50',
                currency: 'USD',
                balance_after: figures({ debits_posted: '50', credits_posted: '100', posted: '50', available: '50' }),
              },
              {
                entry_id: entryIdOf('rv-1', 1),
                account_id: 'bob',
                direction: 'debit',
                amount: '50',
                currency: 'USD',
                balance_after: figures({ debits_posted: '100', credits_posted: '100', posted: '0', available: '0' }),
              },
              {
                entry_id: entryIdOf('rv-1', 2),
                account_id: 'alice',
                direction: 'credit',
                amount: '50',
                currency: 'USD',
                balance_after: figures({ debits_posted: '50', credits_posted: '100', posted: '50', available: '50' }),
              },
              {
                entry_id: entryIdOf('rv-1', 3),
                account_id: 'alice',
                direction: 'debit',
                amount: '50',
                currency: 'USD',
                balance_after: figures({ debits_posted: '100', credits_posted: '100', posted: '0', available: '0' }),
              },
            ],
          },
        },
        { type: 'ledger.entry.reversed', data: { transaction_id: 'tx-1', reversed_by: 'rv-1', reason: null, reversed_at: NOW } },
      ]);
      for (const entry of postedData(events[0]).entries) {
        expect(BigInt(entry.balance_after.posted)).toBeGreaterThanOrEqual(0n);
        expect(BigInt(entry.balance_after.available)).toBeGreaterThanOrEqual(0n);
      }
      expect(balancesIn(state, 'alice')).toEqual({ posted: '0', available: '0' });
      expect(balancesIn(state, 'bob')).toEqual({ posted: '0', available: '0' });
      expect(countersIn(state, 'alice')).toEqual({ debits_posted: 100n, credits_posted: 100n, debits_pending: 0n, credits_pending: 0n });
      expect(countersIn(state, 'bob')).toEqual({ debits_posted: 100n, credits_posted: 100n, debits_pending: 0n, credits_pending: 0n });
      expect(state.transactions.get('tx-1')?.reversed_by).toBe('rv-1');
    });
  });

  describe('already_reversed', () => {
    it('refuses a second reversal of a recorded reversed transaction, naming the reversal', () => {
      const outcome = given(...withRentReversed).when(reverseTransaction('tx-rent', 'again'));

      expect(outcome.error()).toEqual({
        kind: 'domain_error',
        code: 'already_reversed',
        message: 'transaction tx-rent was already reversed',
        details: { transaction_id: 'tx-rent', reversed_by: 'rv-1' },
      });
      expect(serializeState(outcome.state)).toBe(serializeState(outcome.stateBefore));
    });

    it('refuses the second of two reversals decided one after the other', () => {
      const state = fold(withRent);
      decideAndFold(state, reverseTransaction('tx-rent'), ctxOf('first'));
      const before = serializeState(state);

      const second = decide(state, reverseTransaction('tx-rent', 'retry'), ctxOf('second'));

      expect(second).toEqual({
        kind: 'domain_error',
        code: 'already_reversed',
        message: 'transaction tx-rent was already reversed',
        details: { transaction_id: 'tx-rent', reversed_by: 'first-1' },
      });
      expect(serializeState(state)).toBe(before);
    });

    it('is decided before funds: bob is back at 0, yet the refusal is already_reversed, not insufficient_funds', () => {
      const outcome = given(...withRentReversed).when(reverseTransaction('tx-rent'));
      expect(outcome.error()).toMatchObject({ code: 'already_reversed', details: { transaction_id: 'tx-rent', reversed_by: 'rv-1' } });
    });

    it('is decided before status: with alice frozen the refusal is still already_reversed', () => {
      const outcome = given(...withRentReversed, statusChanged('alice', 'active', 'frozen')).when(reverseTransaction('tx-rent'));
      expect(outcome.error()).toMatchObject({ code: 'already_reversed', details: { transaction_id: 'tx-rent', reversed_by: 'rv-1' } });
    });
  });

  describe('not_found', () => {
    it('refuses an unknown transaction', () => {
      const outcome = given(...withRent).when(reverseTransaction('tx-ghost', 'whatever'));

      expect(outcome.error()).toEqual({
        kind: 'domain_error',
        code: 'not_found',
        message: 'transaction tx-ghost not found',
        details: { transaction_id: 'tx-ghost' },
      });
      expect(serializeState(outcome.state)).toBe(serializeState(outcome.stateBefore));
      expect(outcome.ctx.issued).toEqual([]);
    });

    it.each([
      ['an account id', 'alice'],
      ['a hold id', 'h-1'],
      ['an entry id', 'tx-rent-entry-0'],
      ['a differently cased transaction id', 'TX-RENT'],
      ['the empty string', ''],
    ])('does not take %s for a transaction', (_what, id) => {
      const hold = holdCreated('h-1', {
        account_id: 'alice',
        destination_account_id: 'bob',
        amount: '10',
        source_balance_after: figures({ debits_posted: '30', credits_posted: '100', debits_pending: '10', posted: '70', available: '60' }),
        destination_balance_after: figures({ credits_posted: '30', credits_pending: '10', posted: '30', available: '30' }),
      });
      const outcome = given(...withRent, hold).when(reverseTransaction(id));
      expect(outcome.error()).toEqual({ kind: 'domain_error', code: 'not_found', message: `transaction ${id} not found`, details: { transaction_id: id } });
    });

    it('refuses on an empty ledger', () => {
      expect(given().when(reverseTransaction('tx-rent')).error()).toMatchObject({ code: 'not_found', details: { transaction_id: 'tx-rent' } });
    });
  });

  describe('insufficient_funds (the money has moved on)', () => {
    it('refuses when the credited account spent part of the money', () => {
      const bobSpends25 = posted('tx-bob', [
        { account_id: 'bob', direction: 'debit', amount: '25', balance_after: figures({ debits_posted: '25', credits_posted: '30', posted: '5', available: '5' }) },
        { account_id: 'carol', direction: 'credit', amount: '25', balance_after: figures({ credits_posted: '25', posted: '25', available: '25' }) },
      ]);
      const outcome = given(...withRent, bobSpends25).when(reverseTransaction('tx-rent', 'duplicate charge'));

      expect(outcome.error()).toEqual({
        kind: 'domain_error',
        code: 'insufficient_funds',
        message: 'account bob no longer holds the money this reversal takes back',
        details: { account_id: 'bob', available: '5', required: '30' },
      });
      expect(serializeState(outcome.state)).toBe(serializeState(outcome.stateBefore));
      expect(outcome.state.transactions.get('tx-rent')?.reversed_by).toBeNull();
    });

    describe('at the boundary: bob got 10 more from ops and then spent some', () => {
      const opsPaysBob10 = posted('tx-ops', [
        { account_id: 'ops', direction: 'debit', amount: '10', balance_after: figures({ debits_posted: '10', posted: '-10', available: '-10' }) },
        { account_id: 'bob', direction: 'credit', amount: '10', balance_after: figures({ credits_posted: '40', posted: '40', available: '40' }) },
      ]);
      const bobSpends = (amount: number) =>
        posted('tx-bob', [
          {
            account_id: 'bob',
            direction: 'debit',
            amount: `${amount}`,
            balance_after: figures({ debits_posted: `${amount}`, credits_posted: '40', posted: `${40 - amount}`, available: `${40 - amount}` }),
          },
          { account_id: 'carol', direction: 'credit', amount: `${amount}`, balance_after: figures({ credits_posted: `${amount}`, posted: `${amount}`, available: `${amount}` }) },
        ]);

      it('accepts when bob still has exactly 30 available, leaving him at 0', () => {
        const data = reversalOf(given(...withRent, opsPaysBob10, bobSpends(10)).when(reverseTransaction('tx-rent')).events());
        expect(data.entries[0]).toMatchObject({
          account_id: 'bob',
          direction: 'debit',
          amount: '30',
          balance_after: figures({ debits_posted: '40', credits_posted: '40', posted: '0', available: '0' }),
        });
      });

      it('refuses when bob has 29 available', () => {
        const outcome = given(...withRent, opsPaysBob10, bobSpends(11)).when(reverseTransaction('tx-rent'));
        expect(outcome.error()).toMatchObject({ code: 'insufficient_funds', details: { account_id: 'bob', available: '29', required: '30' } });
      });
    });

    describe('a pending hold on the credited account counts as money moved on', () => {
      const bobHolds10ForCarol = holdCreated('h-bob', {
        account_id: 'bob',
        destination_account_id: 'carol',
        amount: '10',
        source_balance_after: figures({ credits_posted: '30', debits_pending: '10', posted: '30', available: '20' }),
        destination_balance_after: figures({ credits_pending: '10' }),
      });

      it('refuses while bob holds 10 of his 30 for carol', () => {
        const outcome = given(...withRent, bobHolds10ForCarol).when(reverseTransaction('tx-rent'));
        expect(outcome.error()).toEqual({
          kind: 'domain_error',
          code: 'insufficient_funds',
          message: 'account bob no longer holds the money this reversal takes back',
          details: { account_id: 'bob', available: '20', required: '30' },
        });
        expect(serializeState(outcome.state)).toBe(serializeState(outcome.stateBefore));
      });

      it('accepts once the hold is released', () => {
        const released = holdReleased('h-bob', 'released', {
          account_id: 'bob',
          destination_account_id: 'carol',
          amount: '10',
          source_balance_after: figures({ credits_posted: '30', posted: '30', available: '30' }),
          destination_balance_after: figures(),
        });
        const data = reversalOf(given(...withRent, bobHolds10ForCarol, released).when(reverseTransaction('tx-rent')).events());
        expect(data.entries[0].account_id).toBe('bob');
        expect(data.entries[0].balance_after).toEqual(figures({ debits_posted: '30', credits_posted: '30', posted: '0', available: '0' }));
      });
    });

    it('refuses to credit a debit-normal account below zero on a later entry, though the earlier one could go back: the settlement paid the money out again', () => {
      const alicePaysOut40 = posted('tx-payout', [
        { account_id: 'alice', direction: 'debit', amount: '40', balance_after: figures({ debits_posted: '40', credits_posted: '100', posted: '60', available: '60' }) },
        { account_id: 'settlement', direction: 'credit', amount: '40', balance_after: figures({ debits_posted: '100', credits_posted: '40', posted: '60', available: '60' }) },
      ]);
      // ops refunds alice the 40, so alice (the reversal's first entry) could give the 100 back.
      const opsRefundsAlice40 = posted('tx-refund', [
        { account_id: 'ops', direction: 'debit', amount: '40', balance_after: figures({ debits_posted: '40', posted: '-40', available: '-40' }) },
        { account_id: 'alice', direction: 'credit', amount: '40', balance_after: figures({ debits_posted: '40', credits_posted: '140', posted: '100', available: '100' }) },
      ]);
      const outcome = given(...funded, alicePaysOut40, opsRefundsAlice40).when(reverseTransaction('tx-deposit'));

      expect(outcome.error()).toEqual({
        kind: 'domain_error',
        code: 'insufficient_funds',
        message: 'account settlement no longer holds the money this reversal takes back',
        details: { account_id: 'settlement', available: '60', required: '100' },
      });
      expect(serializeState(outcome.state)).toBe(serializeState(outcome.stateBefore));

      // Without the refund, alice's debit comes first in the reversal and is refused before the settlement is reached.
      const unrefunded = given(...funded, alicePaysOut40).when(reverseTransaction('tx-deposit'));
      expect(unrefunded.error()).toEqual({
        kind: 'domain_error',
        code: 'insufficient_funds',
        message: 'account alice no longer holds the money this reversal takes back',
        details: { account_id: 'alice', available: '60', required: '100' },
      });
      expect(serializeState(unrefunded.state)).toBe(serializeState(unrefunded.stateBefore));
    });

    it("refuses on the reversal's first entry, the original's last (deposit reversed after alice paid bob 40)", () => {
      const alicePaysBob40 = posted('tx-pay', [
        { account_id: 'alice', direction: 'debit', amount: '40', balance_after: figures({ debits_posted: '40', credits_posted: '100', posted: '60', available: '60' }) },
        { account_id: 'bob', direction: 'credit', amount: '40', balance_after: figures({ credits_posted: '40', posted: '40', available: '40' }) },
      ]);
      const outcome = given(...funded, alicePaysBob40).when(reverseTransaction('tx-deposit'));

      expect(outcome.error()).toEqual({
        kind: 'domain_error',
        code: 'insufficient_funds',
        message: 'account alice no longer holds the money this reversal takes back',
        details: { account_id: 'alice', available: '60', required: '100' },
      });
      expect(serializeState(outcome.state)).toBe(serializeState(outcome.stateBefore));
    });
  });

  describe('allow_negative', () => {
    // tx-fund-ops: alice moves 40 to ops; ops then spends 100 (it may go negative).
    const aliceFundsOps40 = posted('tx-fund-ops', [
      { account_id: 'alice', direction: 'debit', amount: '40', balance_after: figures({ debits_posted: '40', credits_posted: '100', posted: '60', available: '60' }) },
      { account_id: 'ops', direction: 'credit', amount: '40', balance_after: figures({ credits_posted: '40', posted: '40', available: '40' }) },
    ]);
    const opsPaysCarol100 = posted('tx-ops', [
      { account_id: 'ops', direction: 'debit', amount: '100', balance_after: figures({ debits_posted: '100', credits_posted: '40', posted: '-60', available: '-60' }) },
      { account_id: 'carol', direction: 'credit', amount: '100', balance_after: figures({ credits_posted: '100', posted: '100', available: '100' }) },
    ]);

    it('reverses even though the credited account spent the money, taking it further below zero', () => {
      const outcome = given(...funded, aliceFundsOps40, opsPaysCarol100).when(reverseTransaction('tx-fund-ops'));
      const data = reversalOf(outcome.events());

      expect(data.entries.map((e) => [e.entry_id, e.account_id, e.direction, e.amount, e.balance_after])).toEqual([
        [entryIdOf('id-1', 0), 'ops', 'debit', '40', figures({ debits_posted: '140', credits_posted: '40', posted: '-100', available: '-100' })],
        [entryIdOf('id-1', 1), 'alice', 'credit', '40', figures({ debits_posted: '40', credits_posted: '140', posted: '100', available: '100' })],
      ]);
      expect(countersIn(outcome.stateAfter(), 'ops')).toEqual({ debits_posted: 140n, credits_posted: 40n, debits_pending: 0n, credits_pending: 0n });
      expect(availableBalance('credit', countersIn(outcome.stateAfter(), 'ops'))).toBe(-100n);
    });
  });

  describe('account_not_active', () => {
    // entry_index is the entry's index in the original transaction (tx-rent: alice 0, bob 1).
    it.each([
      ['frozen', 'alice', 0],
      ['frozen', 'bob', 1],
      ['closed', 'alice', 0],
      ['closed', 'bob', 1],
    ] as const)('refuses when an involved account is %s (%s, entry %d)', (status, account_id, entry_index) => {
      const outcome = given(...withRent, statusChanged(account_id, 'active', status)).when(reverseTransaction('tx-rent'));

      expect(outcome.error()).toEqual({
        kind: 'domain_error',
        code: 'account_not_active',
        message: `account ${account_id} is ${status}`,
        details: { account_id, status, entry_index },
      });
      expect(serializeState(outcome.state)).toBe(serializeState(outcome.stateBefore));
    });

    it('refuses a closed account that had emptied itself, as not active rather than as short of funds', () => {
      const alicePaysCarol10 = posted('tx-carol', [
        { account_id: 'alice', direction: 'debit', amount: '10', balance_after: figures({ debits_posted: '10', credits_posted: '100', posted: '90', available: '90' }) },
        { account_id: 'carol', direction: 'credit', amount: '10', balance_after: figures({ credits_posted: '10', posted: '10', available: '10' }) },
      ]);
      const carolPaysBob10 = posted('tx-carol-out', [
        { account_id: 'carol', direction: 'debit', amount: '10', balance_after: figures({ debits_posted: '10', credits_posted: '10', posted: '0', available: '0' }) },
        { account_id: 'bob', direction: 'credit', amount: '10', balance_after: figures({ credits_posted: '10', posted: '10', available: '10' }) },
      ]);
      const carolClosed = statusChanged('carol', 'active', 'closed', figures({ debits_posted: '10', credits_posted: '10' }));
      const outcome = given(...funded, alicePaysCarol10, carolPaysBob10, carolClosed).when(reverseTransaction('tx-carol'));

      expect(outcome.error()).toEqual({
        kind: 'domain_error',
        code: 'account_not_active',
        message: 'account carol is closed',
        details: { account_id: 'carol', status: 'closed', entry_index: 1 },
      });
    });

    it('is checked for every entry before any funds check: a frozen account later in the entry list wins over an earlier entry that would overdraw', () => {
      // tx-pay3: alice pays carol 20 and bob 30; alice's debit sits between the two credits.
      const alicePaysCarolAndBob = posted('tx-pay3', [
        { account_id: 'carol', direction: 'credit', amount: '20', balance_after: figures({ credits_posted: '20', posted: '20', available: '20' }) },
        { account_id: 'alice', direction: 'debit', amount: '50', balance_after: figures({ debits_posted: '50', credits_posted: '100', posted: '50', available: '50' }) },
        { account_id: 'bob', direction: 'credit', amount: '30', balance_after: figures({ credits_posted: '30', posted: '30', available: '30' }) },
      ]);
      // carol and bob each spend 5: neither can give back what tx-pay3 gave them, whichever end the funds check starts from.
      const carolAndBobSpend5 = posted('tx-spend', [
        { account_id: 'carol', direction: 'debit', amount: '5', balance_after: figures({ debits_posted: '5', credits_posted: '20', posted: '15', available: '15' }) },
        { account_id: 'bob', direction: 'debit', amount: '5', balance_after: figures({ debits_posted: '5', credits_posted: '30', posted: '25', available: '25' }) },
        { account_id: 'ops', direction: 'credit', amount: '10', balance_after: figures({ credits_posted: '10', posted: '10', available: '10' }) },
      ]);
      const aliceFrozen = statusChanged('alice', 'active', 'frozen', figures({ debits_posted: '50', credits_posted: '100', posted: '50', available: '50' }));
      const history = [...funded, alicePaysCarolAndBob, carolAndBobSpend5];

      // With alice active, the reversal (bob first, carol last) is short of funds at bob.
      expect(given(...history).when(reverseTransaction('tx-pay3')).error()).toEqual({
        kind: 'domain_error',
        code: 'insufficient_funds',
        message: 'account bob no longer holds the money this reversal takes back',
        details: { account_id: 'bob', available: '25', required: '30' },
      });

      const outcome = given(...history, aliceFrozen).when(reverseTransaction('tx-pay3'));

      // carol (entry 0) would overdraw, yet alice (entry 1) being frozen is what is reported.
      expect(outcome.error()).toEqual({
        kind: 'domain_error',
        code: 'account_not_active',
        message: 'account alice is frozen',
        details: { account_id: 'alice', status: 'frozen', entry_index: 1 },
      });
      expect(outcome.ctx.issued).toEqual([]);
      expect(serializeState(outcome.state)).toBe(serializeState(outcome.stateBefore));
    });

    it('accepts again once the account is unfrozen', () => {
      const outcome = given(...withRent, statusChanged('bob', 'active', 'frozen'), statusChanged('bob', 'frozen', 'active')).when(reverseTransaction('tx-rent'));
      expect(reversalOf(outcome.events()).entries[0].account_id).toBe('bob');
      expect(reversalOf(outcome.events()).entries[0].balance_after).toEqual(figures({ debits_posted: '30', credits_posted: '30', posted: '0', available: '0' }));
    });

    it('an uninvolved frozen account does not matter', () => {
      const outcome = given(...withRent, statusChanged('carol', 'active', 'frozen'), statusChanged('settlement', 'active', 'frozen')).when(
        reverseTransaction('tx-rent'),
      );
      expect(outcome.events()).toHaveLength(2);
    });
  });

  describe('reversal of a reversal (it is just a transaction)', () => {
    it('is allowed, restores the original figures, and links each step once', () => {
      const state = fold(withRent);
      decideAndFold(state, reverseTransaction('tx-rent', 'duplicate charge'), ctxOf('rv'));

      const events = decideAndFold(state, reverseTransaction('rv-1', 'reversed in error'), ctxOf('rr', LATER));

      expect(events).toEqual([
        {
          type: 'ledger.entry.posted',
          data: {
            transaction_id: 'rr-1',
            reverses: 'rv-1',
            description: 'reversed in error',
            reference: null,
            metadata: {},
            posted_at: LATER,
            entries: [
              {
                entry_id: entryIdOf('rr-1', 0),
                account_id: 'alice',
                direction: 'debit',
                amount: '30',
                currency: 'USD',
                balance_after: figures({ debits_posted: '60', credits_posted: '130', posted: '70', available: '70' }),
              },
              {
                entry_id: entryIdOf('rr-1', 1),
                account_id: 'bob',
                direction: 'credit',
                amount: '30',
                currency: 'USD',
                balance_after: figures({ debits_posted: '30', credits_posted: '60', posted: '30', available: '30' }),
              },
            ],
          },
        },
        { type: 'ledger.entry.reversed', data: { transaction_id: 'rv-1', reversed_by: 'rr-1', reason: 'reversed in error', reversed_at: LATER } },
      ]);

      // Posted and available are back to what tx-rent left.
      const afterOriginal = fold(withRent);
      for (const id of ['alice', 'bob']) expect(balancesIn(state, id)).toEqual(balancesIn(afterOriginal, id));
      expect(balancesIn(state, 'alice')).toEqual({ posted: '70', available: '70' });
      expect(balancesIn(state, 'bob')).toEqual({ posted: '30', available: '30' });

      expect(state.transactions.get('tx-rent')?.reversed_by).toBe('rv-1');
      expect(state.transactions.get('rv-1')?.reversed_by).toBe('rr-1');
      expect(state.transactions.get('rr-1')).toEqual({
        id: 'rr-1',
        entries: [
          { account_id: 'alice', direction: 'debit', amount: 30n },
          { account_id: 'bob', direction: 'credit', amount: 30n },
        ],
        reversed_by: null,
      });

      // The original stays reversed (it is not "un-reversed"); each link can be made once.
      expect(decide(state, reverseTransaction('tx-rent'), ctxOf('x'))).toMatchObject({ code: 'already_reversed', details: { transaction_id: 'tx-rent', reversed_by: 'rv-1' } });
      expect(decide(state, reverseTransaction('rv-1'), ctxOf('x'))).toMatchObject({ code: 'already_reversed', details: { transaction_id: 'rv-1', reversed_by: 'rr-1' } });
      const third = decide(state, reverseTransaction('rr-1'), ctxOf('x'));
      if (isDomainError(third)) throw new Error(third.code);
      expect(postedData(third[0])).toMatchObject({ transaction_id: 'x-1', reverses: 'rr-1' });
    });

    it('reverses a recorded reversal', () => {
      const outcome = given(...withRentReversed).when(reverseTransaction('rv-1'));
      const data = reversalOf(outcome.events());

      expect(data).toMatchObject({ transaction_id: 'id-1', reverses: 'rv-1', description: 'reversal of rv-1' });
      expect(data.entries.map((e) => [e.account_id, e.direction, e.amount, e.balance_after])).toEqual([
        ['alice', 'debit', '30', figures({ debits_posted: '60', credits_posted: '130', posted: '70', available: '70' })],
        ['bob', 'credit', '30', figures({ debits_posted: '30', credits_posted: '60', posted: '30', available: '30' })],
      ]);
      expect(reversedData(outcome.events()[1])).toEqual({ transaction_id: 'rv-1', reversed_by: 'id-1', reason: null, reversed_at: NOW });
    });

    it('obeys the funds rule too: refused when alice spent what the reversal gave back', () => {
      const aliceSpends80 = posted('tx-spend', [
        { account_id: 'alice', direction: 'debit', amount: '80', balance_after: figures({ debits_posted: '110', credits_posted: '130', posted: '20', available: '20' }) },
        { account_id: 'carol', direction: 'credit', amount: '80', balance_after: figures({ credits_posted: '80', posted: '80', available: '80' }) },
      ]);
      const outcome = given(...withRentReversed, aliceSpends80).when(reverseTransaction('rv-1'));
      expect(outcome.error()).toEqual({
        kind: 'domain_error',
        code: 'insufficient_funds',
        message: 'account alice no longer holds the money this reversal takes back',
        details: { account_id: 'alice', available: '20', required: '30' },
      });
    });
  });

  describe('hold captures', () => {
    // h-1: alice holds 60 of her 100 toward bob until EXPIRES_AT.
    const aliceHolds60ForBob = holdCreated('h-1', {
      account_id: 'alice',
      destination_account_id: 'bob',
      amount: '60',
      expires_at: EXPIRES_AT,
      source_balance_after: figures({ credits_posted: '100', debits_pending: '60', posted: '100', available: '40' }),
      destination_balance_after: figures({ credits_pending: '60' }),
    });
    const withHold: LedgerEvent[] = [...funded, aliceHolds60ForBob];
    const h1CapturedFully = holdCaptured('tx-capture', 'h-1', [
      { account_id: 'alice', direction: 'debit', amount: '60', balance_after: figures({ debits_posted: '60', credits_posted: '100', posted: '40', available: '40' }) },
      { account_id: 'bob', direction: 'credit', amount: '60', balance_after: figures({ credits_posted: '60', posted: '60', available: '60' }) },
    ]);
    const h1Captured45 = holdCaptured('tx-capture', 'h-1', [
      {
        account_id: 'alice',
        direction: 'debit',
        amount: '45',
        balance_after: figures({ debits_posted: '45', credits_posted: '100', debits_pending: '15', posted: '55', available: '40' }),
      },
      { account_id: 'bob', direction: 'credit', amount: '45', balance_after: figures({ credits_posted: '45', credits_pending: '15', posted: '45', available: '45' }) },
    ]);
    const h1RemainderReleased = holdReleased('h-1', 'captured_remainder', {
      account_id: 'alice',
      destination_account_id: 'bob',
      amount: '15',
      source_balance_after: figures({ debits_posted: '45', credits_posted: '100', posted: '55', available: '55' }),
      destination_balance_after: figures({ credits_posted: '45', posted: '45', available: '45' }),
    });

    it('reverses a full capture: the captured money goes back; the posting carries no hold_id', () => {
      const outcome = given(...withHold, h1CapturedFully).when(reverseTransaction('tx-capture', 'goods returned'));
      const events = outcome.events();
      const data = reversalOf(events);

      expect(data).toEqual({
        transaction_id: 'id-1',
        reverses: 'tx-capture',
        description: 'goods returned',
        reference: null,
        metadata: {},
        posted_at: NOW,
        entries: [
          {
            entry_id: entryIdOf('id-1', 0),
            account_id: 'bob',
            direction: 'debit',
            amount: '60',
            currency: 'USD',
            balance_after: figures({ debits_posted: '60', credits_posted: '60', posted: '0', available: '0' }),
          },
          {
            entry_id: entryIdOf('id-1', 1),
            account_id: 'alice',
            direction: 'credit',
            amount: '60',
            currency: 'USD',
            balance_after: figures({ debits_posted: '60', credits_posted: '160', posted: '100', available: '100' }),
          },
        ],
      });
      expect(data).not.toHaveProperty('hold_id');
      expect(reversedData(events[1])).toEqual({ transaction_id: 'tx-capture', reversed_by: 'id-1', reason: 'goods returned', reversed_at: NOW });
    });

    it('leaves the hold captured: captured_amount unchanged, and it cannot be captured or released again', () => {
      const state = given(...withHold, h1CapturedFully).when(reverseTransaction('tx-capture')).stateAfter();

      expect(state.holds.get('h-1')).toMatchObject({ status: 'captured', amount: 60n, captured_amount: 60n, released_amount: 0n });
      expect(countersIn(state, 'alice')).toEqual({ debits_posted: 60n, credits_posted: 160n, debits_pending: 0n, credits_pending: 0n });
      expect(countersIn(state, 'bob')).toEqual({ debits_posted: 60n, credits_posted: 60n, debits_pending: 0n, credits_pending: 0n });
      expect(state.transactions.get('tx-capture')?.reversed_by).toBe('id-1');
      expect(decide(state, captureHold('h-1'), ctxOf('c'))).toMatchObject({ code: 'hold_not_pending', details: { hold_id: 'h-1', status: 'captured' } });
      expect(decide(state, releaseHold('h-1'), ctxOf('c'))).toMatchObject({ code: 'hold_not_pending', details: { hold_id: 'h-1', status: 'captured' } });
    });

    it('reverses a partial capture (45 of 60, remainder released) by the captured amount only', () => {
      const outcome = given(...withHold, h1Captured45, h1RemainderReleased).when(reverseTransaction('tx-capture'));
      const data = reversalOf(outcome.events());

      expect(data.entries.map((e) => [e.account_id, e.direction, e.amount, e.balance_after])).toEqual([
        ['bob', 'debit', '45', figures({ debits_posted: '45', credits_posted: '45', posted: '0', available: '0' })],
        ['alice', 'credit', '45', figures({ debits_posted: '45', credits_posted: '145', posted: '100', available: '100' })],
      ]);
      expect(outcome.stateAfter().holds.get('h-1')).toMatchObject({ status: 'captured', captured_amount: 45n, released_amount: 15n });
    });

    it('reverses a capture decided by capture_hold, after the hold would have expired', () => {
      const state = fold(withHold);
      const capture = decideAndFold(state, captureHold('h-1', 45n), ctxOf('cap'));
      const captureId = postedData(capture[0]).transaction_id;
      expect(captureId).toBe('cap-1');

      const events = decideAndFold(state, reverseTransaction(captureId), ctxOf('rv', FAR_FUTURE));

      expect(postedData(events[0])).toMatchObject({ transaction_id: 'rv-1', reverses: 'cap-1', posted_at: FAR_FUTURE });
      expect(postedData(events[0]).entries.map((e) => [e.entry_id, e.account_id, e.direction, e.amount, e.balance_after])).toEqual([
        [entryIdOf('rv-1', 0), 'bob', 'debit', '45', figures({ debits_posted: '45', credits_posted: '45', posted: '0', available: '0' })],
        [entryIdOf('rv-1', 1), 'alice', 'credit', '45', figures({ debits_posted: '45', credits_posted: '145', posted: '100', available: '100' })],
      ]);
      expect(state.holds.get('h-1')).toMatchObject({ status: 'captured', captured_amount: 45n, released_amount: 15n });
      expect(state.transactions.get('cap-1')?.reversed_by).toBe('rv-1');
    });

    it('refuses when the destination spent the captured money', () => {
      const bobSpends50 = posted('tx-bob', [
        { account_id: 'bob', direction: 'debit', amount: '50', balance_after: figures({ debits_posted: '50', credits_posted: '60', posted: '10', available: '10' }) },
        { account_id: 'carol', direction: 'credit', amount: '50', balance_after: figures({ credits_posted: '50', posted: '50', available: '50' }) },
      ]);
      const outcome = given(...withHold, h1CapturedFully, bobSpends50).when(reverseTransaction('tx-capture'));

      expect(outcome.error()).toEqual({
        kind: 'domain_error',
        code: 'insufficient_funds',
        message: 'account bob no longer holds the money this reversal takes back',
        details: { account_id: 'bob', available: '10', required: '60' },
      });
      expect(serializeState(outcome.state)).toBe(serializeState(outcome.stateBefore));
    });
  });

  describe('rejected decisions leave the state unchanged and yield no events', () => {
    const bobSpends25 = posted('tx-bob', [
      { account_id: 'bob', direction: 'debit', amount: '25', balance_after: figures({ debits_posted: '25', credits_posted: '30', posted: '5', available: '5' }) },
      { account_id: 'carol', direction: 'credit', amount: '25', balance_after: figures({ credits_posted: '25', posted: '25', available: '25' }) },
    ]);

    it.each([
      ['not_found', withRent, 'tx-ghost'],
      ['already_reversed', withRentReversed, 'tx-rent'],
      ['insufficient_funds', [...withRent, bobSpends25], 'tx-rent'],
      ['account_not_active', [...withRent, statusChanged('bob', 'active', 'frozen')], 'tx-rent'],
    ] as const)('%s', (code, history, transactionId) => {
      const outcome = given(...history).when(reverseTransaction(transactionId));

      expect(isDomainError(outcome.decision)).toBe(true);
      expect(outcome.error().code).toBe(code);
      expect(() => outcome.events()).toThrow(`expected events, got ${code}`);
      expect(serializeState(outcome.state)).toBe(serializeState(outcome.stateBefore));
    });

    it('decide() never mutates the state, across accepted and refused reversals', () => {
      const state = fold([...withRent, bobSpends25, alicePaysBob30AsTx2()]);
      const before = serializeState(state);
      const ctx = testContext();
      // bob is back at 35: both rent payments can go back; alice has 40 of the deposit's 100.
      expect(isDomainError(decide(state, reverseTransaction('tx-rent'), ctx))).toBe(false);
      expect(isDomainError(decide(state, reverseTransaction('tx-2'), ctx))).toBe(false);
      expect(decide(state, reverseTransaction('tx-deposit'), ctx)).toMatchObject({ code: 'insufficient_funds', details: { account_id: 'alice', available: '40' } });
      expect(decide(state, reverseTransaction('tx-ghost'), ctx)).toMatchObject({ code: 'not_found' });
      expect(serializeState(state)).toBe(before);
    });

    /** A second rent payment, after bob spent 25: alice 40 -> bob 35. */
    function alicePaysBob30AsTx2(): LedgerEvent {
      return posted('tx-2', [
        { account_id: 'alice', direction: 'debit', amount: '30', balance_after: figures({ debits_posted: '60', credits_posted: '100', posted: '40', available: '40' }) },
        { account_id: 'bob', direction: 'credit', amount: '30', balance_after: figures({ debits_posted: '25', credits_posted: '60', posted: '35', available: '35' }) },
      ]);
    }
  });
});

describe('evolve for reversals', () => {
  it('ledger.entry.posted records the transaction: entries with bigint amounts and reversed_by null', () => {
    const state = fold(funded);

    expect(state.transactions.get('tx-deposit')).toEqual({
      id: 'tx-deposit',
      entries: [
        { account_id: 'settlement', direction: 'debit', amount: 100n },
        { account_id: 'alice', direction: 'credit', amount: 100n },
      ],
      reversed_by: null,
    });
  });

  it('records a hold capture and a reversal posting as transactions too', () => {
    const capture = holdCaptured('tx-capture', 'h-9', [
      { account_id: 'alice', direction: 'debit', amount: '7', balance_after: figures({ debits_posted: '7', credits_posted: '100', posted: '93', available: '93' }) },
      { account_id: 'bob', direction: 'credit', amount: '7', balance_after: figures({ credits_posted: '7', posted: '7', available: '7' }) },
    ]);
    const state = fold([...funded, capture]);
    const reversed = fold([...withRent, rentReversal]);

    expect(state.transactions.get('tx-capture')).toEqual({
      id: 'tx-capture',
      entries: [
        { account_id: 'alice', direction: 'debit', amount: 7n },
        { account_id: 'bob', direction: 'credit', amount: 7n },
      ],
      reversed_by: null,
    });
    expect(reversed.transactions.get('rv-1')).toEqual({
      id: 'rv-1',
      entries: [
        { account_id: 'bob', direction: 'debit', amount: 30n },
        { account_id: 'alice', direction: 'credit', amount: 30n },
      ],
      reversed_by: null,
    });
  });

  it('a reversal posting alone does not mark the original; ledger.entry.reversed does', () => {
    const state = fold([...withRent, rentReversal]);
    expect(state.transactions.get('tx-rent')?.reversed_by).toBeNull();

    evolve(state, rentReversed, state.revision + 1n);

    expect(state.transactions.get('tx-rent')).toEqual({
      id: 'tx-rent',
      entries: [
        { account_id: 'alice', direction: 'debit', amount: 30n },
        { account_id: 'bob', direction: 'credit', amount: 30n },
      ],
      reversed_by: 'rv-1',
    });
  });

  it('ledger.entry.reversed replaces the transaction record instead of mutating it', () => {
    const state = fold([...withRent, rentReversal]);
    const before = state.transactions.get('tx-rent')!;

    evolve(state, rentReversed, 12n);

    expect(before.reversed_by).toBeNull();
    expect(state.transactions.get('tx-rent')).not.toBe(before);
  });

  it('ledger.entry.reversed changes nothing but the original reversed_by, the revision and last_occurred_at', () => {
    const state = fold([...withRent, rentReversal]);
    const accountsBefore = new Map(state.accounts as Map<string, unknown>);
    const holdsBefore = new Map(state.holds as Map<string, unknown>);
    const reversalBefore = state.transactions.get('rv-1');
    const depositBefore = state.transactions.get('tx-deposit');

    evolve(state, rentReversed, 11n, { occurred_at: LATER });

    expect(state.accounts).toEqual(accountsBefore);
    for (const [id, account] of accountsBefore) expect(state.accounts.get(id)).toBe(account);
    expect(state.holds).toEqual(holdsBefore);
    expect(state.transactions.get('rv-1')).toBe(reversalBefore);
    expect(state.transactions.get('tx-deposit')).toBe(depositBefore);
    expect(state.revision).toBe(11n);
    expect(state.last_occurred_at).toBe(LATER);
  });

  it('ignores ledger.entry.reversed for an unknown transaction (no record is made up) but advances the revision', () => {
    const state = fold(funded);
    evolve(state, entryReversed('tx-ghost', 'rv-1'), 9n);

    expect(state.transactions.get('tx-ghost')).toBeUndefined();
    expect(state.revision).toBe(9n);
  });

  it('sets last_occurred_at from the envelope of each reversal event', () => {
    const state = fold([...withRent]);
    expect(state.last_occurred_at).toBeNull();

    fold([{ event: rentReversal, meta: { occurred_at: NOW } }], state);
    expect(state.last_occurred_at).toBe(NOW);
    fold([{ event: rentReversed, meta: { occurred_at: LATER } }], state);
    expect(state.last_occurred_at).toBe(LATER);
    fold([entryReversed('tx-ghost', 'rv-1')], state);
    expect(state.last_occurred_at).toBe(LATER);
  });

  it('remembers one idempotency record for both events of a reversal', () => {
    const meta = { idempotency_key: 'rev-key', request_hash: 'rev-hash', occurred_at: NOW };
    const state = fold([...withRent, { event: rentReversal, meta }, { event: rentReversed, meta }]);

    expect(state.idempotency.get('rev-key')).toEqual({ request_hash: 'rev-hash', first_revision: 10n, event_count: 2 });
  });

  describe('determinism on replay', () => {
    const log: RecordedEvent[] = [...withRentReversed].map((event, index) => ({
      event,
      meta: { idempotency_key: `key-${index}`, request_hash: `hash-${index}`, occurred_at: `2030-01-01T00:00:${String(index).padStart(2, '0')}.000Z` },
    }));

    it('folding the same log twice gives the same state byte for byte, transactions and last_occurred_at included', () => {
      const first = serializeState(fold(log));
      const second = serializeState(fold(log));

      expect(second).toBe(first);
      expect(first).toContain('"reversed_by":"rv-1"');
      expect(first).toContain('"last_occurred_at":"2030-01-01T00:00:11.000Z"');
      expect(fold(log)).toEqual(fold(log));
    });

    it('folding in two batches, split between the reversal posting and the reversed event, equals folding at once', () => {
      const once = fold(log);
      const twice = fold(log.slice(11), fold(log.slice(0, 11)));
      expect(serializeState(twice)).toBe(serializeState(once));
    });

    it('the live state after decided reversals equals the replay of its log', () => {
      const state = fold(withRent);
      const recorded: LedgerEvent[] = [...withRent];
      // tx-rent reversed (a-1), that reversed (b-1), that reversed (c-1): alice back at 100; then the deposit (d-1).
      recorded.push(...decideAndFold(state, reverseTransaction('tx-rent', 'one'), ctxOf('a')));
      recorded.push(...decideAndFold(state, reverseTransaction('a-1', 'two'), ctxOf('b')));
      recorded.push(...decideAndFold(state, reverseTransaction('b-1', 'three'), ctxOf('c')));
      recorded.push(...decideAndFold(state, reverseTransaction('tx-deposit'), ctxOf('d', LATER)));

      expect(serializeState(fold(recorded))).toBe(serializeState(state));
      expect(serializeState(fold(recorded, initialState()))).toBe(serializeState(state));
      expect(['tx-rent', 'a-1', 'b-1', 'c-1', 'tx-deposit', 'd-1'].map((id) => state.transactions.get(id)?.reversed_by)).toEqual(['a-1', 'b-1', 'c-1', null, 'd-1', null]);
      expect(balancesIn(state, 'bob')).toEqual({ posted: '0', available: '0' });
      expect(balancesIn(state, 'alice')).toEqual({ posted: '0', available: '0' });
      expect(balancesIn(state, 'settlement')).toEqual({ posted: '0', available: '0' });
    });

    it('serializeState tells apart states that differ only in a transaction reversed_by', () => {
      // Same revision, accounts, holds and idempotency; only tx-rent.reversed_by differs.
      const marked = fold([...withRent, rentReversal, rentReversed]);
      const unmarked = fold([...withRent, rentReversal, entryReversed('tx-ghost', 'rv-1')]);
      expect(marked.revision).toBe(unmarked.revision);
      expect(serializeState(marked)).not.toBe(serializeState(unmarked));
      expect(serializeState(marked)).toBe(serializeState(fold([...withRent, rentReversal, rentReversed])));
    });
  });
});
