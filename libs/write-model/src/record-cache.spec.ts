import { LedgerCommand, LedgerEvent } from '#domain/index.js';
import { accountCreated, entryReversed, figures, holdCaptured, holdCreated, holdReleased, posted, reversalPosted } from '#domain/testing/ledger-fixtures.js';
import { RecordedEvent } from '#event-store/index.js';
import { PendingCommand } from './command-queue.js';
import { accountsOnlyState, forgetOldest, groupByKey, missingRecords, rememberingRecords, restoreRecords, WantedRecords } from './record-cache.js';
import { emptyWriterState, foldRecorded, WriterState } from './writer-state.js';

/** A tenant's log: settlement funds alice; alice pays bob (tx-rent, reversed later); a hold h-1 is placed and captured. */
const commands: { key: string; events: LedgerEvent[] }[] = [
  { key: 'open-settlement', events: [accountCreated('settlement', { normal_balance: 'debit' })] },
  { key: 'open-alice', events: [accountCreated('alice')] },
  { key: 'open-bob', events: [accountCreated('bob')] },
  {
    key: 'deposit',
    events: [
      posted('tx-deposit', [
        { account_id: 'settlement', direction: 'debit', amount: '100', balance_after: figures({ debits_posted: '100', posted: '100', available: '100' }) },
        { account_id: 'alice', direction: 'credit', amount: '100', balance_after: figures({ credits_posted: '100', posted: '100', available: '100' }) },
      ]),
    ],
  },
  {
    key: 'rent',
    events: [
      posted('tx-rent', [
        { account_id: 'alice', direction: 'debit', amount: '30', balance_after: figures({ debits_posted: '30', credits_posted: '100', posted: '70', available: '70' }) },
        { account_id: 'bob', direction: 'credit', amount: '30', balance_after: figures({ credits_posted: '30', posted: '30', available: '30' }) },
      ]),
    ],
  },
  {
    key: 'hold',
    events: [
      holdCreated('h-1', {
        account_id: 'alice',
        destination_account_id: 'bob',
        amount: '50',
        source_balance_after: figures({ debits_posted: '30', credits_posted: '100', debits_pending: '50', posted: '70', available: '20' }),
        destination_balance_after: figures({ credits_posted: '30', credits_pending: '50', posted: '30', available: '30' }),
      }),
    ],
  },
  {
    key: 'reverse-rent',
    events: [
      reversalPosted('rv-1', 'tx-rent', [
        { account_id: 'bob', direction: 'debit', amount: '30', balance_after: figures({ debits_posted: '30', credits_posted: '30', credits_pending: '50' }) },
        { account_id: 'alice', direction: 'credit', amount: '30', balance_after: figures({ debits_posted: '30', credits_posted: '130', debits_pending: '50', posted: '100', available: '50' }) },
      ]),
      entryReversed('tx-rent', 'rv-1'),
    ],
  },
  {
    key: 'capture',
    events: [
      holdCaptured('tx-capture', 'h-1', [
        { account_id: 'alice', direction: 'debit', amount: '20', balance_after: figures({ debits_posted: '50', credits_posted: '130', posted: '80', available: '80' }) },
        { account_id: 'bob', direction: 'credit', amount: '20', balance_after: figures({ debits_posted: '30', credits_posted: '50', posted: '20', available: '20' }) },
      ]),
      holdReleased('h-1', 'captured_remainder', {
        account_id: 'alice',
        destination_account_id: 'bob',
        amount: '30',
        source_balance_after: figures({ debits_posted: '50', credits_posted: '130', posted: '80', available: '80' }),
        destination_balance_after: figures({ debits_posted: '30', credits_posted: '50', posted: '20', available: '20' }),
      }),
    ],
  },
];

const log: RecordedEvent[] = commands.flatMap(({ key, events }) => events.map((event) => ({ key, event }))).map(({ key, event }, revision) => ({
  id: `event-${revision}`,
  stream_id: 'ledger-tenant-1',
  revision: BigInt(revision),
  position: BigInt(revision + 1),
  type: event.type,
  data: event.data,
  metadata: { idempotency_key: key, request_hash: `hash-of-${key}` },
  created_at: new Date(0),
}));

function folded(events: readonly RecordedEvent[] = log): WriterState {
  const state = emptyWriterState();
  for (const event of events) foldRecorded(state, event);
  return state;
}

const wantedOf = (given: Partial<Record<keyof WantedRecords, string[]>>): WantedRecords => ({
  idempotency_key: new Set(given.idempotency_key ?? []),
  transaction_id: new Set(given.transaction_id ?? []),
  intent_id: new Set(given.intent_id ?? []),
  hold_id: new Set(given.hold_id ?? []),
});

function pending(command: LedgerCommand, idempotency_key: string | null = null): PendingCommand {
  return {
    envelope: { tenant_id: 'tenant-1', command, idempotency_key, request_hash: null, metadata: { actor: 'a', role: 'admin', request_id: 'r', intent_id: null, policy: [] } },
    resolve: () => undefined,
    reject: () => undefined,
  };
}

describe('missingRecords', () => {
  it('wants the keys, reversed transactions and captured, released or expired holds the state does not hold, and nothing it holds', () => {
    const state = folded();
    const group = [
      pending({ type: 'reverse_transaction', transaction_id: 'tx-deposit', reason: null }, 'deposit'),
      pending({ type: 'reverse_transaction', transaction_id: 'tx-gone', reason: null }, 'key-gone'),
      pending({ type: 'capture_hold', hold_id: 'h-1', amount: null }),
      pending({ type: 'capture_hold', hold_id: 'h-gone-1', amount: null }),
      pending({ type: 'release_hold', hold_id: 'h-gone-2', note: null }),
      pending({ type: 'expire_hold', hold_id: 'h-gone-3' }),
      pending({ type: 'change_account_status', account_id: 'alice', action: 'freeze' }),
    ];
    expect(missingRecords(state, group)).toEqual(wantedOf({ idempotency_key: ['key-gone'], transaction_id: ['tx-gone'], hold_id: ['h-gone-1', 'h-gone-2', 'h-gone-3'] }));
  });

  it('wants nothing for commands without keys or records', () => {
    expect(missingRecords(folded(), [pending({ type: 'change_account_status', account_id: 'x', action: 'close' })])).toEqual(wantedOf({}));
  });
});

describe('restoreRecords', () => {
  /** The state with tx-rent, tx-capture, h-1 and the key rent forgotten. */
  function forgetful(): WriterState {
    const state = folded();
    state.transactions.delete('tx-rent');
    state.transactions.delete('tx-capture');
    state.holds.delete('h-1');
    state.idempotency.delete('rent');
    return state;
  }
  // What the lookups would find: by transaction_id tx-rent, hold_id h-1, idempotency_key rent (tx-rent's posting twice).
  const byTransaction = log.filter((e) => e.data.transaction_id === 'tx-rent');
  const byHold = log.filter((e) => e.data.hold_id === 'h-1');
  const byKey = log.filter((e) => e.metadata.idempotency_key === 'rent');

  it('puts back exactly what folding the whole log holds: a reversed transaction, a captured hold, a key', () => {
    const state = forgetful();
    restoreRecords(state, wantedOf({ transaction_id: ['tx-rent'], hold_id: ['h-1'], idempotency_key: ['rent'] }), [...byHold, ...byTransaction, ...byKey].reverse());
    const whole = folded();
    expect(state.transactions.get('tx-rent')).toEqual(whole.transactions.get('tx-rent'));
    expect(state.transactions.get('tx-rent')!.reversed_by).toBe('rv-1');
    expect(state.holds.get('h-1')).toEqual(whole.holds.get('h-1'));
    expect(state.holds.get('h-1')).toMatchObject({ status: 'captured', captured_amount: 20n, released_amount: 30n });
    expect(state.idempotency.get('rent')).toEqual({ request_hash: 'hash-of-rent', first_revision: 4n, event_count: 1 });
  });

  it('puts back only the records wanted, and leaves accounts and the revision alone', () => {
    const state = forgetful();
    const accountsBefore = new Map(state.accounts);
    restoreRecords(state, wantedOf({ hold_id: ['h-1'] }), byHold);
    expect(state.holds.has('h-1')).toBe(true);
    expect(state.transactions.has('tx-capture')).toBe(false); // folded from the capture, but not wanted
    expect(state.accounts).toEqual(accountsBefore);
    expect(state.revision).toBe(BigInt(log.length - 1));
  });

  it('finding nothing changes nothing', () => {
    const state = forgetful();
    restoreRecords(state, wantedOf({ transaction_id: ['tx-unknown'] }), []);
    expect(state.transactions.size).toBe(folded().transactions.size - 2);
  });
});

describe('forgetOldest', () => {
  it('keeps the newest records of each kind up to the limit, and every account', () => {
    const state = folded();
    expect([...state.transactions.keys()]).toEqual(['tx-deposit', 'tx-rent', 'rv-1', 'tx-capture']);
    forgetOldest(state, 2);
    expect([...state.transactions.keys()]).toEqual(['rv-1', 'tx-capture']);
    expect([...state.idempotency.keys()]).toEqual(['reverse-rent', 'capture']);
    expect([...state.holds.keys()]).toEqual(['h-1']);
    expect(state.accounts.size).toBe(3);
  });

  it('forgets nothing under the limit', () => {
    const state = folded();
    forgetOldest(state, 100);
    expect(state.idempotency.size).toBe(commands.length);
  });
});

describe('accountsOnlyState', () => {
  it('replays the log into accounts only, then remembers records folded into it from then on', () => {
    const replayed = accountsOnlyState();
    for (const event of log.slice(0, -2)) foldRecorded(replayed, event);
    expect(replayed.accounts.get('alice')).toEqual(folded(log.slice(0, -2)).accounts.get('alice'));
    const state = rememberingRecords(replayed);
    expect(state).toBe(replayed);
    expect([state.transactions.size, state.holds.size, state.idempotency.size]).toEqual([0, 0, 0]);
    for (const event of log.slice(-2)) foldRecorded(state, event);
    expect([...state.transactions.keys()]).toEqual(['tx-capture']);
    expect(state.accounts).toEqual(folded().accounts);
    expect(state.revision).toBe(BigInt(log.length - 1));
  });
});

describe('groupByKey', () => {
  it('gathers events under their idempotency key, in the order found, adding to what is there', () => {
    const byKey = new Map<string, RecordedEvent[]>([['capture', [log[0]]]]);
    groupByKey(log.slice(6), byKey);
    expect([...byKey.keys()]).toEqual(['capture', 'reverse-rent']);
    expect(byKey.get('capture')!.map((e) => e.id)).toEqual(['event-0', 'event-8', 'event-9']);
    expect(byKey.get('reverse-rent')!.map((e) => e.id)).toEqual(['event-6', 'event-7']);
  });
});
