// evolve(): how recorded events become the write model, revision and idempotency records included.
import { LedgerEvent } from './events.js';
import { EventEnvelopeMeta, LedgerState, evolve, initialState } from './state.js';
import { RecordedEvent, fold, serializeState } from './testing/given-when-then.js';
import { CREATED_AT, accountCreated, figures, posted, statusChanged } from './testing/ledger-fixtures.js';

function recorded(event: LedgerEvent, meta: EventEnvelopeMeta): RecordedEvent {
  return { event, meta };
}

const history: LedgerEvent[] = [
  accountCreated('settlement', { normal_balance: 'debit' }),
  accountCreated('alice', { metadata: { nickname: 'al' } }),
  accountCreated('bob', { currency: 'EUR', allow_negative: true }),
  posted('tx-1', [
    { account_id: 'settlement', direction: 'debit', amount: '100', balance_after: figures({ debits_posted: '100', posted: '100', available: '100' }) },
    { account_id: 'alice', direction: 'credit', amount: '100', balance_after: figures({ credits_posted: '100', posted: '100', available: '100' }) },
  ]),
  statusChanged('alice', 'active', 'frozen'),
];

describe('initialState', () => {
  it('starts before the first revision with no accounts and no idempotency keys', () => {
    const state = initialState();
    expect(state.revision).toBe(-1n);
    expect(state.accounts).toEqual(new Map());
    expect(state.idempotency).toEqual(new Map());
  });

  it('gives a new state each time', () => {
    const first = initialState();
    evolve(first, accountCreated('alice'), 0n);
    expect(initialState().accounts.get('alice')).toBeUndefined();
  });
});

describe('evolve', () => {
  it('updates the state in place and returns it', () => {
    const state = initialState();
    expect(evolve(state, accountCreated('alice'), 0n)).toBe(state);
  });

  describe('account.created', () => {
    it('adds an active account with zero counters', () => {
      const state = fold([accountCreated('bob', { currency: 'EUR', allow_negative: true, normal_balance: 'debit', metadata: { a: 1 } })]);

      expect(state.accounts.get('bob')).toEqual({
        id: 'bob',
        customer: 'customer-of-bob',
        currency: 'EUR',
        account_type: 'customer',
        normal_balance: 'debit',
        allow_negative: true,
        status: 'active',
        metadata: { a: 1 },
        created_at: CREATED_AT,
        debits_posted: 0n,
        credits_posted: 0n,
        debits_pending: 0n,
        credits_pending: 0n,
        lock_version: 0,
        path: null,
      });
    });
  });

  describe('account.status_changed', () => {
    it('changes the status and nothing else', () => {
      const state = fold(history.slice(0, 4));
      const before = state.accounts.get('alice')!;

      evolve(state, statusChanged('alice', 'active', 'frozen'), 4n);

      expect(state.accounts.get('alice')).toEqual({ ...before, status: 'frozen' });
    });

    it('replaces the account record instead of mutating it', () => {
      const state = fold(history.slice(0, 4));
      const before = state.accounts.get('alice')!;

      evolve(state, statusChanged('alice', 'active', 'closed'), 4n);

      expect(before.status).toBe('active');
      expect(state.accounts.get('alice')).not.toBe(before);
    });

    it('ignores an unknown account but still advances the revision', () => {
      const state = fold(history.slice(0, 1));
      evolve(state, statusChanged('ghost', 'active', 'frozen'), 1n);

      expect(state.accounts.get('ghost')).toBeUndefined();
      expect(state.revision).toBe(1n);
    });
  });

  describe('ledger.entry.posted', () => {
    it('takes the counters from the recorded figures', () => {
      const state = fold(history);
      expect(state.accounts.get('alice')).toMatchObject({ debits_posted: 0n, credits_posted: 100n, debits_pending: 0n, credits_pending: 0n });
      expect(state.accounts.get('settlement')).toMatchObject({ debits_posted: 100n, credits_posted: 0n });
    });

    it('trusts the recorded figures over the amounts (the balance history is a fact in the log)', () => {
      const state = fold([
        accountCreated('alice'),
        posted('tx-odd', [{ account_id: 'alice', direction: 'credit', amount: '5', balance_after: figures({ credits_posted: '105', debits_pending: '7', credits_pending: '9' }) }]),
      ]);

      expect(state.accounts.get('alice')).toMatchObject({ debits_posted: 0n, credits_posted: 105n, debits_pending: 7n, credits_pending: 9n });
    });

    it('keeps the last figures when an account appears twice in one posting', () => {
      const state = fold([
        accountCreated('alice'),
        posted('tx-twice', [
          { account_id: 'alice', direction: 'credit', amount: '10', balance_after: figures({ credits_posted: '10' }) },
          { account_id: 'alice', direction: 'debit', amount: '4', balance_after: figures({ debits_posted: '4', credits_posted: '10' }) },
        ]),
      ]);

      expect(state.accounts.get('alice')).toMatchObject({ debits_posted: 4n, credits_posted: 10n });
    });

    it('reads counters beyond 2^64 exactly', () => {
      const state = fold([
        accountCreated('alice'),
        posted('tx-big', [{ account_id: 'alice', direction: 'credit', amount: '1', balance_after: figures({ credits_posted: '36893488147419103232' }) }]),
      ]);
      expect(state.accounts.get('alice')?.credits_posted).toBe(36893488147419103232n);
    });

    it('replaces the account records instead of mutating them', () => {
      const state = fold(history.slice(0, 3));
      const before = state.accounts.get('alice')!;

      evolve(state, history[3], 3n);

      expect(before.credits_posted).toBe(0n);
      expect(state.accounts.get('alice')).not.toBe(before);
      expect(state.accounts.get('alice')?.credits_posted).toBe(100n);
    });

    it('skips entries of unknown accounts and applies the others', () => {
      const state = fold([
        accountCreated('alice'),
        posted('tx-partial', [
          { account_id: 'ghost', direction: 'debit', amount: '3', balance_after: figures({ debits_posted: '3' }) },
          { account_id: 'alice', direction: 'credit', amount: '3', balance_after: figures({ credits_posted: '3' }) },
        ]),
      ]);

      expect(state.accounts.get('ghost')).toBeUndefined();
      expect(state.accounts.get('alice')?.credits_posted).toBe(3n);
    });
  });

  it('throws on an event type it does not know', () => {
    expect(() => evolve(initialState(), { type: 'account.vanished', data: {} } as unknown as LedgerEvent, 0n)).toThrow(/unknown event/);
  });

  describe('revision', () => {
    it('is the revision of the last event folded in', () => {
      expect(fold(history).revision).toBe(4n);
    });

    it('takes the revision it is given, even past a gap', () => {
      const state = initialState();
      evolve(state, accountCreated('alice'), 41n);
      expect(state.revision).toBe(41n);
    });
  });

  describe('determinism', () => {
    it('folding the same events into fresh states gives equal states', () => {
      expect(fold(history)).toEqual(fold(history));
    });

    it('gives the same state byte for byte, key order and idempotency records included', () => {
      const withMeta = history.map((event, index) => recorded(event, { idempotency_key: `key-${index % 2}`, request_hash: `hash-${index % 2}` }));
      const first = serializeState(fold(withMeta));
      const second = serializeState(fold(withMeta));

      expect(second).toBe(first);
      expect(first).toContain('"revision":"4n"');
    });

    it('folding in two batches equals folding all at once', () => {
      const once = fold(history);
      const twice = fold(history.slice(2), fold(history.slice(0, 2)));
      expect(serializeState(twice)).toBe(serializeState(once));
    });
  });
});

describe('idempotency records', () => {
  function recordsOf(state: LedgerState, keys: string[]) {
    return Object.fromEntries(keys.map((key) => [key, state.idempotency.get(key)]));
  }

  it('remembers a key with its request hash, first revision and event count', () => {
    const state = fold([recorded(accountCreated('alice'), { idempotency_key: 'open-alice', request_hash: 'h-1' })]);

    expect(state.idempotency.get('open-alice')).toEqual({ request_hash: 'h-1', first_revision: 0n, event_count: 1 });
  });

  it('counts the consecutive events of one command under its key', () => {
    const meta = { idempotency_key: 'batch-1', request_hash: 'h-batch' };
    const state = fold([
      accountCreated('alice'),
      accountCreated('bob'),
      accountCreated('carol'),
      recorded(statusChanged('alice', 'active', 'frozen'), meta),
      recorded(statusChanged('bob', 'active', 'frozen'), meta),
      recorded(statusChanged('carol', 'active', 'frozen'), meta),
    ]);

    expect(state.idempotency.get('batch-1')).toEqual({ request_hash: 'h-batch', first_revision: 3n, event_count: 3 });
  });

  it('keeps the first request when the same key arrives with another hash', () => {
    const state = fold([
      recorded(accountCreated('alice'), { idempotency_key: 'k', request_hash: 'h-original' }),
      recorded(accountCreated('bob'), { idempotency_key: 'k', request_hash: 'h-other' }),
    ]);

    expect(state.idempotency.get('k')).toEqual({ request_hash: 'h-original', first_revision: 0n, event_count: 1 });
    expect(state.accounts.get('bob')).toBeDefined();
  });

  it('does not extend a record with a later, non-consecutive event under the same key and hash', () => {
    const meta = { idempotency_key: 'k', request_hash: 'h' };
    const state = fold([recorded(accountCreated('alice'), meta), accountCreated('bob'), recorded(accountCreated('carol'), meta)]);

    expect(state.idempotency.get('k')).toEqual({ request_hash: 'h', first_revision: 0n, event_count: 1 });
  });

  it('keeps separate records per key', () => {
    const state = fold([
      recorded(accountCreated('alice'), { idempotency_key: 'k-1', request_hash: 'h-1' }),
      recorded(accountCreated('bob'), { idempotency_key: 'k-2', request_hash: 'h-2' }),
      history[3],
      recorded(statusChanged('alice', 'active', 'frozen'), { idempotency_key: 'k-3', request_hash: 'h-3' }),
    ]);

    expect(recordsOf(state, ['k-1', 'k-2', 'k-3'])).toEqual({
      'k-1': { request_hash: 'h-1', first_revision: 0n, event_count: 1 },
      'k-2': { request_hash: 'h-2', first_revision: 1n, event_count: 1 },
      'k-3': { request_hash: 'h-3', first_revision: 3n, event_count: 1 },
    });
  });

  it.each<[string, EventEnvelopeMeta]>([
    ['no metadata', {}],
    ['a key without a hash', { idempotency_key: 'k' }],
    ['a hash without a key', { request_hash: 'h' }],
    ['a null key', { idempotency_key: null, request_hash: 'h' }],
    ['a null hash', { idempotency_key: 'k', request_hash: null }],
    ['an empty key', { idempotency_key: '', request_hash: 'h' }],
    ['an empty hash', { idempotency_key: 'k', request_hash: '' }],
  ])('remembers nothing for %s', (_name, meta) => {
    const state = fold([recorded(accountCreated('alice'), meta)]);

    expect(state.idempotency.get('k')).toBeUndefined();
    expect(state.idempotency.get('')).toBeUndefined();
    expect(state.idempotency).toEqual(new Map());
    expect(state.accounts.get('alice')).toBeDefined();
    expect(state.revision).toBe(0n);
  });

  it('rebuilds the same records on replay', () => {
    const events = [
      recorded(accountCreated('alice'), { idempotency_key: 'k-1', request_hash: 'h-1' }),
      recorded(accountCreated('bob'), { idempotency_key: 'k-1', request_hash: 'h-1' }),
      recorded(statusChanged('bob', 'active', 'frozen'), { idempotency_key: 'k-2', request_hash: 'h-2' }),
    ];
    expect(fold(events).idempotency).toEqual(fold(events).idempotency);
    expect(fold(events).idempotency.get('k-1')).toEqual({ request_hash: 'h-1', first_revision: 0n, event_count: 2 });
  });
});
