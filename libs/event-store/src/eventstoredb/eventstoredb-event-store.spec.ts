// Over 300 lines on purpose: one case per behaviour of the adapter (appends, reads, positions, errors), against the in-memory stand-in for the client described below.
/**
 * The adapter's own logic against an in-memory stand-in for the client (no server here): the
 * stand-in follows EventStoreDB's documented behaviour for what the adapter relies on — positions
 * {p, p} for self-committed events, forward reads of $all inclusive of the position given,
 * backward reads strictly before it, StreamNotFound for a missing stream, WrongExpectedVersion,
 * system events in $all, subscriptions as object-mode Readables. The real server is covered by
 * eventstoredb-event-store.int.spec.ts when EVENTSTORE_URL is set.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  StreamNotFoundError,
  UnknownError,
  WrongExpectedVersionError as EsdbWrongExpectedVersionError,
  type EventStoreDBClient,
  type Filter,
  type JSONEventData,
  type Position,
  type ReadPosition,
} from '@eventstore/db-client';
import { NewEvent, RecordedEvent, Subscription, WrongExpectedVersionError } from '../event-store.port.js';
import { parseEventStoreUrl } from './connection-url.js';
import { EventStoreDbEventStore, HEAD_SCAN_EVENTS_MAX } from './eventstoredb-event-store.js';
import { decodePosition, encodePosition } from './position.js';
import type { EsdbRecordedEventLike } from './serialization.js';

/** A recorded event as the client gives it, always with its position. */
type Stored = EsdbRecordedEventLike & { position: Position };

const before = (a: Position, b: Position) => a.commit < b.commit || (a.commit === b.commit && a.prepare < b.prepare);

function passes(filter: Filter | undefined, event: Stored): boolean {
  if (!filter) return true;
  const subject = filter.filterOn === 'streamName' ? event.streamId : event.type;
  if ('prefixes' in filter) return filter.prefixes.some((p) => subject.startsWith(p));
  return new RegExp(filter.regex).test(subject);
}

async function* over<T>(items: T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

async function* failing(error: unknown): AsyncGenerator<never> {
  throw error;
}

const INT64_MAX = (1n << 63n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;

/**
 * The server's check of a position it is given (Services/Transport/Common/Position.cs): commit
 * below prepare, or an offset above int64 other than End's 2^64 - 1, throws
 * ArgumentOutOfRangeException in the handler, which the client sees as an unknown error.
 */
function refusedByServer(position: ReadPosition): UnknownError | null {
  if (typeof position === 'string') return null;
  const { commit, prepare } = position;
  const bad = commit < prepare || (commit > INT64_MAX && commit !== UINT64_MAX) || (prepare > INT64_MAX && prepare !== UINT64_MAX);
  return bad ? new UnknownError(undefined, 'Exception was thrown by handler.') : null;
}

/** An in-memory EventStoreDB as the v6 client presents it. */
class FakeEventStoreDb {
  readonly log: Stored[] = [];
  private offset = 1000n;
  private readonly live = new Set<{ stream: Readable; filter?: Filter; after: Position | null }>();
  readonly calls: string[] = [];
  /**
   * A follower of a cluster: reads without the requires-leader header see only this many events
   * of the log (Streams.Read.cs passes GetRequiresLeader(headers) on; without it any node answers
   * from what it has replicated so far).
   */
  followerSees: number | null = null;
  /** Reads of $all that never answer: a server that stopped answering, to a client that sends reads with `deadline: Infinity` (streams/readAll.js). */
  stallReads = false;
  /** The connection string said throwOnAppendFailure=false (client 6.2.1's batchAppend.js). */
  throwOnAppendFailure = true;
  readonly readStreamOptions: Record<string, unknown>[] = [];

  system(streamId: string, type: string): void {
    this.write(streamId, type, {}, undefined);
  }

  private readonly lengths = new Map<string, number>();

  private write(streamId: string, type: string, data: unknown, metadata: unknown, id: string = randomUUID()): Stored {
    const length = this.lengths.get(streamId) ?? 0;
    this.lengths.set(streamId, length + 1);
    const revision = BigInt(length);
    this.offset += 137n;
    const event: Stored = { streamId, id, revision, type, created: new Date(), isJson: true, data, metadata, position: { commit: this.offset, prepare: this.offset } };
    this.log.push(event);
    for (const sub of this.live) if (passes(sub.filter, event)) sub.stream.push({ event: { ...event } });
    return event;
  }

  readonly client = {
    appendToStream: async (streamName: string, events: JSONEventData[], options: { expectedRevision: unknown }) => {
      this.calls.push(`append ${streamName}`);
      const existing = this.log.filter((e) => e.streamId === streamName);
      const current = existing.length ? existing[existing.length - 1].revision : 'no_stream';
      const expected = options.expectedRevision;
      if ((expected === 'no_stream' && current !== 'no_stream') || (typeof expected === 'bigint' && expected !== current)) {
        // 6.2.1 answers BigInt(hasCurrentStreamRevision()): 1n when the stream exists, else -1n.
        if (!this.throwOnAppendFailure) return { success: false, nextExpectedRevision: current === 'no_stream' ? -1n : 1n, position: undefined };
        throw new EsdbWrongExpectedVersionError(undefined, { streamName, expected: expected as any, current });
      }
      let last: Stored | undefined;
      for (const e of events) {
        const metadata = e.metadata instanceof Uint8Array ? JSON.parse(new TextDecoder().decode(e.metadata)) : e.metadata;
        last = this.write(streamName, e.type, JSON.parse(JSON.stringify(e.data)), metadata, e.id);
      }
      return { success: true, nextExpectedRevision: last!.revision, position: last!.position };
    },
    readStream: (streamName: string, options: { fromRevision: bigint | 'end'; maxCount: number; direction?: string; requiresLeader?: boolean }) => {
      this.calls.push(`readStream ${streamName}`);
      this.readStreamOptions.push(options);
      const visible = this.followerSees !== null && !options.requiresLeader ? this.log.slice(0, this.followerSees) : this.log;
      const events = visible.filter((e) => e.streamId === streamName);
      if (events.length === 0) return failing(new StreamNotFoundError(undefined, streamName));
      if (options.direction === 'backwards') {
        const from = options.fromRevision;
        return over(events.filter((e) => from === 'end' || e.revision <= from).reverse().slice(0, options.maxCount).map((e) => ({ event: { ...e } })));
      }
      const fromRevision = options.fromRevision as bigint;
      return over(
        events
          .filter((e) => e.revision >= fromRevision)
          .slice(0, options.maxCount)
          .map((e) => ({ event: { ...e } })),
      );
    },
    readAll: (options: { fromPosition: ReadPosition; maxCount: number; direction: string }) => {
      this.calls.push(`readAll ${options.direction} ${typeof options.fromPosition === 'string' ? options.fromPosition : `${options.fromPosition.commit}/${options.fromPosition.prepare}`} ${options.maxCount}`);
      const refused = refusedByServer(options.fromPosition);
      if (refused) return Readable.from(failing(refused));
      if (this.stallReads) return new Readable({ objectMode: true, read() {} });
      let events: Stored[];
      if (options.direction === 'forwards') {
        const from = options.fromPosition;
        events = from === 'start' ? this.log : from === 'end' ? [] : this.log.filter((e) => !before(e.position, from)); // inclusive
      } else {
        const from = options.fromPosition;
        events = (from === 'end' ? this.log : from === 'start' ? [] : this.log.filter((e) => before(e.position, from))).slice().reverse(); // strictly before
      }
      return Readable.from(over(events.slice(0, options.maxCount).map((e) => ({ event: { ...e } }))));
    },
    subscribeToAll: (options: { fromPosition: ReadPosition; filter?: Filter }) => {
      const stream = new Readable({ objectMode: true, read() {} });
      const refused = refusedByServer(options.fromPosition);
      if (refused) {
        process.nextTick(() => stream.destroy(refused));
        return Object.assign(stream, { unsubscribe: async () => undefined });
      }
      const after = options.fromPosition === 'start' ? null : (options.fromPosition as Position);
      for (const e of this.log) {
        // Exclusive of the position given.
        if (after && !before(after, e.position)) continue;
        if (passes(options.filter, e)) stream.push({ event: { ...e } });
      }
      const sub = { stream, filter: options.filter, after };
      this.live.add(sub);
      this.calls.push(`subscribe ${options.filter?.filterOn}`);
      return Object.assign(stream, {
        unsubscribe: async () => {
          this.live.delete(sub);
          stream.push(null);
        },
      });
    },
    dispose: async () => undefined,
  };

  /**
   * The server's checkpoint of a filtered subscription: the position it has looked through, sent
   * in order with the events (Enumerator.AllSubscriptionFiltered.cs); client 6.x awaits
   * checkpointReached before passing on anything later (streams/utils/Subscription.js).
   */
  async checkpoint(): Promise<void> {
    const last = this.log[this.log.length - 1];
    for (const sub of this.live) {
      const reached = (sub.filter as { checkpointReached?: (s: unknown, p: Position) => Promise<void> } | undefined)?.checkpointReached;
      await reached?.(sub.stream, last.position);
    }
  }

  failSubscriptions(error: Error): void {
    for (const sub of this.live) sub.stream.destroy(error);
  }
}

function store(fake: FakeEventStoreDb, streamPrefixes?: readonly string[], options: { readStallMs?: number; appendBytesMax?: number } = {}): EventStoreDbEventStore {
  return new EventStoreDbEventStore(fake.client as unknown as EventStoreDBClient, parseEventStoreUrl('esdb://fake:2113?tls=false'), { streamPrefixes, ...options });
}

const event = (type = 'test.happened', data: unknown = {}): NewEvent => ({ id: randomUUID(), type, data, metadata: { tenant_id: 't1' } });

async function eventually(check: () => boolean, what: string, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('EventStoreDbEventStore (in-memory stand-in for the client)', () => {
  let fake: FakeEventStoreDb;
  let subject: EventStoreDbEventStore;
  const subscriptions: Subscription[] = [];

  beforeEach(() => {
    fake = new FakeEventStoreDb();
    fake.system('$stats-127.0.0.1:2113', '$statsCollected');
    subject = store(fake);
  });

  afterEach(async () => {
    for (const s of subscriptions.splice(0)) await s.stop();
    await subject.close();
  });

  function record(options: Parameters<EventStoreDbEventStore['subscribeToAll']>[0], handler?: (batch: RecordedEvent[]) => Promise<void>) {
    const events: RecordedEvent[] = [];
    const batches: number[] = [];
    const subscription = subject.subscribeToAll(options, async (batch) => {
      batches.push(batch.length);
      events.push(...batch);
      await handler?.(batch);
    });
    subscriptions.push(subscription);
    return { subscription, events, batches };
  }

  describe('append', () => {
    it('appends with the mapped expected revision and returns each event’s revision and $all position', async () => {
      const events = [event(), event(), event()];
      const result = await subject.append('ledger-t1', events, 'no_stream');
      expect(result.revisions).toEqual([0n, 1n, 2n]);
      expect(result.next_expected_revision).toBe(2n);
      const stored = fake.log.filter((e) => e.streamId === 'ledger-t1');
      expect(result.positions).toEqual(stored.map((e) => encodePosition(e.position)));
      expect(stored.map((e) => e.id)).toEqual(events.map((e) => e.id));
      expect(stored[0].metadata).toEqual({ tenant_id: 't1' });

      const next = await subject.append('ledger-t1', [event()], 2n);
      expect(next.revisions).toEqual([3n]);
      expect(next.positions[0]).toBeGreaterThan(result.positions[2]);
      expect((await subject.append('ledger-t1', [event()], 'any')).revisions).toEqual([4n]);
    });

    it("maps WrongExpectedVersion to the port's error with stream, expected and actual", async () => {
      await subject.append('ledger-t1', [event(), event()], 'no_stream');
      for (const [expected, actual] of [
        ['no_stream', 1n],
        [0n, 1n],
        [5n, 1n],
      ] as const) {
        const error = await subject.append('ledger-t1', [event()], expected).catch((e) => e);
        expect(error).toBeInstanceOf(WrongExpectedVersionError);
        expect(error).toMatchObject({ stream_id: 'ledger-t1', expected, actual });
      }
      const missing = await subject.append('ledger-missing', [event()], 0n).catch((e) => e);
      expect(missing).toMatchObject({ name: 'WrongExpectedVersionError', stream_id: 'ledger-missing', expected: 0n, actual: 'no_stream' });
    });

    it('refuses, before sending anything: no events, a duplicate id within the append, bigint data', async () => {
      await expect(subject.append('s', [], 'any')).rejects.toThrow(/at least one event/);
      const twice = event();
      await expect(subject.append('s', [twice, { ...twice }], 'any')).rejects.toThrow(/duplicate event id/);
      await expect(subject.append('s', [event('t', { amount: 1n })], 'any')).rejects.toThrow(/bigint/);
      expect(fake.calls.filter((c) => c.startsWith('append'))).toEqual([]);
    });
  });

  describe('readStream', () => {
    it('reads a missing stream as empty', async () => {
      expect(await subject.readStream('ledger-nobody')).toEqual([]);
      expect(await subject.readStream('ledger-nobody', { fromRevision: 5n, maxCount: 3 })).toEqual([]);
    });

    it('reads from a revision with maxCount, mapping every field', async () => {
      const events = [event('a', { i: 0 }), event('b', { i: 1 }), event('c', { i: 2 })];
      const { positions } = await subject.append('ledger-t1', events, 'no_stream');
      const read = await subject.readStream('ledger-t1', { fromRevision: 1n, maxCount: 1 });
      expect(read).toHaveLength(1);
      expect(read[0]).toMatchObject({ id: events[1].id, stream_id: 'ledger-t1', revision: 1n, position: positions[1], type: 'b', data: { i: 1 }, metadata: { tenant_id: 't1' } });
      expect(read[0].created_at).toBeInstanceOf(Date);
    });
  });

  describe('readAll', () => {
    it('reads strictly after a position, skips system events, and pages with maxCount', async () => {
      const a = await subject.append('ledger-a', [event(), event()], 'no_stream');
      fake.system('$$ledger-a', '$metadata');
      const b = await subject.append('ledger-b', [event()], 'no_stream');
      const all = [...a.positions, ...b.positions];

      const everything = await subject.readAll();
      expect(everything.map((e) => e.position)).toEqual(all);

      // From one below the first event (what callers do to read "from this event on").
      expect((await subject.readAll({ afterPosition: all[0] - 1n })).map((e) => e.position)).toEqual(all);
      expect(decodePosition(all[0] - 1n).commit).toBe(decodePosition(all[0]).commit);
      // Strictly after: the event at the position is not returned.
      expect((await subject.readAll({ afterPosition: all[0] })).map((e) => e.position)).toEqual(all.slice(1));
      // maxCount, across the system event in between.
      expect((await subject.readAll({ afterPosition: all[0], maxCount: 2 })).map((e) => e.position)).toEqual(all.slice(1, 3));
      expect((await subject.readAll({ maxCount: 1 })).map((e) => e.position)).toEqual([all[0]]);
      expect(await subject.readAll({ afterPosition: all[2] })).toEqual([]);
    });

    it('filters by stream prefix client-side, across many non-matching events', async () => {
      const wanted = await subject.append('recon-x', [event()], 'no_stream');
      for (let i = 0; i < 30; i++) await subject.append(`other-${i}`, [event()], 'no_stream');
      const later = await subject.append('recon-x', [event()], 0n);
      const read = await subject.readAll({ streamPrefixes: ['recon-'], maxCount: 5 });
      expect(read.map((e) => e.position)).toEqual([wanted.positions[0], later.positions[0]]);
      expect(await subject.readAll({ streamPrefixes: [] })).toEqual([]);
    });

    it('uses the store’s default prefixes when a read names none', async () => {
      const scoped = store(fake, ['ledger-', 'audit-', 'recon-']);
      const mine = await scoped.append('audit-t1', [event()], 'no_stream');
      await scoped.append('tenants-t1', [event()], 'no_stream');
      expect((await scoped.readAll()).map((e) => e.position)).toEqual([mine.positions[0]]);
      expect(await scoped.headPosition()).toBe(mine.positions[0]);
      expect((await scoped.readAll({ streamPrefixes: ['tenants-'] })).map((e) => e.stream_id)).toEqual(['tenants-t1']);
      await scoped.close();
    });
  });

  describe('readAt, readLastEvent, countEvents', () => {
    it('reads the event at exactly a position, and nothing where a reader of $all sees none', async () => {
      const { positions } = await subject.append('ledger-t1', [event('a.one'), event('a.two')], 'no_stream');
      expect((await subject.readAt(positions[1]))?.type).toBe('a.two');
      expect((await subject.readAt(positions[0]))?.type).toBe('a.one');
      expect(await subject.readAt(positions[0] + 1n)).toBeNull(); // between two events
      expect(await subject.readAt(0n)).toBeNull();
      const system = fake.log[0];
      expect(await subject.readAt(encodePosition(system.position))).toBeNull();
    });

    it('reads the last event of a stream backwards, null for a missing stream', async () => {
      await subject.append('ledger-t1', [event('a.one'), event('a.two'), event('a.three')], 'no_stream');
      const last = await subject.readLastEvent('ledger-t1');
      expect(last).toMatchObject({ type: 'a.three', revision: 2n });
      expect(await subject.readLastEvent('ledger-nobody')).toBeNull();
    });

    it('counts the events a reader sees between two positions (not their offsets), up to a cap', async () => {
      const { positions } = await subject.append('ledger-t1', [event(), event(), event(), event()], 'no_stream');
      fake.system('$stats-127.0.0.1:2113', '$statsCollected');
      const more = await subject.append('ledger-t1', [event()], 3n);
      const head = more.positions[0];
      expect(head - positions[0]).toBeGreaterThan(4n); // offsets are far apart
      expect(await subject.countEvents(positions[0], head, 100n)).toBe(4n);
      expect(await subject.countEvents(0n, head, 100n)).toBe(5n);
      expect(await subject.countEvents(positions[1], positions[2], 100n)).toBe(1n);
      expect(await subject.countEvents(0n, head, 2n)).toBe(2n);
      expect(await subject.countEvents(head, head, 100n)).toBe(0n);
    });
  });

  describe('headPosition', () => {
    it('is 0n for a log with only system events, else the last event a reader sees', async () => {
      expect(await subject.headPosition()).toBe(0n);
      const { positions } = await subject.append('ledger-t1', [event(), event()], 'no_stream');
      for (let i = 0; i < 250; i++) fake.system('$stats-127.0.0.1:2113', '$statsCollected');
      expect(await subject.headPosition()).toBe(positions[1]);
      expect(await subject.readAll({ afterPosition: await subject.headPosition() })).toEqual([]);
    });
  });

  describe('subscribeToAll', () => {

    it('catches up after the position, then delivers live events in batches, excluding system events on the server', async () => {
      const first = await subject.append('ledger-t1', [event(), event(), event()], 'no_stream');
      const sub = record({ afterPosition: first.positions[0] - 1n, batchSize: 2 });
      expect(fake.calls).toContain('subscribe eventType');
      await eventually(() => sub.events.length === 3, 'catch-up');
      fake.system('$stats-127.0.0.1:2113', '$statsCollected');
      const live = await subject.append('ledger-t1', [event(), event(), event()], 2n);
      await eventually(() => sub.events.length === 6, 'live delivery');
      expect(sub.events.map((e) => e.position)).toEqual([...first.positions, ...live.positions]);
      expect(sub.batches.every((n) => n >= 1 && n <= 2)).toBe(true);

      await sub.subscription.stop();
      await expect(sub.subscription.done).resolves.toBeUndefined();
      await subject.append('ledger-t1', [event()], 5n);
      await new Promise((r) => setTimeout(r, 30));
      expect(sub.events).toHaveLength(6);
    });

    it('starts strictly after the position given and filters on stream prefixes on the server', async () => {
      const a = await subject.append('ledger-t1', [event()], 'no_stream');
      await subject.append('other-t1', [event()], 'no_stream');
      const sub = record({ afterPosition: a.positions[0], streamPrefixes: ['ledger-'] });
      expect(fake.calls).toContain('subscribe streamName');
      const b = await subject.append('ledger-t1', [event()], 0n);
      await subject.append('other-t1', [event()], 0n);
      await eventually(() => sub.events.length >= 1, 'filtered delivery');
      await new Promise((r) => setTimeout(r, 30));
      expect(sub.events.map((e) => e.position)).toEqual(b.positions);
    });

    it("ends with the handler's error and calls it no more", async () => {
      await subject.append('ledger-t1', [event(), event()], 'no_stream');
      const boom = new Error('handler failed');
      let calls = 0;
      const subscription = subject.subscribeToAll({ batchSize: 1 }, async () => {
        calls++;
        throw boom;
      });
      subscriptions.push(subscription);
      await expect(subscription.done).rejects.toBe(boom);
      await new Promise((r) => setTimeout(r, 30));
      expect(calls).toBe(1);
      await subscription.stop();
    });

    it('ends with EventStoreUnavailableError when the server drops it', async () => {
      const sub = record({});
      fake.failSubscriptions(Object.assign(new Error('14 UNAVAILABLE: Connection dropped'), { type: 'unavailable' }));
      await expect(sub.subscription.done).rejects.toMatchObject({ name: 'EventStoreUnavailableError' });
    });

    it('stops promptly when idle, and close() stops what is still running', async () => {
      const sub = record({ afterPosition: await subject.headPosition() });
      const started = Date.now();
      await sub.subscription.stop();
      expect(Date.now() - started).toBeLessThan(500);
      const other = record({});
      await subject.close();
      await expect(other.subscription.done).resolves.toBeUndefined();
    });
  });

  describe('what a real server does that a first deployment would meet (issue 25)', () => {
    const pair = (commit: bigint, prepare: bigint) => encodePosition({ commit, prepare });

    it('settles positions no event can have instead of sending them (the server throws for them)', async () => {
      const { positions } = await subject.append('ledger-t1', [event('a.one'), event('a.two')], 'no_stream');
      const first = decodePosition(positions[0]);
      const inside = pair(first.commit, first.commit + 5n); // prepare > commit
      const beyond = pair(1n << 63n, 0n); // commit >= 2^63
      // readAt (the evidence route's user-supplied position): not found, not an error.
      expect(await subject.readAt(inside)).toBeNull();
      expect(await subject.readAt(beyond)).toBeNull();
      expect(await subject.readAt(pair(INT64_MAX, INT64_MAX))).toBeNull(); // a position past the end
      // Reads and subscriptions from such a cursor: what is strictly after it.
      expect((await subject.readAll({ afterPosition: inside })).map((e) => e.position)).toEqual([positions[1]]);
      expect(await subject.readAll({ afterPosition: beyond })).toEqual([]);
      expect(await subject.countEvents(inside, positions[1], 10n)).toBe(1n);
      const sub = record({ afterPosition: inside });
      await eventually(() => sub.events.length === 1, 'delivery after an odd cursor');
      expect(sub.events[0].position).toBe(positions[1]);
      const late = record({ afterPosition: beyond });
      await subject.append('ledger-t1', [event()], 1n);
      await eventually(() => sub.events.length === 2, 'live delivery');
      expect(late.events).toEqual([]);
      await late.subscription.stop();
      await expect(late.subscription.done).resolves.toBeUndefined();
    });

    it('answers a refused append that the client reports as success: false (throwOnAppendFailure=false) as WrongExpectedVersionError', async () => {
      fake.throwOnAppendFailure = false;
      await subject.append('ledger-t1', [event(), event(), event()], 'no_stream');
      const error = await subject.append('ledger-t1', [event()], 0n).catch((e) => e);
      expect(error).toBeInstanceOf(WrongExpectedVersionError);
      expect(error).toMatchObject({ stream_id: 'ledger-t1', expected: 0n, actual: 2n });
      const missing = await subject.append('ledger-none', [event()], 4n).catch((e) => e);
      expect(missing).toMatchObject({ name: 'WrongExpectedVersionError', actual: 'no_stream' });
    });

    it('reads the append back from the leader (a follower may not have it yet)', async () => {
      await subject.append('ledger-t1', [event()], 'no_stream');
      fake.followerSees = fake.log.length; // the follower stops here
      const { revisions } = await subject.append('ledger-t1', [event(), event()], 0n);
      expect(revisions).toEqual([1n, 2n]);
      expect(fake.readStreamOptions[fake.readStreamOptions.length - 1]).toMatchObject({ requiresLeader: true });
    });

    it('gives up on a read that stops answering (the client sends reads with no deadline) with a retryable error', async () => {
      const stalling = store(fake, undefined, { readStallMs: 50 });
      fake.stallReads = true;
      await expect(stalling.readAll()).rejects.toMatchObject({ name: 'EventStoreUnavailableError', message: expect.stringContaining('no answer within 50 ms') });
      await expect(stalling.headPosition()).rejects.toMatchObject({ name: 'EventStoreUnavailableError' });
      await expect(stalling.ping(50)).rejects.toMatchObject({ name: 'EventStoreUnavailableError' });
      fake.stallReads = false;
      expect(await stalling.readAll()).toEqual([]);
      await stalling.close();
    });

    it(`looks through at most ${HEAD_SCAN_EVENTS_MAX} events for the head, then answers the highest it knows`, async () => {
      const other = store(fake);
      const elsewhere = await other.append('ledger-t2', [event()], 'no_stream');
      for (let i = 0; i <= HEAD_SCAN_EVENTS_MAX; i++) fake.system('$stats-127.0.0.1:2113', '$statsCollected');
      const scanned = () =>
        fake.calls.filter((c) => c.startsWith('readAll backwards')).reduce((sum, c) => sum + Number(c.split(' ').pop()), 0);
      expect(await subject.headPosition()).toBe(0n); // nothing this store knows; the scan stopped
      expect(scanned()).toBeLessThanOrEqual(HEAD_SCAN_EVENTS_MAX);
      expect(await other.headPosition()).toBe(elsewhere.positions[0]); // it appended that one
      const mine = await subject.append('ledger-t1', [event()], 'no_stream');
      for (let i = 0; i <= HEAD_SCAN_EVENTS_MAX; i++) fake.system('$stats-127.0.0.1:2113', '$statsCollected');
      expect(await subject.headPosition()).toBe(mine.positions[0]);
      await other.close();
    });

    it('refuses an append over the server\'s MaxAppendSize before sending it, counting as the server does', async () => {
      const small = store(fake, undefined, { appendBytesMax: 1000 });
      // Event.SizeOnDisk: UTF-8 data + metadata + 2 x type length.
      const error = await small.append('ledger-t1', [event('t', { note: 'é'.repeat(600) })], 'no_stream').catch((e) => e);
      expect(error?.message).toMatch(/append to ledger-t1 is \d+ bytes; EventStoreDB takes at most 1000 per append/);
      expect(fake.calls.filter((c) => c.startsWith('append'))).toEqual([]);
      expect((await small.append('ledger-t1', [event('t', { note: 'e'.repeat(600) })], 'no_stream')).revisions).toEqual([0n]); // same length, 1 byte each
      await small.close();
    });

    it('hands on the filtered subscription\'s checkpoints in order with the batches, so a restart need not rescan what the filter skipped', async () => {
      const mine = await subject.append('ledger-t1', [event(), event()], 'no_stream');
      const seen: string[] = [];
      const subscription = subject.subscribeToAll(
        { streamPrefixes: ['ledger-'], batchSize: 10, onCheckpoint: async (position) => void seen.push(`checkpoint ${position}`) },
        async (batch) => void seen.push(...batch.map((e) => `event ${e.position}`)),
      );
      subscriptions.push(subscription);
      await eventually(() => seen.length === 2, 'catch-up');
      for (let i = 0; i < 5; i++) await subject.append(`other-${i}`, [event()], 'no_stream');
      fake.system('$stats-127.0.0.1:2113', '$statsCollected');
      const skippedTo = encodePosition(fake.log[fake.log.length - 1].position);
      await fake.checkpoint();
      await eventually(() => seen.length === 3, 'the checkpoint');
      const later = await subject.append('ledger-t1', [event()], 1n);
      await eventually(() => seen.length === 4, 'the next event');
      await fake.checkpoint(); // at the event just delivered: nothing new to store
      await subject.append('ledger-t1', [event()], 2n);
      await eventually(() => seen.length === 5, 'one more event');
      expect(seen.slice(0, 4)).toEqual([...mine.positions.map((p) => `event ${p}`), `checkpoint ${skippedTo}`, `event ${later.positions[0]}`]);
      expect(seen.filter((line) => line.startsWith('checkpoint'))).toHaveLength(1);
    });
  });
});
