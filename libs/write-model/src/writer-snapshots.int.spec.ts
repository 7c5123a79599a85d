import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { createPool } from '#database/index.js';
import { LedgerCommand, LedgerState } from '#domain/index.js';
import { PostgresEventStore, ReadStreamOptions, RecordedEvent } from '#event-store/index.js';
import { createTestDatabase, TestDatabase } from '../../../test/support/database.js';
import { waitFor } from '../../../test/support/wait.js';
import { CommandEnvelope, CommandOutcome, ledgerStream } from './command-envelope.js';
import { FORGETTABLE_RECORDS } from './record-cache.js';
import { replayedAccounts, replayTenant, stateHash } from './replay.js';
import { emptyWriterState, foldRecorded, WriterState } from './writer-state.js';
import { restoreSnapshot, SNAPSHOT_RECORDS_MAX, WRITER_SNAPSHOT_VERSION } from './state-snapshot.js';
import { WriterRegistry } from './writer-registry.js';
import { PostgresWriterSnapshots } from './writer-snapshots.js';
import { TEST_METADATA as meta } from './testing/envelopes.js';


/** The real PostgreSQL store, counting the events a writer reads from its stream. */
class CountingStore extends PostgresEventStore {
  eventsRead = 0;
  override async readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    const events = await super.readStream(streamId, options);
    this.eventsRead += events.length;
    return events;
  }
}

function accepted(outcome: CommandOutcome): Extract<CommandOutcome, { kind: 'accepted' }> {
  if (outcome.kind !== 'accepted') throw new Error(`refused: ${JSON.stringify(outcome)}`);
  return outcome;
}

/**
 * The snapshot's state against a full replay, field by field over whatever fields the state has
 * (so fields added later are compared without changing this test): equal, except that the
 * records a writer may forget are a subset (the newest SNAPSHOT_RECORDS_MAX), each equal.
 */
function expectSameAsReplay(snapshot: LedgerState, replayed: LedgerState): void {
  expect(Object.keys(snapshot).sort()).toEqual(Object.keys(replayed).sort());
  const forgettable = new Set<string>(FORGETTABLE_RECORDS);
  for (const field of Object.keys(replayed) as (keyof LedgerState)[]) {
    if (!forgettable.has(field)) {
      expect({ field, value: snapshot[field] }).toEqual({ field, value: replayed[field] });
      continue;
    }
    const kept = snapshot[field] as Map<string, unknown>;
    const all = replayed[field] as Map<string, unknown>;
    expect(kept.size).toBeGreaterThan(0);
    expect(kept.size).toBeLessThanOrEqual(Math.min(all.size, SNAPSHOT_RECORDS_MAX));
    for (const [key, record] of kept) expect({ field, key, record }).toEqual({ field, key, record: all.get(key) });
  }
}

/** Field names of the state and of one record of each kind: what WRITER_SNAPSHOT_VERSION stands for. */
function shapeOf(state: LedgerState): Record<string, string[]> {
  const shape: Record<string, string[]> = { state: Object.keys(state).sort() };
  for (const [field, value] of Object.entries(state)) {
    if (value instanceof Map && value.size > 0) shape[field] = Object.keys(value.values().next().value as object).sort();
    else if (Array.isArray(value)) shape[field] = value.length > 0 ? Object.keys(value[0]).sort() : [];
    else if (value && typeof value === 'object' && !(value instanceof Map)) shape[field] = Object.keys(value).sort();
  }
  return shape;
}

/** Every event of the tenant's stream folded into a state that forgets nothing (unlike the auditor's replay, which keeps no transactions). */
async function fullReplay(store: PostgresEventStore, tenantId: string, untilRevision = -1n): Promise<{ state: WriterState }> {
  const state = emptyWriterState();
  for (;;) {
    const page = await store.readStream(`ledger-${tenantId}`, { fromRevision: state.revision + 1n, maxCount: 1000 });
    for (const event of page) if (untilRevision < 0n || event.revision <= untilRevision) foldRecorded(state, event);
    if (page.length < 1000) return { state };
  }
}

describe('Writer snapshots', () => {
  let db: TestDatabase;
  let pool: Pool;
  beforeAll(async () => {
    db = await createTestDatabase();
    pool = createPool(db.url, 5);
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  /** A tenant with every kind of record: accounts, postings with keys, a reversal, holds (captured, pending), a velocity policy and its windows. */
  async function busyTenant(writers: WriterRegistry, postings: number): Promise<{ tenant: string; accounts: string[] }> {
    const tenant = randomUUID();
    const submit = async (command: LedgerCommand, key: string | null = null) =>
      accepted(await writers.submit({ tenant_id: tenant, command, idempotency_key: key, request_hash: key ? `hash-${key}` : null, metadata: meta } as CommandEnvelope));
    const open = async () =>
      (await submit({ type: 'open_account', customer: 'c', currency: 'USD', account_type: 'x', normal_balance: 'credit', allow_negative: true, metadata: { note: 'm' } })).events[0].data
        .account_id as string;
    const accounts = [await open(), await open(), await open()];
    await submit({ type: 'create_policy', name: 'velocity', mode: 'enforce', scope: {}, rule: { type: 'velocity_limit', params: { currency: 'USD', max_amount: 10n ** 12n, window_seconds: 3600, max_count: null } } });
    const posted: string[] = [];
    for (let i = 0; i < postings; i++) {
      const [from, to] = [accounts[i % 3], accounts[(i + 1) % 3]];
      const entries = [{ account_id: from, direction: 'debit' as const, amount: BigInt(i + 1) }, { account_id: to, direction: 'credit' as const, amount: BigInt(i + 1) }];
      posted.push((await submit({ type: 'post_transaction', entries, description: null, reference: null, metadata: {} }, `k${i}`)).events[0].data.transaction_id as string);
    }
    await submit({ type: 'reverse_transaction', transaction_id: posted[1], reason: 'twice' });
    const hold = (await submit({ type: 'place_hold', account_id: accounts[0], destination_account_id: accounts[1], amount: 30n, expires_at: null, reference: 'o', description: null, metadata: {} }))
      .events[0].data.hold_id as string;
    await submit({ type: 'capture_hold', hold_id: hold, amount: 20n } as LedgerCommand);
    await submit({ type: 'place_hold', account_id: accounts[2], destination_account_id: accounts[0], amount: 7n, expires_at: null, reference: null, description: null, metadata: {} });
    // The runtime: a route and two intents, one settled (intents are records a writer may forget, like holds).
    const settlement = await open();
    const route = (await submit({ type: 'create_route', name: 'r', currency: 'USD', corridor: 'c', settlement_account_id: settlement, priority: 1 })).events[0].data.route_id as string;
    const intent = (id: string): LedgerCommand => ({
      type: 'create_intent', intent_id: id, scope: 's', money_model: 'minor_units + ledger_currency', primitives: ['ledger'], amount: 5n, currency: 'USD',
      source_account_id: accounts[0], destination_account_id: accounts[1], corridor: 'c', expires_at: null, metadata: {},
    });
    await submit(intent('i-1'), 'intent:i-1');
    await submit(intent('i-2'), 'intent:i-2');
    await submit({ type: 'settle_intent', intent_id: 'i-1' });
    expect(route).toBeTruthy();
    return { tenant, accounts };
  }

  it('a restarted writer starts from the snapshot taken at shutdown, reads only what follows it, and decides as one that replayed the whole stream', async () => {
    const store = new PostgresEventStore(pool);
    const snapshots = new PostgresWriterSnapshots(pool);
    // Records max 2: the writer forgets, so the snapshot keeps a subset and old keys come back by lookup.
    const first = new WriterRegistry(store, undefined, 2, undefined, { store: snapshots, everyEvents: 1_000 });
    const { tenant, accounts } = await busyTenant(first, 12);
    await first.drain();

    const stored = await snapshots.load(tenant);
    const full = await fullReplay(store, tenant);
    expect(stored).toMatchObject({ version: WRITER_SNAPSHOT_VERSION, revision: full.state.revision, chain_head: full.state.chain_head });
    const restored = restoreSnapshot(stored!);
    if ('unusable' in restored) throw new Error(restored.unusable);
    expectSameAsReplay(restored.state, full.state);
    expect(stateHash({ ...restored.state, holds: full.state.holds })).toBe(stateHash(full.state));

    const counting = new CountingStore(pool);
    const second = new WriterRegistry(counting, undefined, 2, undefined, { store: snapshots, everyEvents: 1_000 });
    const entries = [{ account_id: accounts[0], direction: 'debit' as const, amount: 5n }, { account_id: accounts[1], direction: 'credit' as const, amount: 5n }];
    const post = { type: 'post_transaction' as const, entries, description: null, reference: null, metadata: {} };
    const outcome = accepted(await second.submit({ tenant_id: tenant, command: post, idempotency_key: 'after', request_hash: 'hash-after', metadata: meta }));
    // One event read: the snapshot's last, to check that the stream still has it there.
    expect(counting.eventsRead).toBe(1);
    const now = await replayTenant(store, tenant, null);
    expect(replayedAccounts(outcome.state)).toEqual(replayedAccounts(now.state));
    // A key the snapshot did not keep is recalled from the log: the replay answers with the original events.
    const again = accepted(await second.submit({ tenant_id: tenant, command: post, idempotency_key: 'k0', request_hash: 'hash-k0', metadata: meta }));
    expect(again.replayed).toBe(true);
    expect(again.events[0].revision).toBe(4n); // after 3 accounts and the policy

    // A third writer, with the snapshot one event behind, folds just that event on top of it.
    const third = new CountingStore(pool);
    const writers = new WriterRegistry(third, undefined, 2, undefined, { store: snapshots, everyEvents: 1_000 });
    const last = accepted(await writers.submit({ tenant_id: tenant, command: post, idempotency_key: null, request_hash: null, metadata: meta }));
    expect(third.eventsRead).toBe(2);
    expect(replayedAccounts(last.state)).toEqual(replayedAccounts((await replayTenant(store, tenant, null)).state));
    await Promise.all([second.drain(), writers.drain(), store.close(), counting.close(), third.close()]);
  });

  it('a writer snapshots every N events it appends, without waiting for a shutdown', async () => {
    const store = new PostgresEventStore(pool);
    const snapshots = new PostgresWriterSnapshots(pool);
    const writers = new WriterRegistry(store, undefined, 100, undefined, { store: snapshots, everyEvents: 5 });
    const { tenant } = await busyTenant(writers, 8);
    // A snapshot taken after the busy tenant's last command holds a record of every kind (an
    // earlier one may predate the intents). Snapshots come due as events are appended, at most one
    // being stored at a time: append more until one is taken at or past that point.
    const end = (await store.readLastEvent(ledgerStream(tenant)))!.revision;
    const stored = await waitFor('a snapshot at or after the busy tenant\'s last event', async () => {
      const found = await snapshots.load(tenant);
      if (found && found.revision >= end) return found;
      const more = { type: 'open_account', customer: 'later', currency: 'USD', account_type: 'x', normal_balance: 'credit', allow_negative: false, metadata: {} } as const;
      await writers.submit({ tenant_id: tenant, command: more, idempotency_key: null, request_hash: null, metadata: meta });
      return null;
    });
    expect(stored.revision).toBeGreaterThanOrEqual(10n);
    const restored = restoreSnapshot(stored);
    if ('unusable' in restored) throw new Error(restored.unusable);
    expectSameAsReplay(restored.state, (await fullReplay(store, tenant, stored.revision)).state);
    await writers.drain();
    await store.close();
  });

  it.each([
    ['another format version', `update write_model_snapshots set format_version = format_version + 1 where tenant_id = $1`],
    ['bytes that do not match their hash', `update write_model_snapshots set state_sha256 = repeat('0', 64) where tenant_id = $1`],
    ['a last event the stream does not have there', `update write_model_snapshots set chain_head = 'not-the-hash' where tenant_id = $1`],
  ])('a snapshot with %s is not used: the writer replays the whole stream and decides the same', async (_why, tamper) => {
    const store = new PostgresEventStore(pool);
    const snapshots = new PostgresWriterSnapshots(pool);
    const first = new WriterRegistry(store, undefined, 2, undefined, { store: snapshots, everyEvents: 1_000 });
    const { tenant, accounts } = await busyTenant(first, 6);
    await first.drain();
    await pool.query(tamper, [tenant]);

    const counting = new CountingStore(pool);
    const second = new WriterRegistry(counting, undefined, 2, undefined, { store: snapshots, everyEvents: 1_000 });
    const entries = [{ account_id: accounts[2], direction: 'debit' as const, amount: 1n }, { account_id: accounts[0], direction: 'credit' as const, amount: 1n }];
    const outcome = accepted(await second.submit({ tenant_id: tenant, command: { type: 'post_transaction', entries, description: null, reference: null, metadata: {} }, idempotency_key: null, request_hash: null, metadata: meta }));
    const full = await replayTenant(store, tenant, null);
    expect(counting.eventsRead).toBeGreaterThanOrEqual(Number(full.state.revision));
    expect(replayedAccounts(outcome.state)).toEqual(replayedAccounts(full.state));
    await Promise.all([second.drain(), store.close(), counting.close()]);
  });

  it("the auditor's replay keeps no transactions or idempotency records (its memory does not grow with the log) and finds what a fold of everything finds", async () => {
    const store = new PostgresEventStore(pool);
    const writers = new WriterRegistry(store);
    const { tenant } = await busyTenant(writers, 9);
    const replayed = await replayTenant(store, tenant, null);
    const full = await fullReplay(store, tenant);
    expect(full.state.transactions.size).toBeGreaterThan(9);
    expect(full.state.idempotency.size).toBe(9 + 2); // nine postings' keys and the two intents'
    expect(replayed.state.transactions).not.toBeInstanceOf(Map);
    expect(replayed.state.idempotency).not.toBeInstanceOf(Map);
    expect(replayed.state.holds).toEqual(full.state.holds);
    expect(replayedAccounts(replayed.state)).toEqual(replayedAccounts(full.state));
    expect(stateHash(replayed.state)).toBe(stateHash(full.state));
    expect(replayed.events).toBe(Number(full.state.revision) + 1);
    await writers.drain();
    await store.close();
  });

  it('WRITER_SNAPSHOT_VERSION stands for this shape of the state: a field added or renamed must bump it (and update this)', async () => {
    const store = new PostgresEventStore(pool);
    const writers = new WriterRegistry(store);
    const { tenant } = await busyTenant(writers, 2);
    const shape = shapeOf((await fullReplay(store, tenant)).state);
    expect({ version: WRITER_SNAPSHOT_VERSION, shape }).toEqual({
      version: 3,
      shape: {
        state: ['account_paths', 'accounts', 'active_policies', 'chain_head', 'holds', 'idempotency', 'intents', 'last_occurred_at', 'policies', 'revision', 'routes', 'transactions', 'velocity_windows'],
        accounts: ['account_type', 'allow_negative', 'created_at', 'credits_pending', 'credits_posted', 'currency', 'customer', 'debits_pending', 'debits_posted', 'id', 'lock_version', 'metadata', 'normal_balance', 'path', 'status'],
        active_policies: ['all', 'allowlists', 'limits_by_currency', 'monitors_by_currency', 'velocity_by_currency'],
        holds: ['account_id', 'amount', 'captured_amount', 'created_at', 'currency', 'description', 'destination_account_id', 'expires_at', 'id', 'metadata', 'reference', 'released_amount', 'status'],
        idempotency: ['event_count', 'first_revision', 'request_hash'],
        routes: ['corridor', 'created_at', 'currency', 'id', 'name', 'priority', 'settlement_account_id', 'status'],
        intents: ['amount', 'corridor', 'currency', 'destination_account_id', 'expires_at', 'hold_id', 'id', 'route_id', 'settlement_account_id', 'source_account_id', 'status', 'transaction_id'],
        policies: ['created_at', 'id', 'mode', 'name', 'params', 'scope', 'status', 'type', 'updated_at', 'version', 'window_version'],
        transactions: ['entries', 'id', 'reversed_by'],
        velocity_windows: ['policy_ids', 'windows'],
      },
    });
    await writers.drain();
    await store.close();
  });
});
