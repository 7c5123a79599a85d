import { EventEnvelopeMeta, LedgerCommand, LedgerEvent, evolve } from '#domain/index.js';
import { serializeState } from '#domain/testing/given-when-then.js';
import { accountCreated, captureHold, credit, debit, figures, holdCreated, openAccount, postTransaction, posted } from '#domain/testing/ledger-fixtures.js';
import { verifyChain } from '#audit/index.js';
import { CommandOutcome } from './command-envelope.js';
import { PendingCommand } from './command-queue.js';
import { APPEND_SIZE_CEILING } from '#event-store/index.js';
import { COMMAND_BYTES_MAX, GROUP_BYTES_MAX, GROUP_EVENTS_MAX, commitPlan, eventBytes, groupBytesMaxFor, planGroup } from './group-plan.js';
import { ClockSkewedError, WriterClock } from './writer-clock.js';
import { WriterState, emptyWriterState } from './writer-state.js';

const NOW = '2030-01-02T03:04:05.000Z';
const LAST_EVENT_AT = '2030-01-01T00:00:00.000Z';
const CHAIN_HEAD = 'cd'.repeat(32);
const clockAt = (iso: string): WriterClock => ({ nowMs: () => Date.parse(iso), refusal: () => null });
const clock = clockAt(NOW);

/** settlement (debit-normal) funded alice with 100; bob is empty; every event under its own key. */
const history: LedgerEvent[] = [
  accountCreated('settlement', { normal_balance: 'debit', account_type: 'settlement' }),
  accountCreated('alice'),
  accountCreated('bob'),
  posted('tx-deposit', [
    { account_id: 'settlement', direction: 'debit', amount: '100', balance_after: figures({ debits_posted: '100', posted: '100', available: '100' }) },
    { account_id: 'alice', direction: 'credit', amount: '100', balance_after: figures({ credits_posted: '100', posted: '100', available: '100' }) },
  ]),
];

/** The writer's cached state after `events`, the last one carrying the chain head and log time. */
function cached(events: LedgerEvent[] = history): WriterState {
  const state = emptyWriterState();
  events.forEach((event, index) => {
    const meta: EventEnvelopeMeta = { idempotency_key: `key-${index}`, request_hash: `hash-${index}`, occurred_at: LAST_EVENT_AT, hash: index === events.length - 1 ? CHAIN_HEAD : undefined };
    evolve(state, event, BigInt(index), meta);
  });
  return state;
}

interface Recorded extends PendingCommand {
  outcome?: CommandOutcome;
  error?: unknown;
}

function pending(command: LedgerCommand, idempotency_key: string | null = null, request_hash: string | null = idempotency_key && `hash-of-${idempotency_key}`): Recorded {
  const item: Recorded = {
    envelope: { tenant_id: 'tenant-1', command, idempotency_key, request_hash, metadata: { actor: 'test', role: 'admin', request_id: 'r', intent_id: null, policy: [] } },
    resolve: (outcome) => (item.outcome = outcome),
    reject: (error) => (item.error = error),
  };
  return item;
}

const pay = (from: string, to: string, amount: bigint) => postTransaction([debit(from, amount), credit(to, amount)]);
const aliceOf = (state: WriterState) => state.accounts.get('alice')!;

describe('planGroup', () => {
  it('decides each command against those before it: one refused refuses alone, the next still sees only the accepted', () => {
    const state = cached();
    const plan = planGroup(state, [pending(pay('alice', 'bob', 60n)), pending(pay('alice', 'bob', 60n)), pending(pay('alice', 'bob', 40n))], clock);
    expect(plan.planned.map((p) => p.kind)).toEqual(['new', 'rejected', 'new']);
    const refused = plan.planned[1];
    expect(refused.kind === 'rejected' && refused.outcome).toMatchObject({ kind: 'rejected', error: { code: 'insufficient_funds' } });
    expect(plan.events).toHaveLength(2);
    expect(plan.planned.map((p) => (p.kind === 'new' ? p.first : null))).toEqual([0, null, 1]);
    const last = plan.events[1].data as { entries: { account_id: string; balance_after: { available: string } }[] };
    expect(last.entries.find((e) => e.account_id === 'alice')!.balance_after.available).toBe('0');
    expect(plan.deferred).toEqual([]);
  });

  it('changes nothing in the cached state; commitPlan then moves it to the state after the group', () => {
    const state = cached();
    const before = serializeState(cached());
    const plan = planGroup(state, [pending(pay('alice', 'bob', 60n)), pending(pay('alice', 'bob', 40n), 'k')], clock);
    expect(serializeState(state)).toBe(before);
    expect(state.chain_head).toBe(CHAIN_HEAD);

    commitPlan(plan.working, state);
    expect(state.revision).toBe(5n);
    expect(aliceOf(state)).toMatchObject({ debits_posted: 100n, credits_posted: 100n });
    expect(state.chain_head).toBe(plan.events[1].metadata.hash);
    expect(state.last_occurred_at).toBe(NOW);
    expect(state.idempotency.get('k')).toEqual({ request_hash: 'hash-of-k', first_revision: 5n, event_count: 1 });
    expect(state.transactions.size).toBe(3);
  });

  it("links the group's events into the tenant's chain, from the cached head on", () => {
    const plan = planGroup(cached(), [pending(pay('alice', 'bob', 1n)), pending(openAccount()), pending(pay('alice', 'bob', 2n))], clock);
    const links = plan.events.map((event, index) => ({ ...event, position: BigInt(index) }));
    expect(verifyChain(links, CHAIN_HEAD)).toMatchObject({ ok: true, events: 3 });
    expect(verifyChain(links, 'ab'.repeat(32))).toMatchObject({ ok: false, events: 0 });
  });

  it("stamps events with the writer's clock, or the tenant's last event time when the clock is behind it", () => {
    expect(planGroup(cached(), [pending(openAccount())], clock).events[0].metadata.occurred_at).toBe(NOW);
    const behind = planGroup(cached(), [pending(openAccount())], clockAt('2029-12-31T23:59:59.999Z'));
    expect(behind.events[0].metadata.occurred_at).toBe(LAST_EVENT_AT);
  });

  it('fails a command whose decision throws alone: its caller gets the error, the group goes on without it', () => {
    const broken = pending(postTransaction([debit('alice', 1n)])); // one entry: the edge refuses this shape
    const plan = planGroup(cached(), [pending(pay('alice', 'bob', 10n)), broken, pending(pay('alice', 'bob', 20n))], clock);
    expect(plan.planned.map((p) => p.kind)).toEqual(['new', 'failed', 'new']);
    expect(broken.error).toBeInstanceOf(Error);
    expect(plan.events).toHaveLength(2);
    expect(verifyChain(plan.events.map((event, index) => ({ ...event, position: BigInt(index) })), CHAIN_HEAD)).toMatchObject({ ok: true, events: 2 });
  });

  it('answers a key used earlier in the same group as a replay of that command, and refuses it with another request', () => {
    const state = cached();
    const plan = planGroup(state, [pending(pay('alice', 'bob', 10n), 'k'), pending(pay('alice', 'bob', 10n), 'k'), pending(pay('alice', 'bob', 11n), 'k', 'another-request')], clock);
    expect(plan.planned.map((p) => p.kind)).toEqual(['new', 'replay', 'rejected']);
    const replay = plan.planned[1];
    expect(replay.kind === 'replay' && replay.record).toEqual({ request_hash: 'hash-of-k', first_revision: 4n, event_count: 1 });
    const reused = plan.planned[2];
    expect(reused.kind === 'rejected' && reused.outcome).toMatchObject({ error: { code: 'idempotency_key_reused' } });
    expect(plan.events).toHaveLength(1);
  });

  it('with a skewed clock decides nothing (each such command fails with the refusal), but replays and reused keys still answer', () => {
    const refusal = new ClockSkewedError(5_000, 2_000);
    const skewed: WriterClock = { nowMs: () => Date.parse(NOW), refusal: () => refusal };
    const post = pending(pay('alice', 'bob', 10n));
    // key-3 is the deposit's key in the history, with hash-3.
    const plan = planGroup(cached(), [post, pending(pay('settlement', 'alice', 100n), 'key-3', 'hash-3'), pending(openAccount(), 'key-3', 'hash-9')], skewed);
    expect(plan.planned.map((p) => p.kind)).toEqual(['failed', 'replay', 'rejected']);
    expect(post.error).toBe(refusal);
    expect(plan.events).toEqual([]);
  });

  it('answers a capture with the hold as the command left it', () => {
    const withHold = [
      ...history,
      holdCreated('h-1', {
        account_id: 'alice',
        destination_account_id: 'bob',
        amount: '60',
        source_balance_after: figures({ credits_posted: '100', debits_pending: '60', posted: '100', available: '40' }),
        destination_balance_after: figures({ credits_pending: '60' }),
      }),
    ];
    const plan = planGroup(cached(withHold), [pending(captureHold('h-1', 25n))], clock);
    const capture = plan.planned[0];
    expect(capture.kind === 'new' && capture.hold).toMatchObject({ id: 'h-1', status: 'captured', captured_amount: 25n, released_amount: 35n });
  });

  it('stops after the command that reaches GROUP_BYTES_MAX of event JSON; the rest are deferred, in order', () => {
    const blob = 'x'.repeat(1024 * 1024 - 1024);
    const group = Array.from({ length: 20 }, () => pending(openAccount({ metadata: { blob } })));
    const plan = planGroup(cached(), group, clock);
    const sizes = plan.events.map((e) => e.serialized.data.length + e.serialized.metadata.length);
    const total = sizes.reduce((sum, size) => sum + size, 0);
    expect(total).toBeGreaterThanOrEqual(GROUP_BYTES_MAX);
    expect(total - sizes[sizes.length - 1]).toBeLessThan(GROUP_BYTES_MAX);
    expect(plan.planned).toHaveLength(15); // each command's JSON is a little under 1 MiB
    expect(plan.deferred).toEqual(group.slice(15));
  });

  it('keeps an append within what EventStoreDB takes (MaxAppendSize at its ceiling), counting as the server does', () => {
    // Event.SizeOnDisk: UTF-8 data and metadata, and twice the type's length. 'é' is one UTF-16
    // unit and two UTF-8 bytes: a count of string lengths would let this group past the ceiling.
    const blob = 'é'.repeat(COMMAND_BYTES_MAX / 2 - 1024);
    const group = Array.from({ length: 40 }, () => pending(openAccount({ metadata: { blob } })));
    const plan = planGroup(cached(), group, clock);
    const bytes = plan.events.map((e) => Buffer.byteLength(e.serialized.data) + Buffer.byteLength(e.serialized.metadata) + 2 * e.type.length);
    expect(plan.events.map(eventBytes)).toEqual(bytes);
    expect(Math.max(...bytes)).toBeLessThanOrEqual(COMMAND_BYTES_MAX);
    expect(bytes.reduce((sum, size) => sum + size, 0)).toBeLessThanOrEqual(APPEND_SIZE_CEILING);
    expect(plan.deferred.length).toBeGreaterThan(0);
  });

  it("keeps an append within a server's lower MaxAppendSize (EVENTSTORE_MAX_APPEND_SIZE), down to its 1 MiB default", () => {
    const blob = 'x'.repeat(200 * 1024);
    const group = Array.from({ length: 40 }, () => pending(openAccount({ metadata: { blob } })));
    for (const limit of [4 * 1024 * 1024, 1024 * 1024]) {
      const plan = planGroup(cached(), group, clock, groupBytesMaxFor(limit));
      expect(plan.events.map(eventBytes).reduce((sum, size) => sum + size, 0)).toBeLessThanOrEqual(limit);
      expect(plan.deferred.length).toBeGreaterThan(0);
    }
    expect(planGroup(cached(), group, clock, groupBytesMaxFor(1024 * 1024)).planned).toHaveLength(1); // each command alone
    expect(groupBytesMaxFor(undefined)).toBe(GROUP_BYTES_MAX); // a log with no limit of its own (PostgreSQL)
    expect(groupBytesMaxFor(APPEND_SIZE_CEILING)).toBe(GROUP_BYTES_MAX);
  });

  it('stops at GROUP_EVENTS_MAX events, so an append stays within the store limit', () => {
    const group = Array.from({ length: GROUP_EVENTS_MAX + 3 }, () => pending(openAccount()));
    const plan = planGroup(cached(), group, clock);
    expect(plan.events).toHaveLength(GROUP_EVENTS_MAX);
    expect(plan.deferred).toEqual(group.slice(GROUP_EVENTS_MAX));
  });
});
