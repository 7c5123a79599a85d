// Specs for the idempotency rule: given the recorded history (each event carrying the key and
// request hash of the command that produced it), when a request arrives with a key, then it is
// decided (first use), answered with the original events (replay), or refused (reused key).
import { isDomainError } from './errors.js';
import { IdempotencyAnswer, idempotencyAnswer } from './idempotency.js';
import { LedgerEvent } from './events.js';
import { EventEnvelopeMeta, LedgerState } from './state.js';
import { GivenEvent, fold, serializeState } from './testing/given-when-then.js';
import { accountCreated, entryReversed, figures, posted, reversalPosted } from './testing/ledger-fixtures.js';

const under = (idempotency_key: string, request_hash: string | null, ...events: LedgerEvent[]): GivenEvent[] =>
  events.map((event) => ({ event, meta: { idempotency_key, request_hash } satisfies EventEnvelopeMeta }));

const deposit = posted('tx-deposit', [
  { account_id: 'settlement', direction: 'debit', amount: '100', balance_after: figures({ debits_posted: '100', posted: '100', available: '100' }) },
  { account_id: 'alice', direction: 'credit', amount: '100', balance_after: figures({ credits_posted: '100', posted: '100', available: '100' }) },
]);
const depositReversal = reversalPosted('rv-1', 'tx-deposit', [
  { account_id: 'alice', direction: 'debit', amount: '100', balance_after: figures({ debits_posted: '100', credits_posted: '100' }) },
  { account_id: 'settlement', direction: 'credit', amount: '100', balance_after: figures({ debits_posted: '100', credits_posted: '100' }) },
]);

// Revisions: 0 and 1 open the accounts, 2 is the deposit (key fund-alice), 3 and 4 are the
// reversal's two events (one command, key reverse-deposit), 5 opens a third account.
const history: GivenEvent[] = [
  ...under('open-settlement', 'hash-open-settlement', accountCreated('settlement', { normal_balance: 'debit' })),
  accountCreated('alice'),
  ...under('fund-alice', 'hash-fund-alice', deposit),
  ...under('reverse-deposit', 'hash-reverse-deposit', depositReversal, entryReversed('tx-deposit', 'rv-1')),
  ...under('open-bob', 'hash-open-bob', accountCreated('bob')),
];

interface Asked {
  answer: IdempotencyAnswer;
  state: LedgerState;
  stateBefore: LedgerState;
}

function given(...events: GivenEvent[]) {
  return {
    whenAsked(key: string | null, requestHash: string | null): Asked {
      const state = fold(events);
      return { answer: idempotencyAnswer(state, key, requestHash), state, stateBefore: fold(events) };
    },
  };
}

describe('idempotency keys', () => {
  it('given a posting under a key, when the same request comes again, then the answer is its original events', () => {
    const { answer } = given(...history).whenAsked('fund-alice', 'hash-fund-alice');
    expect(answer).toEqual({ kind: 'replay', original: { request_hash: 'hash-fund-alice', first_revision: 2n, event_count: 1 } });
  });

  it('given a command that produced two events, when it is repeated, then the answer covers both, from the first', () => {
    const { answer } = given(...history).whenAsked('reverse-deposit', 'hash-reverse-deposit');
    expect(answer).toEqual({ kind: 'replay', original: { request_hash: 'hash-reverse-deposit', first_revision: 3n, event_count: 2 } });
  });

  it('given a key, when a different request comes with it, then it is refused as reused and the state is unchanged', () => {
    const { answer, state, stateBefore } = given(...history).whenAsked('fund-alice', 'hash-of-another-body');
    expect(isDomainError(answer)).toBe(true);
    expect(answer).toEqual({
      kind: 'domain_error',
      code: 'idempotency_key_reused',
      message: 'this Idempotency-Key was used with a different request',
      details: { idempotency_key: 'fund-alice' },
    });
    expect(serializeState(state)).toEqual(serializeState(stateBefore));
  });

  it('given a key of another kind of command, when a posting reuses it, then it is refused (keys are not per command type)', () => {
    const { answer } = given(...history).whenAsked('open-bob', 'hash-fund-alice');
    expect(answer).toMatchObject({ code: 'idempotency_key_reused' });
  });

  it('given a key, when a request comes with it but without a request hash, then it is refused: nothing shows it is the same request', () => {
    const { answer } = given(...history).whenAsked('fund-alice', null);
    expect(answer).toMatchObject({ code: 'idempotency_key_reused', details: { idempotency_key: 'fund-alice' } });
  });

  it.each([
    ['a key never seen', 'fund-bob', 'hash-fund-bob'],
    ['no key', null, 'hash-fund-alice'],
    ['an empty key', '', 'hash-fund-alice'],
  ])('given the history, when a request comes with %s, then it is decided as a first use', (_name, key, hash) => {
    const { answer, state, stateBefore } = given(...history).whenAsked(key, hash);
    expect(answer).toEqual({ kind: 'first_use' });
    expect(serializeState(state)).toEqual(serializeState(stateBefore));
  });

  it('given an event recorded with a key but no request hash, when the key comes again, then it is a first use (nothing was remembered)', () => {
    const { answer } = given(accountCreated('settlement'), ...under('unhashed', null, accountCreated('alice'))).whenAsked('unhashed', 'hash-1');
    expect(answer).toEqual({ kind: 'first_use' });
  });

  it('given a key used again later by the same request, when asked, then the answer is still the first command only', () => {
    // A replay appends nothing, so this history only arises from a log written otherwise; the
    // first command stays the answer and the later event does not stretch it.
    const { answer } = given(...history, ...under('fund-alice', 'hash-fund-alice', accountCreated('carol'))).whenAsked('fund-alice', 'hash-fund-alice');
    expect(answer).toEqual({ kind: 'replay', original: { request_hash: 'hash-fund-alice', first_revision: 2n, event_count: 1 } });
  });
});
