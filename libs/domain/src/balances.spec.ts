import { BalanceAfter } from './events.js';
// The balance arithmetic of account.ts: posted/available per normal balance, postings, figures.
import { Counters, availableBalance, balanceAfter, countersFrom, postedBalance, withPosting } from './account.js';

function counters(given: Partial<Counters> = {}): Counters {
  return { debits_posted: 0n, credits_posted: 0n, debits_pending: 0n, credits_pending: 0n, ...given };
}

describe('postedBalance', () => {
  it('is credits minus debits for a credit-normal account', () => {
    expect(postedBalance('credit', counters({ debits_posted: 30n, credits_posted: 100n }))).toBe(70n);
  });

  it('is debits minus credits for a debit-normal account', () => {
    expect(postedBalance('debit', counters({ debits_posted: 30n, credits_posted: 100n }))).toBe(-70n);
  });

  it('ignores pending counters', () => {
    const c = counters({ debits_posted: 5n, credits_posted: 9n, debits_pending: 1000n, credits_pending: 2000n });
    expect(postedBalance('credit', c)).toBe(4n);
    expect(postedBalance('debit', c)).toBe(-4n);
  });

  it('does not overflow past 2^64', () => {
    const c = counters({ credits_posted: (1n << 64n) + 5n, debits_posted: 5n });
    expect(postedBalance('credit', c)).toBe(18446744073709551616n);
  });
});

describe('availableBalance', () => {
  it('subtracts outgoing holds (debits_pending) for a credit-normal account', () => {
    const c = counters({ credits_posted: 100n, debits_pending: 60n, credits_pending: 500n });
    expect(availableBalance('credit', c)).toBe(40n);
  });

  it('subtracts outgoing holds (credits_pending) for a debit-normal account', () => {
    const c = counters({ debits_posted: 100n, credits_pending: 60n, debits_pending: 500n });
    expect(availableBalance('debit', c)).toBe(40n);
  });

  it('can be negative', () => {
    expect(availableBalance('credit', counters({ debits_posted: 10n, debits_pending: 5n }))).toBe(-15n);
  });
});

describe('withPosting', () => {
  it('adds a debit to debits_posted only', () => {
    expect(withPosting(counters({ debits_posted: 1n, credits_posted: 2n }), 'debit', 10n)).toEqual(
      counters({ debits_posted: 11n, credits_posted: 2n }),
    );
  });

  it('adds a credit to credits_posted only', () => {
    expect(withPosting(counters({ debits_posted: 1n, credits_posted: 2n, debits_pending: 3n }), 'credit', 10n)).toEqual(
      counters({ debits_posted: 1n, credits_posted: 12n, debits_pending: 3n }),
    );
  });

  it('returns new counters and leaves the given ones untouched', () => {
    const before = counters({ credits_posted: 7n });
    const after = withPosting(before, 'credit', 1n);
    expect(after).not.toBe(before);
    expect(before).toEqual(counters({ credits_posted: 7n }));
  });
});

describe('balanceAfter', () => {
  it('writes counters and derived balances as decimal strings (credit-normal)', () => {
    const c = counters({ debits_posted: 30n, credits_posted: 100n, debits_pending: 20n, credits_pending: 5n });
    expect(balanceAfter('credit', c)).toEqual({
      debits_posted: '30',
      credits_posted: '100',
      debits_pending: '20',
      credits_pending: '5',
      posted: '70',
      available: '50',
    });
  });

  it('mirrors the derived balances for a debit-normal account', () => {
    const c = counters({ debits_posted: 100n, credits_posted: 30n, debits_pending: 5n, credits_pending: 20n });
    expect(balanceAfter('debit', c)).toEqual({
      debits_posted: '100',
      credits_posted: '30',
      debits_pending: '5',
      credits_pending: '20',
      posted: '70',
      available: '50',
    });
  });

  it('writes negative balances with a minus sign', () => {
    expect(balanceAfter('credit', counters({ debits_posted: 9n }))).toMatchObject({ posted: '-9', available: '-9' });
  });
});

describe('countersFrom', () => {
  it('reads the four counters back, exactly, beyond 2^63', () => {
    expect(
      countersFrom({
        debits_posted: '18446744073709551614',
        credits_posted: '1',
        debits_pending: '2',
        credits_pending: '3',
        posted: 'ignored',
        available: 'ignored',
      } as BalanceAfter),
    ).toEqual({ debits_posted: 18446744073709551614n, credits_posted: 1n, debits_pending: 2n, credits_pending: 3n });
  });

  it('round-trips balanceAfter', () => {
    const c = counters({ debits_posted: 123n, credits_posted: 456n, debits_pending: 7n, credits_pending: 8n });
    expect(countersFrom(balanceAfter('debit', c))).toEqual(c);
  });
});
