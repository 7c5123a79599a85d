// Over 300 lines on purpose: one given/when/then case per rule and per edge of it, in the order the rules are read.
// Decider and evolve specs for holds (two-phase transfers): place, capture (full and partial),
// release, expiry, the time rules decided from ctx.now, and a seeded invariant run.
import { availableBalance } from './account.js';
import { EntryInput, LedgerCommand } from './commands.js';
import { decide } from './decide.js';
import { entryIdOf, postingOf } from './stored-posting.js';
import { DomainErrorCode, isDomainError } from './errors.js';
import { BalanceReleasedData, EntryPostedData, HoldCreatedData, LedgerEvent } from './events.js';
import { Hold, LedgerState, initialState } from './state.js';
import { NOW, fold, given, testContext } from './testing/given-when-then.js';
import {
  CREATED_AT,
  EUR,
  USD,
  accountCreated,
  captureHold,
  changeStatus,
  credit,
  debit,
  expireHold,
  figures,
  holdCaptured,
  holdCreated,
  holdReleased,
  openAccount,
  placeHold,
  postTransaction,
  posted,
  releaseHold,
  statusChanged,
} from './testing/ledger-fixtures.js';

// NOW is 2030-01-02T03:04:05.000Z; the standard hold expires one hour later.
const EXPIRES_AT = '2030-01-02T04:04:05.000Z';
const JUST_BEFORE_EXPIRY = '2030-01-02T04:04:04.999Z';
const JUST_AFTER_EXPIRY = '2030-01-02T04:04:05.001Z';
const FAR_FUTURE = '2099-12-31T23:59:59.999Z';

/** A deterministic context accepted at `now` (ids id-1, id-2, ...). */
const at = (now: string) => testContext(now);

// settlement and payouts are assets (debit-normal); alice, bob and carol are customer liabilities
// (credit-normal); ops is an overdraft float allowed to go negative; alice-eur is alice's EUR wallet.
const opened: LedgerEvent[] = [
  accountCreated('settlement', { normal_balance: 'debit', account_type: 'settlement' }),
  accountCreated('payouts', { normal_balance: 'debit', account_type: 'payout' }),
  accountCreated('alice'),
  accountCreated('bob'),
  accountCreated('carol'),
  accountCreated('ops', { allow_negative: true, account_type: 'operating' }),
  accountCreated('alice-eur', { currency: EUR }),
];
const aliceDeposited100 = posted('tx-deposit', [
  { account_id: 'settlement', direction: 'debit', amount: '100', balance_after: figures({ debits_posted: '100', posted: '100', available: '100' }) },
  { account_id: 'alice', direction: 'credit', amount: '100', balance_after: figures({ credits_posted: '100', posted: '100', available: '100' }) },
]);
const funded: LedgerEvent[] = [...opened, aliceDeposited100];

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

// h-2: alice holds 30 toward bob with no expiry.
const aliceHolds30Forever = holdCreated('h-2', {
  account_id: 'alice',
  destination_account_id: 'bob',
  amount: '30',
  expires_at: null,
  source_balance_after: figures({ credits_posted: '100', debits_pending: '30', posted: '100', available: '70' }),
  destination_balance_after: figures({ credits_pending: '30' }),
});
const withOpenEndedHold: LedgerEvent[] = [...funded, aliceHolds30Forever];

// The ways h-1 can end, as recorded events.
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
const h1Released = holdReleased('h-1', 'released', {
  account_id: 'alice',
  destination_account_id: 'bob',
  amount: '60',
  note: 'order cancelled',
  source_balance_after: figures({ credits_posted: '100', posted: '100', available: '100' }),
  destination_balance_after: figures(),
});
const h1Expired = holdReleased('h-1', 'expired', {
  account_id: 'alice',
  destination_account_id: 'bob',
  amount: '60',
  source_balance_after: figures({ credits_posted: '100', posted: '100', available: '100' }),
  destination_balance_after: figures(),
});

function holdCreatedData(events: LedgerEvent[]): HoldCreatedData {
  expect(events).toHaveLength(1);
  const [event] = events;
  if (event.type !== 'balance.hold.created') throw new Error(`expected balance.hold.created, got ${event.type}`);
  return event.data;
}

function postedData(event: LedgerEvent): EntryPostedData {
  if (event.type !== 'ledger.entry.posted') throw new Error(`expected ledger.entry.posted, got ${event.type}`);
  return postingOf(event.data);
}

function releasedData(event: LedgerEvent): BalanceReleasedData {
  if (event.type !== 'balance.released') throw new Error(`expected balance.released, got ${event.type}`);
  return event.data;
}

/** An account's counters as bigints, for asserting folded state. */
function countersIn(state: LedgerState, accountId: string) {
  const { debits_posted, credits_posted, debits_pending, credits_pending } = state.accounts.get(accountId)!;
  return { debits_posted, credits_posted, debits_pending, credits_pending };
}

/**
 * The whole write model, holds included, as a string (serializeState in given-when-then.ts
 * leaves state.holds out, so it cannot tell whether a decision touched a hold).
 */
function snapshot(state: LedgerState): string {
  const entriesOf = (map: unknown): unknown[] => (map instanceof Map ? [...map.entries()] : []);
  return JSON.stringify(
    { revision: state.revision, accounts: entriesOf(state.accounts), holds: entriesOf(state.holds), idempotency: entriesOf(state.idempotency) },
    (_key, value) => (typeof value === 'bigint' ? `${value}n` : value),
  );
}

describe('place_hold', () => {
  describe('accepted holds', () => {
    it('reserves the amount: source debits_pending += amount and available drops; destination credits_pending += amount', () => {
      const outcome = given(...funded).when(
        placeHold('alice', 'bob', 60n, { expires_at: EXPIRES_AT, reference: 'order-9', description: 'card auth', metadata: { mcc: '5411' } }),
      );

      expect(outcome.events()).toEqual([
        {
          type: 'balance.hold.created',
          data: {
            hold_id: 'id-1',
            account_id: 'alice',
            destination_account_id: 'bob',
            amount: '60',
            currency: 'USD',
            expires_at: EXPIRES_AT,
            reference: 'order-9',
            description: 'card auth',
            metadata: { mcc: '5411' },
            created_at: NOW,
            source_balance_after: figures({ credits_posted: '100', debits_pending: '60', posted: '100', available: '40' }),
            destination_balance_after: figures({ credits_pending: '60' }),
          },
        },
      ]);
    });

    it('folds into a pending hold and the reserved counters', () => {
      const state = given(...funded)
        .when(placeHold('alice', 'bob', 60n, { expires_at: EXPIRES_AT, reference: 'order-9', description: 'card auth', metadata: { mcc: '5411' } }))
        .stateAfter();

      expect(state.holds.get('id-1')).toEqual({
        id: 'id-1',
        account_id: 'alice',
        destination_account_id: 'bob',
        amount: 60n,
        currency: 'USD',
        expires_at: EXPIRES_AT,
        status: 'pending',
        captured_amount: 0n,
        released_amount: 0n,
        reference: 'order-9',
        description: 'card auth',
        metadata: { mcc: '5411' },
        created_at: NOW,
      });
      expect(countersIn(state, 'alice')).toEqual({ debits_posted: 0n, credits_posted: 100n, debits_pending: 60n, credits_pending: 0n });
      expect(countersIn(state, 'bob')).toEqual({ debits_posted: 0n, credits_posted: 0n, debits_pending: 0n, credits_pending: 60n });
    });

    it('does not touch the state it decided against', () => {
      const outcome = given(...funded).when(placeHold('alice', 'bob', 60n));
      expect(snapshot(outcome.state)).toBe(snapshot(outcome.stateBefore));
    });

    it('accepts expires_at null: the hold never expires by itself', () => {
      const outcome = given(...funded).when(placeHold('alice', 'bob', 30n, { expires_at: null }));

      expect(holdCreatedData(outcome.events()).expires_at).toBeNull();
      expect(outcome.stateAfter().holds.get('id-1')).toMatchObject({ expires_at: null, status: 'pending' });
    });

    it('accepts expires_at one millisecond after now', () => {
      const outcome = given(...funded).when(placeHold('alice', 'bob', 30n, { expires_at: '2030-01-02T03:04:05.001Z' }));
      expect(holdCreatedData(outcome.events()).expires_at).toBe('2030-01-02T03:04:05.001Z');
    });

    it('stacks on an existing hold and may take available exactly to zero', () => {
      const outcome = given(...withHold).when(placeHold('alice', 'carol', 40n));

      const data = holdCreatedData(outcome.events());
      expect(data.source_balance_after).toEqual(figures({ credits_posted: '100', debits_pending: '100', posted: '100', available: '0' }));
      expect(data.destination_balance_after).toEqual(figures({ credits_pending: '40' }));
    });

    it('counts incoming pending credits as not yet available to the destination', () => {
      const outcome = given(...withHold).when(placeHold('bob', 'carol', 1n));
      expect(outcome.error()).toMatchObject({ code: 'insufficient_funds', details: { account_id: 'bob', available: '0', required: '1' } });
    });

    it('lets an allow_negative source hold more than it has', () => {
      const outcome = given(...funded).when(placeHold('ops', 'bob', 50n));

      expect(holdCreatedData(outcome.events()).source_balance_after).toEqual(figures({ debits_pending: '50', posted: '0', available: '-50' }));
    });

    it('a debit-normal source: debits_pending raises the asset, so available does not drop', () => {
      const outcome = given(...funded).when(placeHold('settlement', 'bob', 500n));

      const data = holdCreatedData(outcome.events());
      expect(data.source_balance_after).toEqual(figures({ debits_posted: '100', debits_pending: '500', posted: '100', available: '100' }));
      expect(data.destination_balance_after).toEqual(figures({ credits_pending: '500' }));
    });

    it('a debit-normal destination: credits_pending lowers its available', () => {
      const outcome = given(...funded).when(placeHold('alice', 'settlement', 100n));

      const data = holdCreatedData(outcome.events());
      expect(data.source_balance_after).toEqual(figures({ credits_posted: '100', debits_pending: '100', posted: '100', available: '0' }));
      expect(data.destination_balance_after).toEqual(figures({ debits_posted: '100', credits_pending: '100', posted: '100', available: '0' }));
    });

    it('uses a fresh hold id per hold', () => {
      const ctx = at(NOW);
      const state = fold(funded);
      const first = decide(state, placeHold('alice', 'bob', 10n), ctx) as LedgerEvent[];
      fold(first, state);
      const second = decide(state, placeHold('alice', 'bob', 10n), ctx) as LedgerEvent[];

      expect([holdCreatedData(first).hold_id, holdCreatedData(second).hold_id]).toEqual(['id-1', 'id-2']);
    });
  });

  describe('refusals', () => {
    it('insufficient_funds when available < amount', () => {
      const outcome = given(...funded).when(placeHold('alice', 'bob', 101n));

      expect(outcome.error()).toEqual({
        kind: 'domain_error',
        code: 'insufficient_funds',
        message: 'account alice has insufficient available balance',
        details: { account_id: 'alice', available: '100', required: '101' },
      });
      expect(snapshot(outcome.state)).toBe(snapshot(outcome.stateBefore));
    });

    it('insufficient_funds counts earlier holds against available', () => {
      const outcome = given(...withHold).when(placeHold('alice', 'carol', 41n));
      expect(outcome.error()).toMatchObject({ code: 'insufficient_funds', details: { account_id: 'alice', available: '40', required: '41' } });
    });

    it('insufficient_funds when a non-allow_negative debit-normal destination would go below zero', () => {
      const outcome = given(...funded, accountCreated('payouts', { normal_balance: 'debit' })).when(placeHold('alice', 'payouts', 50n));
      expect(outcome.error()).toMatchObject({ code: 'insufficient_funds', details: { account_id: 'payouts', available: '0', required: '50' } });
      expect(snapshot(outcome.state)).toBe(snapshot(outcome.stateBefore));
    });

    it('not_found for an unknown source', () => {
      const outcome = given(...funded).when(placeHold('ghost', 'bob', 1n));

      expect(outcome.error()).toEqual({
        kind: 'domain_error',
        code: 'not_found',
        message: 'account ghost not found',
        details: { account_id: 'ghost', field: 'account_id' },
      });
    });

    it('not_found for an unknown destination', () => {
      const outcome = given(...funded).when(placeHold('alice', 'ghost', 1n));
      expect(outcome.error()).toMatchObject({ code: 'not_found', details: { account_id: 'ghost', field: 'destination_account_id' } });
    });

    it.each([
      ['a frozen source', statusChanged('alice', 'active', 'frozen'), 'alice', 'bob', 'alice', 'frozen'],
      ['a closed source', statusChanged('carol', 'active', 'closed'), 'carol', 'bob', 'carol', 'closed'],
      ['a frozen destination', statusChanged('bob', 'active', 'frozen'), 'alice', 'bob', 'bob', 'frozen'],
      ['a closed destination', statusChanged('carol', 'active', 'closed'), 'alice', 'carol', 'carol', 'closed'],
    ] as const)('account_not_active for %s', (_name, statusEvent, source, destination, account_id, status) => {
      const outcome = given(...funded, statusEvent).when(placeHold(source, destination, 1n));

      expect(outcome.error()).toEqual({
        kind: 'domain_error',
        code: 'account_not_active',
        message: `account ${account_id} is ${status}`,
        details: { account_id, status },
      });
    });

    it('currency_mismatch when source and destination currencies differ', () => {
      const outcome = given(...funded).when(placeHold('alice', 'alice-eur', 10n));

      expect(outcome.error()).toEqual({
        kind: 'domain_error',
        code: 'currency_mismatch',
        message: 'source is USD, destination is EUR',
        details: { account_id: 'alice-eur', account_currency: 'EUR', source_currency: 'USD' },
      });
    });

    it('invalid_hold when expires_at equals now', () => {
      const outcome = given(...funded).when(placeHold('alice', 'bob', 10n, { expires_at: NOW }));

      expect(outcome.error()).toEqual({
        kind: 'domain_error',
        code: 'invalid_hold',
        message: 'expires_at must be in the future',
        details: { expires_at: NOW, now: NOW },
      });
    });

    it('invalid_hold when expires_at is before now', () => {
      const outcome = given(...funded).when(placeHold('alice', 'bob', 10n, { expires_at: '2030-01-02T03:04:04.999Z' }));
      expect(outcome.error()).toMatchObject({ code: 'invalid_hold', details: { expires_at: '2030-01-02T03:04:04.999Z', now: NOW } });
    });

    it('invalid_hold compares instants, not strings (an offset that equals now)', () => {
      const outcome = given(...funded).when(placeHold('alice', 'bob', 10n, { expires_at: '2030-01-02T04:04:05.000+01:00' }));
      expect(outcome.error().code).toBe('invalid_hold');
    });

    it('invalid_hold when source and destination are the same account', () => {
      const outcome = given(...funded).when(placeHold('alice', 'alice', 10n));

      expect(outcome.error()).toEqual({
        kind: 'domain_error',
        code: 'invalid_hold',
        message: 'a hold needs two different accounts',
        details: { account_id: 'alice', field: 'destination_account_id' },
      });
    });
  });
});

describe('capture_hold', () => {
  describe('full capture', () => {
    it('posts one entry pair with hold_id, moving pending to posted; the source available is unchanged', () => {
      const outcome = given(...withHold).when(captureHold('h-1'));

      expect(outcome.events()).toEqual([
        {
          type: 'ledger.entry.posted',
          data: {
            transaction_id: 'id-1',
            hold_id: 'h-1',
            description: 'capture of hold h-1',
            reference: null,
            metadata: {},
            posted_at: NOW,
            entries: [
              {
                entry_id: entryIdOf('id-1', 0),
                account_id: 'alice',
                direction: 'debit',
                amount: '60',
                currency: 'USD',
                balance_after: figures({ debits_posted: '60', credits_posted: '100', posted: '40', available: '40' }),
              },
              {
                entry_id: entryIdOf('id-1', 1),
                account_id: 'bob',
                direction: 'credit',
                amount: '60',
                currency: 'USD',
                balance_after: figures({ credits_posted: '60', posted: '60', available: '60' }),
              },
            ],
          },
        },
      ]);
    });

    it('an explicit amount equal to the held amount is a full capture (no release)', () => {
      const outcome = given(...withHold).when(captureHold('h-1', 60n));

      const events = outcome.events();
      expect(events.map((e) => e.type)).toEqual(['ledger.entry.posted']);
      expect(postedData(events[0]).entries.map((e) => [e.account_id, e.amount, e.balance_after])).toEqual([
        ['alice', '60', figures({ debits_posted: '60', credits_posted: '100', posted: '40', available: '40' })],
        ['bob', '60', figures({ credits_posted: '60', posted: '60', available: '60' })],
      ]);
    });

    it('folds into a captured hold and zero pending', () => {
      const state = given(...withHold).when(captureHold('h-1')).stateAfter();

      expect(state.holds.get('h-1')).toMatchObject({ status: 'captured', captured_amount: 60n, released_amount: 0n });
      expect(countersIn(state, 'alice')).toEqual({ debits_posted: 60n, credits_posted: 100n, debits_pending: 0n, credits_pending: 0n });
      expect(countersIn(state, 'bob')).toEqual({ debits_posted: 0n, credits_posted: 60n, debits_pending: 0n, credits_pending: 0n });
    });

    it('captures a hold without expiry at any later time', () => {
      const outcome = given(...withOpenEndedHold).when(captureHold('h-2'), at(FAR_FUTURE));

      expect(postedData(outcome.events()[0])).toMatchObject({ hold_id: 'h-2', posted_at: FAR_FUTURE });
      expect(postedData(outcome.events()[0]).entries[0].balance_after).toEqual(
        figures({ debits_posted: '30', credits_posted: '100', posted: '70', available: '70' }),
      );
    });

    it('does not touch the state it decided against', () => {
      const outcome = given(...withHold).when(captureHold('h-1', 45n));
      expect(snapshot(outcome.state)).toBe(snapshot(outcome.stateBefore));
    });
  });

  describe('partial capture', () => {
    it('posts the captured part and releases the remainder with reason captured_remainder, in the same decision', () => {
      const outcome = given(...withHold).when(captureHold('h-1', 45n));

      expect(outcome.events()).toEqual([
        {
          type: 'ledger.entry.posted',
          data: {
            transaction_id: 'id-1',
            hold_id: 'h-1',
            description: 'capture of hold h-1',
            reference: null,
            metadata: {},
            posted_at: NOW,
            entries: [
              {
                entry_id: entryIdOf('id-1', 0),
                account_id: 'alice',
                direction: 'debit',
                amount: '45',
                currency: 'USD',
                balance_after: figures({ debits_posted: '45', credits_posted: '100', debits_pending: '15', posted: '55', available: '40' }),
              },
              {
                entry_id: entryIdOf('id-1', 1),
                account_id: 'bob',
                direction: 'credit',
                amount: '45',
                currency: 'USD',
                balance_after: figures({ credits_posted: '45', credits_pending: '15', posted: '45', available: '45' }),
              },
            ],
          },
        },
        {
          type: 'balance.released',
          data: {
            hold_id: 'h-1',
            reason: 'captured_remainder',
            amount: '15',
            currency: 'USD',
            account_id: 'alice',
            destination_account_id: 'bob',
            note: null,
            released_at: NOW,
            source_balance_after: figures({ debits_posted: '45', credits_posted: '100', posted: '55', available: '55' }),
            destination_balance_after: figures({ credits_posted: '45', posted: '45', available: '45' }),
          },
        },
      ]);
    });

    it('folds into a captured hold with captured_amount and released_amount, and zero pending', () => {
      const state = given(...withHold).when(captureHold('h-1', 45n)).stateAfter();

      expect(state.holds.get('h-1')).toEqual({
        id: 'h-1',
        account_id: 'alice',
        destination_account_id: 'bob',
        amount: 60n,
        currency: 'USD',
        expires_at: EXPIRES_AT,
        status: 'captured',
        captured_amount: 45n,
        released_amount: 15n,
        reference: null,
        description: null,
        metadata: {},
        created_at: CREATED_AT,
      });
      expect(countersIn(state, 'alice')).toEqual({ debits_posted: 45n, credits_posted: 100n, debits_pending: 0n, credits_pending: 0n });
      expect(countersIn(state, 'bob')).toEqual({ debits_posted: 0n, credits_posted: 45n, debits_pending: 0n, credits_pending: 0n });
    });

    it('captures a single minor unit', () => {
      const events = given(...withHold).when(captureHold('h-1', 1n)).events();

      expect(postedData(events[0]).entries.map((e) => e.amount)).toEqual(['1', '1']);
      expect(releasedData(events[1])).toMatchObject({ reason: 'captured_remainder', amount: '59' });
      expect(releasedData(events[1]).source_balance_after).toEqual(figures({ debits_posted: '1', credits_posted: '100', posted: '99', available: '99' }));
    });

    it('leaves another hold on the same source pending, and its pending counters', () => {
      const aliceAlsoHolds30ForCarol = holdCreated('h-3', {
        account_id: 'alice',
        destination_account_id: 'carol',
        amount: '30',
        source_balance_after: figures({ credits_posted: '100', debits_pending: '90', posted: '100', available: '10' }),
        destination_balance_after: figures({ credits_pending: '30' }),
      });
      const outcome = given(...withHold, aliceAlsoHolds30ForCarol).when(captureHold('h-1', 45n));

      const [capture, remainder] = outcome.events();
      expect(postedData(capture).entries[0].balance_after).toEqual(
        figures({ debits_posted: '45', credits_posted: '100', debits_pending: '45', posted: '55', available: '10' }),
      );
      expect(releasedData(remainder).source_balance_after).toEqual(
        figures({ debits_posted: '45', credits_posted: '100', debits_pending: '30', posted: '55', available: '25' }),
      );
      const state = outcome.stateAfter();
      expect(state.holds.get('h-3')).toMatchObject({ status: 'pending', amount: 30n });
      expect(countersIn(state, 'carol')).toEqual({ debits_posted: 0n, credits_posted: 0n, debits_pending: 0n, credits_pending: 30n });
    });
  });

  describe('refusals', () => {
    it('capture_exceeds_hold when amount > held', () => {
      const outcome = given(...withHold).when(captureHold('h-1', 61n));

      expect(outcome.error()).toEqual({
        kind: 'domain_error',
        code: 'capture_exceeds_hold',
        message: 'capture of 61 exceeds the held 60',
        details: { hold_id: 'h-1', held: '60', requested: '61' },
      });
      expect(snapshot(outcome.state)).toBe(snapshot(outcome.stateBefore));
    });

    it('not_found for an unknown hold', () => {
      const outcome = given(...withHold).when(captureHold('h-404'));

      expect(outcome.error()).toEqual({
        kind: 'domain_error',
        code: 'not_found',
        message: 'hold h-404 not found',
        details: { hold_id: 'h-404' },
      });
    });

    it('hold_not_pending for a captured hold (double capture)', () => {
      const outcome = given(...withHold, h1CapturedFully).when(captureHold('h-1'));

      expect(outcome.error()).toEqual({
        kind: 'domain_error',
        code: 'hold_not_pending',
        message: 'hold h-1 is captured',
        details: { hold_id: 'h-1', status: 'captured', expires_at: EXPIRES_AT },
      });
    });

    it('hold_not_pending for a partly captured hold (its remainder is gone)', () => {
      const outcome = given(...withHold, h1Captured45, h1RemainderReleased).when(captureHold('h-1', 15n));
      expect(outcome.error()).toMatchObject({ code: 'hold_not_pending', details: { hold_id: 'h-1', status: 'captured' } });
    });

    it('hold_not_pending: the second of two captures decided in turn', () => {
      const state = fold(withHold);
      const first = decide(state, captureHold('h-1'), at(NOW));
      expect(isDomainError(first)).toBe(false);
      fold(first as LedgerEvent[], state);

      expect(decide(state, captureHold('h-1'), at(NOW))).toMatchObject({ code: 'hold_not_pending', details: { status: 'captured' } });
    });

    it('hold_not_pending for a released hold (capture after release)', () => {
      const outcome = given(...withHold, h1Released).when(captureHold('h-1'));
      expect(outcome.error()).toMatchObject({ code: 'hold_not_pending', message: 'hold h-1 is released', details: { hold_id: 'h-1', status: 'released' } });
    });

    it('hold_not_pending for an expired hold', () => {
      const outcome = given(...withHold, h1Expired).when(captureHold('h-1'), at(JUST_AFTER_EXPIRY));
      expect(outcome.error()).toMatchObject({ code: 'hold_not_pending', details: { hold_id: 'h-1', status: 'expired' } });
    });

    it('hold_not_pending at exactly expires_at, before any expiry event exists (decided from ctx.now)', () => {
      const outcome = given(...withHold).when(captureHold('h-1'), at(EXPIRES_AT));

      expect(outcome.error()).toEqual({
        kind: 'domain_error',
        code: 'hold_not_pending',
        message: 'hold h-1 is expired',
        details: { hold_id: 'h-1', status: 'expired', expires_at: EXPIRES_AT },
      });
      expect(outcome.state.holds.get('h-1')!.status).toBe('pending');
    });

    it('hold_not_pending after expires_at, before any expiry event exists', () => {
      const outcome = given(...withHold).when(captureHold('h-1', 10n), at(JUST_AFTER_EXPIRY));
      expect(outcome.error()).toMatchObject({ code: 'hold_not_pending', details: { status: 'expired' } });
    });

    it('hold_not_pending compares instants: expires_at written with an offset', () => {
      const expiresWithOffset = holdCreated('h-1', {
        account_id: 'alice',
        destination_account_id: 'bob',
        amount: '60',
        expires_at: '2030-01-02T05:04:05+01:00',
        source_balance_after: figures({ credits_posted: '100', debits_pending: '60', posted: '100', available: '40' }),
        destination_balance_after: figures({ credits_pending: '60' }),
      });

      expect(given(...funded, expiresWithOffset).when(captureHold('h-1'), at(EXPIRES_AT)).error().code).toBe('hold_not_pending');
      expect(given(...funded, expiresWithOffset).when(captureHold('h-1'), at(JUST_BEFORE_EXPIRY)).events()).toHaveLength(1);
    });

    it('account_not_active when the source was frozen after the hold was placed', () => {
      const outcome = given(...withHold, statusChanged('alice', 'active', 'frozen')).when(captureHold('h-1'));

      expect(outcome.error()).toEqual({
        kind: 'domain_error',
        code: 'account_not_active',
        message: 'account alice is frozen',
        details: { account_id: 'alice', status: 'frozen' },
      });
    });

    it('account_not_active when the destination was frozen after the hold was placed', () => {
      const outcome = given(...withHold, statusChanged('bob', 'active', 'frozen')).when(captureHold('h-1', 10n));
      expect(outcome.error()).toMatchObject({ code: 'account_not_active', details: { account_id: 'bob', status: 'frozen' } });
    });
  });

  describe('just before expires_at', () => {
    it('succeeds one millisecond before expiry', () => {
      const outcome = given(...withHold).when(captureHold('h-1'), at(JUST_BEFORE_EXPIRY));

      const data = postedData(outcome.events()[0]);
      expect(data).toMatchObject({ hold_id: 'h-1', posted_at: JUST_BEFORE_EXPIRY });
      expect(data.entries.map((e) => e.balance_after)).toEqual([
        figures({ debits_posted: '60', credits_posted: '100', posted: '40', available: '40' }),
        figures({ credits_posted: '60', posted: '60', available: '60' }),
      ]);
    });
  });
});

describe('release_hold', () => {
  it('releases the full amount with reason released and the note; pending returns to zero', () => {
    const outcome = given(...withHold).when(releaseHold('h-1', 'order cancelled'));

    expect(outcome.events()).toEqual([
      {
        type: 'balance.released',
        data: {
          hold_id: 'h-1',
          reason: 'released',
          amount: '60',
          currency: 'USD',
          account_id: 'alice',
          destination_account_id: 'bob',
          note: 'order cancelled',
          released_at: NOW,
          source_balance_after: figures({ credits_posted: '100', posted: '100', available: '100' }),
          destination_balance_after: figures(),
        },
      },
    ]);
  });

  it('folds into a released hold and zero pending', () => {
    const state = given(...withHold).when(releaseHold('h-1')).stateAfter();

    expect(state.holds.get('h-1')).toMatchObject({ status: 'released', captured_amount: 0n, released_amount: 60n });
    expect(countersIn(state, 'alice')).toEqual({ debits_posted: 0n, credits_posted: 100n, debits_pending: 0n, credits_pending: 0n });
    expect(countersIn(state, 'bob')).toEqual({ debits_posted: 0n, credits_posted: 0n, debits_pending: 0n, credits_pending: 0n });
  });

  it('a null note is recorded as null', () => {
    const outcome = given(...withHold).when(releaseHold('h-1'));
    expect(releasedData(outcome.events()[0]).note).toBeNull();
  });

  it('succeeds one millisecond before expires_at', () => {
    const outcome = given(...withHold).when(releaseHold('h-1'), at(JUST_BEFORE_EXPIRY));
    expect(releasedData(outcome.events()[0])).toMatchObject({ reason: 'released', amount: '60', released_at: JUST_BEFORE_EXPIRY });
  });

  it('releases a hold without expiry at any later time', () => {
    const outcome = given(...withOpenEndedHold).when(releaseHold('h-2'), at(FAR_FUTURE));

    expect(releasedData(outcome.events()[0])).toMatchObject({ reason: 'released', amount: '30' });
    expect(releasedData(outcome.events()[0]).source_balance_after).toEqual(figures({ credits_posted: '100', posted: '100', available: '100' }));
  });

  it('releases even when an account was frozen after the hold (it gives funds back, it moves none)', () => {
    const outcome = given(...withHold, statusChanged('alice', 'active', 'frozen')).when(releaseHold('h-1'));
    expect(releasedData(outcome.events()[0]).source_balance_after).toEqual(figures({ credits_posted: '100', posted: '100', available: '100' }));
  });

  it('does not touch the state it decided against', () => {
    const outcome = given(...withHold).when(releaseHold('h-1'));
    expect(snapshot(outcome.state)).toBe(snapshot(outcome.stateBefore));
  });

  it('not_found for an unknown hold', () => {
    expect(given(...withHold).when(releaseHold('h-404')).error()).toMatchObject({ code: 'not_found', details: { hold_id: 'h-404' } });
  });

  it('hold_not_pending for a released hold (double release)', () => {
    const outcome = given(...withHold, h1Released).when(releaseHold('h-1'));

    expect(outcome.error()).toEqual({
      kind: 'domain_error',
      code: 'hold_not_pending',
      message: 'hold h-1 is released',
      details: { hold_id: 'h-1', status: 'released', expires_at: EXPIRES_AT },
    });
  });

  it('hold_not_pending after a full capture', () => {
    const outcome = given(...withHold, h1CapturedFully).when(releaseHold('h-1'));
    expect(outcome.error()).toMatchObject({ code: 'hold_not_pending', details: { hold_id: 'h-1', status: 'captured' } });
  });

  it('hold_not_pending after a partial capture', () => {
    const outcome = given(...withHold, h1Captured45, h1RemainderReleased).when(releaseHold('h-1'));
    expect(outcome.error()).toMatchObject({ code: 'hold_not_pending', details: { hold_id: 'h-1', status: 'captured' } });
  });

  it('hold_not_pending after expiry was recorded', () => {
    const outcome = given(...withHold, h1Expired).when(releaseHold('h-1'), at(JUST_AFTER_EXPIRY));
    expect(outcome.error()).toMatchObject({ code: 'hold_not_pending', details: { hold_id: 'h-1', status: 'expired' } });
  });

  it.each([
    ['at', EXPIRES_AT],
    ['after', JUST_AFTER_EXPIRY],
  ])('hold_not_pending %s expires_at, before any expiry event exists', (_when, now) => {
    const outcome = given(...withHold).when(releaseHold('h-1'), at(now));

    expect(outcome.error()).toEqual({
      kind: 'domain_error',
      code: 'hold_not_pending',
      message: 'hold h-1 is expired',
      details: { hold_id: 'h-1', status: 'expired', expires_at: EXPIRES_AT },
    });
  });
});

describe('expire_hold', () => {
  it('hold_not_pending "not expired yet" before expires_at', () => {
    const outcome = given(...withHold).when(expireHold('h-1'), at(JUST_BEFORE_EXPIRY));

    expect(outcome.error()).toEqual({
      kind: 'domain_error',
      code: 'hold_not_pending',
      message: 'hold h-1 has not expired yet',
      details: { hold_id: 'h-1', status: 'pending', expires_at: EXPIRES_AT },
    });
  });

  it('hold_not_pending "not expired yet" at the time the hold was placed', () => {
    expect(given(...withHold).when(expireHold('h-1'), at(NOW)).error()).toMatchObject({ code: 'hold_not_pending', message: 'hold h-1 has not expired yet' });
  });

  it('releases the full amount with reason expired at exactly expires_at', () => {
    const outcome = given(...withHold).when(expireHold('h-1'), at(EXPIRES_AT));

    expect(outcome.events()).toEqual([
      {
        type: 'balance.released',
        data: {
          hold_id: 'h-1',
          reason: 'expired',
          amount: '60',
          currency: 'USD',
          account_id: 'alice',
          destination_account_id: 'bob',
          note: null,
          released_at: EXPIRES_AT,
          source_balance_after: figures({ credits_posted: '100', posted: '100', available: '100' }),
          destination_balance_after: figures(),
        },
      },
    ]);
  });

  it('releases with reason expired after expires_at, at the accepted time', () => {
    const outcome = given(...withHold).when(expireHold('h-1'), at(FAR_FUTURE));
    expect(releasedData(outcome.events()[0])).toMatchObject({ reason: 'expired', amount: '60', released_at: FAR_FUTURE });
  });

  it('folds into an expired hold and zero pending', () => {
    const state = given(...withHold).when(expireHold('h-1'), at(EXPIRES_AT)).stateAfter();

    expect(state.holds.get('h-1')).toMatchObject({ status: 'expired', captured_amount: 0n, released_amount: 60n });
    expect(countersIn(state, 'alice')).toEqual({ debits_posted: 0n, credits_posted: 100n, debits_pending: 0n, credits_pending: 0n });
    expect(countersIn(state, 'bob')).toEqual({ debits_posted: 0n, credits_posted: 0n, debits_pending: 0n, credits_pending: 0n });
  });

  it('expires even when an account was frozen after the hold (the sweep cannot be blocked)', () => {
    const outcome = given(...withHold, statusChanged('bob', 'active', 'frozen')).when(expireHold('h-1'), at(EXPIRES_AT));
    expect(releasedData(outcome.events()[0])).toMatchObject({ reason: 'expired', amount: '60' });
  });

  it('a hold without expires_at never expires', () => {
    const outcome = given(...withOpenEndedHold).when(expireHold('h-2'), at(FAR_FUTURE));

    expect(outcome.error()).toEqual({
      kind: 'domain_error',
      code: 'hold_not_pending',
      message: 'hold h-2 has not expired yet',
      details: { hold_id: 'h-2', status: 'pending', expires_at: null },
    });
  });

  it('hold_not_pending for an expired hold (expiring twice)', () => {
    const outcome = given(...withHold, h1Expired).when(expireHold('h-1'), at(FAR_FUTURE));

    expect(outcome.error()).toEqual({
      kind: 'domain_error',
      code: 'hold_not_pending',
      message: 'hold h-1 is expired',
      details: { hold_id: 'h-1', status: 'expired', expires_at: EXPIRES_AT },
    });
  });

  it('two sweepers: the second decision, against the state that folded the first, refuses', () => {
    const state = fold(withHold);
    const first = decide(state, expireHold('h-1'), at(EXPIRES_AT));
    expect(first).toMatchObject([{ type: 'balance.released', data: { reason: 'expired', amount: '60' } }]);
    fold(first as LedgerEvent[], state);

    const second = decide(state, expireHold('h-1'), at(JUST_AFTER_EXPIRY));

    expect(second).toMatchObject({ code: 'hold_not_pending', details: { hold_id: 'h-1', status: 'expired' } });
    // Exactly one release reached the counters.
    expect(countersIn(state, 'alice')).toEqual({ debits_posted: 0n, credits_posted: 100n, debits_pending: 0n, credits_pending: 0n });
  });

  it('hold_not_pending after a capture', () => {
    const outcome = given(...withHold, h1CapturedFully).when(expireHold('h-1'), at(EXPIRES_AT));
    expect(outcome.error()).toMatchObject({ code: 'hold_not_pending', message: 'hold h-1 is captured', details: { status: 'captured' } });
  });

  it('hold_not_pending after a release', () => {
    const outcome = given(...withHold, h1Released).when(expireHold('h-1'), at(EXPIRES_AT));
    expect(outcome.error()).toMatchObject({ code: 'hold_not_pending', message: 'hold h-1 is released', details: { status: 'released' } });
  });

  it('not_found for an unknown hold', () => {
    expect(given(...withHold).when(expireHold('h-404'), at(FAR_FUTURE)).error()).toEqual({
      kind: 'domain_error',
      code: 'not_found',
      message: 'hold h-404 not found',
      details: { hold_id: 'h-404' },
    });
  });
});

describe('evolve with hold events', () => {
  const pendingH1: Hold = {
    id: 'h-1',
    account_id: 'alice',
    destination_account_id: 'bob',
    amount: 60n,
    currency: 'USD',
    expires_at: EXPIRES_AT,
    status: 'pending',
    captured_amount: 0n,
    released_amount: 0n,
    reference: null,
    description: null,
    metadata: {},
    created_at: CREATED_AT,
  };

  it('balance.hold.created adds a pending hold and sets both accounts counters', () => {
    const state = fold(withHold);

    expect(state.holds.get('h-1')).toEqual(pendingH1);
    expect(countersIn(state, 'alice')).toEqual({ debits_posted: 0n, credits_posted: 100n, debits_pending: 60n, credits_pending: 0n });
    expect(countersIn(state, 'bob')).toEqual({ debits_posted: 0n, credits_posted: 0n, debits_pending: 0n, credits_pending: 60n });
    expect(state.revision).toBe(BigInt(withHold.length - 1));
  });

  it('a capture posting (hold_id) turns pending -> captured with captured_amount', () => {
    const state = fold([...withHold, h1CapturedFully]);

    expect(state.holds.get('h-1')).toEqual({ ...pendingH1, status: 'captured', captured_amount: 60n });
    expect(countersIn(state, 'alice')).toEqual({ debits_posted: 60n, credits_posted: 100n, debits_pending: 0n, credits_pending: 0n });
    expect(countersIn(state, 'bob')).toEqual({ debits_posted: 0n, credits_posted: 60n, debits_pending: 0n, credits_pending: 0n });
  });

  it('a partial capture keeps status captured and adds the remainder to released_amount', () => {
    const afterPosting = fold([...withHold, h1Captured45]);
    expect(afterPosting.holds.get('h-1')).toEqual({ ...pendingH1, status: 'captured', captured_amount: 45n });
    expect(countersIn(afterPosting, 'alice')).toEqual({ debits_posted: 45n, credits_posted: 100n, debits_pending: 15n, credits_pending: 0n });

    const state = fold([h1RemainderReleased], afterPosting);
    expect(state.holds.get('h-1')).toEqual({ ...pendingH1, status: 'captured', captured_amount: 45n, released_amount: 15n });
    expect(countersIn(state, 'alice')).toEqual({ debits_posted: 45n, credits_posted: 100n, debits_pending: 0n, credits_pending: 0n });
    expect(countersIn(state, 'bob')).toEqual({ debits_posted: 0n, credits_posted: 45n, debits_pending: 0n, credits_pending: 0n });
  });

  it('balance.released reason released turns pending -> released', () => {
    const state = fold([...withHold, h1Released]);

    expect(state.holds.get('h-1')).toEqual({ ...pendingH1, status: 'released', released_amount: 60n });
    expect(countersIn(state, 'alice')).toEqual({ debits_posted: 0n, credits_posted: 100n, debits_pending: 0n, credits_pending: 0n });
    expect(countersIn(state, 'bob')).toEqual({ debits_posted: 0n, credits_posted: 0n, debits_pending: 0n, credits_pending: 0n });
  });

  it('balance.released reason expired turns pending -> expired', () => {
    const state = fold([...withHold, h1Expired]);

    expect(state.holds.get('h-1')).toEqual({ ...pendingH1, status: 'expired', released_amount: 60n });
    expect(countersIn(state, 'alice').debits_pending).toBe(0n);
    expect(countersIn(state, 'bob').credits_pending).toBe(0n);
  });

  it('a posting without hold_id leaves holds alone', () => {
    const transfer = posted('tx-plain', [
      { account_id: 'alice', direction: 'debit', amount: '10', balance_after: figures({ debits_posted: '10', credits_posted: '100', debits_pending: '60', posted: '90', available: '30' }) },
      { account_id: 'carol', direction: 'credit', amount: '10', balance_after: figures({ credits_posted: '10', posted: '10', available: '10' }) },
    ]);
    expect(fold([...withHold, transfer]).holds.get('h-1')).toEqual(pendingH1);
  });

  it('replaces the hold record instead of mutating it', () => {
    const state = fold(withHold);
    const before = state.holds.get('h-1')!;

    fold([h1Released], state);

    expect(before).toEqual(pendingH1);
    expect(state.holds.get('h-1')).not.toBe(before);
  });

  it('folding the decided events gives the same state as replaying them', () => {
    const ctx = at(NOW);
    const live = fold(funded);
    const log: LedgerEvent[] = [...funded];
    for (const command of [placeHold('alice', 'bob', 60n, { expires_at: EXPIRES_AT }), captureHold('id-1', 20n), placeHold('alice', 'carol', 10n), releaseHold('id-3')]) {
      const events = decide(live, command, ctx);
      if (isDomainError(events)) throw new Error(`${command.type}: ${events.code} ${events.message}`);
      fold(events, live);
      log.push(...events);
    }

    expect(snapshot(fold(log))).toBe(snapshot(live));
    expect(live.holds.get('id-1')).toMatchObject({ status: 'captured', captured_amount: 20n, released_amount: 40n });
    expect(live.holds.get('id-3')).toMatchObject({ status: 'released', released_amount: 10n });
    expect(countersIn(live, 'alice')).toEqual({ debits_posted: 20n, credits_posted: 100n, debits_pending: 0n, credits_pending: 0n });
  });
});

// --- Seeded invariant run ------------------------------------------------------------------

const SEED = 20300103;
const STEPS = 2000;
const AMOUNT_MINOR_MAX = 250;
const MINUTE_MS = 60_000;

/** mulberry32, as in ledger-invariants.spec.ts. */
function randomFrom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('hold invariants under random commands', () => {
  it(`hold for ${STEPS} seeded place/capture/release/expire commands`, () => {
    const random = randomFrom(SEED);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
    const randomAmount = (): bigint => BigInt(1 + Math.floor(random() * AMOUNT_MINOR_MAX));

    // A context whose clock the run advances; ids stay sequential.
    const ctx = testContext();
    let clockMs = Date.parse(NOW);
    const advance = (ms: number): void => {
      clockMs += ms;
      ctx.now = new Date(clockMs).toISOString();
    };
    const iso = (ms: number): string => new Date(ms).toISOString();

    const state = initialState();
    const log: LedgerEvent[] = [];
    const refusals = new Map<DomainErrorCode, number>();
    const accepted = new Map<string, number>();
    const count = (map: Map<string, number>, key: string): void => {
      map.set(key, (map.get(key) ?? 0) + 1);
    };
    const accountIds: string[] = [];
    const holdIds: string[] = [];

    const checkDecidedEvents = (command: LedgerCommand, events: LedgerEvent[]): void => {
      for (const event of events) {
        if (event.type === 'ledger.entry.posted') {
          const net = new Map<string, bigint>();
          for (const entry of postingOf(event.data).entries) {
            expect(state.accounts.get(entry.account_id)!.status).toBe('active');
            expect(BigInt(entry.amount) > 0n).toBe(true);
            const signed = entry.direction === 'debit' ? BigInt(entry.amount) : -BigInt(entry.amount);
            net.set(entry.currency, (net.get(entry.currency) ?? 0n) + signed);
          }
          for (const value of net.values()) expect(value).toBe(0n);
          if (command.type === 'capture_hold') expect(event.data.hold_id).toBe(command.hold_id);
        }
        if (event.type === 'balance.hold.created') {
          expect(event.data.expires_at === null || Date.parse(event.data.expires_at) > clockMs).toBe(true);
          holdIds.push(event.data.hold_id);
        }
        if (event.type === 'balance.released') {
          count(accepted, `released:${event.data.reason}`);
          expect(BigInt(event.data.amount) > 0n).toBe(true);
        }
      }
      if (command.type === 'capture_hold' || command.type === 'release_hold') {
        // Decided from ctx.now: nothing ends a hold at or past its expiry except the expiry itself.
        const hold = state.holds.get(command.hold_id)!;
        expect(hold.expires_at === null || clockMs < Date.parse(hold.expires_at)).toBe(true);
      }
      if (command.type === 'expire_hold') {
        const hold = state.holds.get(command.hold_id)!;
        expect(hold.expires_at !== null && clockMs >= Date.parse(hold.expires_at)).toBe(true);
      }
    };

    const checkState = (): void => {
      const totals = new Map<string, { debitsPending: bigint; creditsPending: bigint; debitsPosted: bigint; creditsPosted: bigint }>();
      const pendingOut = new Map<string, bigint>();
      const pendingIn = new Map<string, bigint>();
      for (const holdId of holdIds) {
        const hold = state.holds.get(holdId)!;
        if (hold.status === 'pending') {
          expect([hold.captured_amount, hold.released_amount]).toEqual([0n, 0n]);
          pendingOut.set(hold.account_id, (pendingOut.get(hold.account_id) ?? 0n) + hold.amount);
          pendingIn.set(hold.destination_account_id, (pendingIn.get(hold.destination_account_id) ?? 0n) + hold.amount);
        } else {
          // Exactly once: what was captured and what was released add up to what was held.
          expect(hold.captured_amount + hold.released_amount).toBe(hold.amount);
          if (hold.status !== 'captured') expect(hold.captured_amount).toBe(0n);
          else expect(hold.captured_amount > 0n).toBe(true);
        }
      }
      for (const id of accountIds) {
        const account = state.accounts.get(id)!;
        const total = totals.get(account.currency) ?? { debitsPending: 0n, creditsPending: 0n, debitsPosted: 0n, creditsPosted: 0n };
        totals.set(account.currency, {
          debitsPending: total.debitsPending + account.debits_pending,
          creditsPending: total.creditsPending + account.credits_pending,
          debitsPosted: total.debitsPosted + account.debits_posted,
          creditsPosted: total.creditsPosted + account.credits_posted,
        });
        // Pending counters are exactly the sum of the account's pending holds.
        expect([id, account.debits_pending, account.credits_pending]).toEqual([id, pendingOut.get(id) ?? 0n, pendingIn.get(id) ?? 0n]);
        if (!account.allow_negative) expect([id, availableBalance(account.normal_balance, account) >= 0n]).toEqual([id, true]);
      }
      for (const [currency, total] of totals) {
        expect([currency, total.debitsPending]).toEqual([currency, total.creditsPending]);
        expect([currency, total.debitsPosted]).toEqual([currency, total.creditsPosted]);
      }
    };

    const apply = (command: LedgerCommand): void => {
      const before = snapshot(state);
      const decision = decide(state, command, ctx);
      if (isDomainError(decision)) {
        refusals.set(decision.code, (refusals.get(decision.code) ?? 0) + 1);
        expect(snapshot(state)).toBe(before);
        return;
      }
      count(accepted, command.type);
      checkDecidedEvents(command, decision);
      fold(decision, state);
      log.push(...decision);
      checkState();
    };

    // Per currency: a settlement asset (debit-normal), three customers, and an overdraft float.
    const byCurrency = new Map<string, { all: string[]; settlement: string; creditNormal: string[] }>();
    for (const currency of [USD, EUR]) {
      const specs = [
        { normal_balance: 'debit', allow_negative: false, account_type: 'settlement' },
        { normal_balance: 'credit', allow_negative: false, account_type: 'customer' },
        { normal_balance: 'credit', allow_negative: false, account_type: 'customer' },
        { normal_balance: 'credit', allow_negative: false, account_type: 'customer' },
        { normal_balance: 'credit', allow_negative: true, account_type: 'operating' },
      ] as const;
      for (const spec of specs) {
        apply(openAccount({ currency, ...spec }));
        accountIds.push(ctx.issued[ctx.issued.length - 1]);
      }
      const all = accountIds.slice(-specs.length);
      byCurrency.set(currency, { all, settlement: all[0], creditNormal: all.slice(1) });
    }

    const deposit = (currency: string): EntryInput[] => {
      const ids = byCurrency.get(currency)!;
      const amount = randomAmount() * 4n;
      return [debit(ids.settlement, amount), credit(pick(ids.creditNormal), amount)];
    };
    const transfer = (currency: string): EntryInput[] => {
      const ids = byCurrency.get(currency)!.all;
      const amount = randomAmount();
      return [debit(pick(ids), amount), credit(pick(ids), amount)];
    };

    const placeRandomHold = (): LedgerCommand => {
      const currency = pick([USD, EUR]);
      const ids = byCurrency.get(currency)!;
      const source = pick(ids.all);
      const roll = random();
      const destination =
        roll < 0.05 ? 'ghost' : roll < 0.1 ? source : roll < 0.15 ? pick(byCurrency.get(currency === USD ? EUR : USD)!.creditNormal) : pick(ids.all);
      const expiryRoll = random();
      const expires_at =
        expiryRoll < 0.25 ? null : expiryRoll < 0.3 ? iso(clockMs - Math.floor(random() * 5) * MINUTE_MS) : iso(clockMs + (1 + Math.floor(random() * 120)) * MINUTE_MS);
      const amount = random() < 0.1 ? randomAmount() * 20n : randomAmount();
      return placeHold(source, destination, amount, { expires_at });
    };

    // Mostly a hold that is still pending, sometimes any hold (most of them ended), rarely none.
    const someHold = (): string => {
      const roll = random();
      if (holdIds.length === 0 || roll < 0.03) return 'h-unknown';
      const pending = holdIds.filter((id) => state.holds.get(id)!.status === 'pending');
      return roll < 0.75 && pending.length > 0 ? pick(pending) : pick(holdIds);
    };

    const captureAmount = (holdId: string): bigint | null => {
      const hold = state.holds.get(holdId);
      const roll = random();
      if (!hold || roll < 0.4) return null;
      if (roll < 0.55) return hold.amount + 1n;
      if (roll < 0.6) return hold.amount;
      return 1n + BigInt(Math.floor(random() * Number(hold.amount)));
    };

    for (let step = 0; step < STEPS; step += 1) {
      if (random() < 0.4) advance(Math.floor(random() * 10) * MINUTE_MS + Math.floor(random() * 2));
      const roll = random();
      if (roll < 0.1) {
        apply(postTransaction(deposit(pick([USD, EUR]))));
      } else if (roll < 0.17) {
        apply(postTransaction(transfer(pick([USD, EUR]))));
      } else if (roll < 0.45) {
        apply(placeRandomHold());
      } else if (roll < 0.65) {
        const holdId = someHold();
        apply(captureHold(holdId, captureAmount(holdId)));
      } else if (roll < 0.77) {
        apply(releaseHold(someHold(), random() < 0.5 ? null : `note ${step}`));
      } else if (roll < 0.95) {
        const holdId = someHold();
        const hold = state.holds.get(holdId);
        // The sweep sometimes runs exactly at expires_at.
        if (hold?.expires_at && random() < 0.3 && Date.parse(hold.expires_at) > clockMs) {
          clockMs = Date.parse(hold.expires_at);
          ctx.now = iso(clockMs);
        }
        apply(expireHold(holdId));
      } else if (roll < 0.997) {
        apply(changeStatus(pick(accountIds), pick(['freeze', 'unfreeze', 'unfreeze', 'unfreeze'] as const)));
      } else {
        apply(changeStatus(pick(accountIds), 'close'));
      }
    }

    // The run must have exercised both sides of every hold rule to mean anything.
    expect(accepted.get('place_hold') ?? 0).toBeGreaterThan(100);
    expect(accepted.get('capture_hold') ?? 0).toBeGreaterThan(30);
    expect(accepted.get('released:captured_remainder') ?? 0).toBeGreaterThan(10);
    expect(accepted.get('released:released') ?? 0).toBeGreaterThan(20);
    expect(accepted.get('released:expired') ?? 0).toBeGreaterThan(20);
    for (const code of ['insufficient_funds', 'hold_not_pending', 'capture_exceeds_hold', 'invalid_hold', 'currency_mismatch', 'not_found', 'account_not_active'] as const) {
      expect([code, (refusals.get(code) ?? 0) > 5]).toEqual([code, true]);
    }

    // Replaying the log from scratch yields the live state, holds included, byte for byte.
    expect(snapshot(fold(log))).toBe(snapshot(state));
  });

});
