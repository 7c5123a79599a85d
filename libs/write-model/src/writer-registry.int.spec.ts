import { randomUUID } from 'node:crypto';
import { jest } from '@jest/globals';
import { Pool } from 'pg';
import { createPool } from '#database/index.js';
import { PostgresEventStore } from '#event-store/index.js';
import { createTestDatabase, TestDatabase } from '../../../test/support/database.js';
import { CommandEnvelope } from './command-envelope.js';
import { WriterRegistry } from './writer-registry.js';
import { OPEN_ACCOUNT as openAccount, testEnvelope as envelope } from './testing/envelopes.js';


describe('WriterRegistry', () => {
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

  it('drops idle writers and rebuilds their state from the log on the next command', async () => {
    const store = new PostgresEventStore(pool);
    const writers = new WriterRegistry(store);
    const tenant = randomUUID();
    const open = async () => {
      const outcome = await writers.submit(
        envelope(tenant, { type: 'open_account', customer: 'c', currency: 'USD', account_type: 'x', normal_balance: 'credit', allow_negative: true, metadata: {} }),
      );
      if (outcome.kind !== 'accepted') throw new Error('refused');
      return outcome.events[0].data.account_id as string;
    };
    const a = await open();
    const b = await open();
    const post = { type: 'post_transaction' as const, entries: [{ account_id: a, direction: 'debit' as const, amount: 5n }, { account_id: b, direction: 'credit' as const, amount: 5n }], description: null, reference: null, metadata: {} };
    expect((await writers.submit(envelope(tenant, post, 'k1'))).kind).toBe('accepted');
    expect(writers.size).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 10)); // the writer finishes its drain loop
    expect(writers.evictIdle(60_000)).toBe(0); // not idle long enough
    expect(writers.evictIdle(0)).toBe(1);
    expect(writers.size).toBe(0);

    // A fresh writer knows the accounts, the balances and the idempotency key from the log.
    const again = await writers.submit(envelope(tenant, post, 'k1'));
    expect(again).toMatchObject({ kind: 'accepted', replayed: true });
    const more = await writers.submit(envelope(tenant, post));
    expect(more.kind).toBe('accepted');
    if (more.kind === 'accepted') expect(more.events[0].data.entries[1].balance_after.posted).toBe('10');
    await store.close();
  });

  it('a command whose decision throws fails alone; the rest of its group commits', async () => {
    const store = new PostgresEventStore(pool);
    const writers = new WriterRegistry(store);
    const tenant = randomUUID();
    const opened = await writers.submit(
      envelope(tenant, { type: 'open_account', customer: 'c', currency: 'USD', account_type: 'x', normal_balance: 'credit', allow_negative: true, metadata: {} }),
    );
    if (opened.kind !== 'accepted') throw new Error('refused');
    const a = opened.events[0].data.account_id as string;
    const open = envelope(tenant, { type: 'open_account', customer: 'd', currency: 'USD', account_type: 'x', normal_balance: 'credit', allow_negative: true, metadata: {} });
    // One entry only: the edge refuses this shape, so reaching the domain is a programming error that throws.
    const broken = envelope(tenant, { type: 'post_transaction', entries: [{ account_id: a, direction: 'debit', amount: 1n }], description: null, reference: null, metadata: {} });
    const [first, bad, last] = await Promise.allSettled(writers.submitMany(tenant, [open, broken, open]));
    expect(first).toMatchObject({ status: 'fulfilled', value: { kind: 'accepted' } });
    expect(bad).toMatchObject({ status: 'rejected' });
    expect(last).toMatchObject({ status: 'fulfilled', value: { kind: 'accepted' } });
    // Both good commands are in the log, in order, right after the first account.
    const stream = await store.readStream(`ledger-${tenant}`);
    expect(stream.map((e) => e.type)).toEqual(['account.created', 'account.created', 'account.created']);
    await store.close();
  });
  it('answers a replay of a forgotten idempotency key from the one lookup that recalled it', async () => {
    const store = new PostgresEventStore(pool);
    const tenant = randomUUID();
    const writers = new WriterRegistry(store, undefined, 1);
    const accepted = async (command: CommandEnvelope['command'], key: string | null = null) => {
      const outcome = await writers.submit(envelope(tenant, command, key));
      if (outcome.kind !== 'accepted') throw new Error(`refused: ${JSON.stringify(outcome.error)}`);
      return outcome;
    };
    const from = (await accepted(openAccount)).events[0].data.account_id as string;
    const to = (await accepted(openAccount)).events[0].data.account_id as string;
    const post = (amount: bigint) => ({ type: 'post_transaction' as const, entries: [{ account_id: from, direction: 'debit' as const, amount }, { account_id: to, direction: 'credit' as const, amount }], description: null, reference: null, metadata: {} });
    const first = await accepted(post(5n), 'k1');
    await accepted(post(6n), 'k2');
    await accepted(post(7n), 'k3'); // k1 is forgotten by now (a cap of one record)
    const lookups = jest.spyOn(store, 'findInStream');
    const replay = await accepted(post(5n), 'k1');
    expect(replay.replayed).toBe(true);
    expect(replay.events.map((e) => e.id)).toEqual(first.events.map((e) => e.id));
    expect(lookups.mock.calls.filter(([, lookup]) => lookup.field === 'idempotency_key')).toHaveLength(1);
    lookups.mockRestore();
    await store.close();
  });

  it('forgets records beyond its cap and recalls them exactly from the log: replays, reversals, holds, across writers and restarts', async () => {
    const store = new PostgresEventStore(pool);
    const tenant = randomUUID();
    const a = new WriterRegistry(store, undefined, 1);
    const accepted = async (writers: WriterRegistry, command: CommandEnvelope['command'], key: string | null = null) => {
      const outcome = await writers.submit(envelope(tenant, command, key));
      if (outcome.kind !== 'accepted') throw new Error(`refused: ${JSON.stringify(outcome.error)}`);
      return outcome;
    };
    const refusal = async (writers: WriterRegistry, command: CommandEnvelope['command'], key: string | null = null) => {
      const outcome = await writers.submit(envelope(tenant, command, key));
      return outcome.kind === 'rejected' ? outcome.error.code : 'accepted';
    };
    const from = (await accepted(a, openAccount)).events[0].data.account_id as string;
    const to = (await accepted(a, openAccount)).events[0].data.account_id as string;
    const post = (amount: bigint) => ({ type: 'post_transaction' as const, entries: [{ account_id: from, direction: 'debit' as const, amount }, { account_id: to, direction: 'credit' as const, amount }], description: null, reference: null, metadata: {} });

    const first = await accepted(a, post(5n), 'k1');
    const tx1 = first.events[0].data.transaction_id as string;
    await accepted(a, post(6n), 'k2');
    await accepted(a, post(7n), 'k3');
    const state = (await accepted(a, post(8n))).state;
    expect((state.transactions as Map<string, unknown>).size).toBeLessThanOrEqual(1);
    expect((state.idempotency as Map<string, unknown>).size).toBeLessThanOrEqual(1);

    // k1 was forgotten: a retry still replays the original events, a different body is a reuse.
    const replay = await accepted(a, post(5n), 'k1');
    expect(replay.replayed).toBe(true);
    expect(replay.events.map((e) => e.id)).toEqual(first.events.map((e) => e.id));
    const reused = await a.submit({ ...envelope(tenant, post(9n), 'k1'), request_hash: 'another-request' });
    expect(reused.kind === 'rejected' && reused.error.code).toBe('idempotency_key_reused');

    // tx1 was forgotten: it is reversed once, and only once.
    const reverse = { type: 'reverse_transaction' as const, transaction_id: tx1, reason: null };
    await accepted(a, reverse);
    await accepted(a, post(1n));
    expect(await refusal(a, reverse)).toBe('already_reversed');

    // A hold forgotten between its placement and its capture.
    const place = { type: 'place_hold' as const, account_id: from, destination_account_id: to, amount: 10n, expires_at: null, reference: null, description: null, metadata: {} };
    const holdId = (await accepted(a, place)).events[0].data.hold_id as string;
    await accepted(a, place);
    const capture = await accepted(a, { type: 'capture_hold', hold_id: holdId, amount: 4n });
    expect(capture.hold).toMatchObject({ id: holdId, status: 'captured', captured_amount: 4n, released_amount: 6n });
    await accepted(a, place);
    expect(await refusal(a, { type: 'release_hold', hold_id: holdId, note: null })).toBe('hold_not_pending');

    // Another process's writer, and a restarted one, know all of it from the log.
    const b = new WriterRegistry(store, undefined, 1);
    expect(await refusal(b, reverse)).toBe('already_reversed');
    expect((await accepted(b, post(5n), 'k1')).replayed).toBe(true);
    const tx2 = (await accepted(b, post(2n))).events[0].data.transaction_id as string;
    await accepted(a, { type: 'reverse_transaction', transaction_id: tx2, reason: null }); // a catches up first
    expect(await refusal(b, { type: 'reverse_transaction', transaction_id: tx2, reason: null })).toBe('already_reversed');
    expect(await refusal(b, { type: 'capture_hold', hold_id: holdId, amount: 1n })).toBe('hold_not_pending');
    await store.close();
  });
});
