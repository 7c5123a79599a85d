// Over 300 lines on purpose: the one contract suite every event-store adapter runs.
/**
 * The EventStore contract (event-store.port.ts): one suite that every adapter runs.
 *
 *   describeEventStoreContract('PostgresEventStore', async () => {
 *     const store = new PostgresEventStore(pool);
 *     return { store, cleanup: () => store.close() };
 *   });
 *
 * The factory is called before every test (and once more per concurrent appender in the
 * concurrency test); `cleanup` is called after it. Every test writes to streams whose ids
 * carry a random suffix, so adapters that share one server (and earlier tests' events) do
 * not disturb it: assertions about $all only look at the test's own streams, except that
 * positions must be strictly increasing over everything a reader sees.
 *
 * Readers of $all may lag a commit (the PostgreSQL adapter stops below the oldest
 * transaction in flight anywhere on the server), so assertions that need a just-written
 * event to be readable poll until it is, with a deadline.
 *
 * Jest's functions are imported rather than taken from the ambient globals because this
 * file is compiled with the library, which has no Jest types.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it as jestIt } from '@jest/globals';
import {
  EventStore,
  ExpectedRevision,
  NewEvent,
  ReadAllOptions,
  RecordedEvent,
  Subscription,
  WrongExpectedVersionError,
} from '../event-store.port.js';

export interface EventStoreContractSubject {
  store: EventStore;
  cleanup: () => Promise<void>;
}

export type EventStoreContractFactory = () => Promise<EventStoreContractSubject>;

/** Where adapters legitimately differ, from the log underneath. */
export interface EventStoreContractOptions {
  /**
   * true (PostgreSQL): an event id is refused in any later append, to any stream.
   * false (EventStoreDB, which keeps no global id index): a retried append of the same events at
   * the same expected revision is idempotent instead; ids are still unique within one append.
   */
  eventIdsUniqueAcrossAppends: boolean;
}

/** Per test; set here because Jest ignores a project's testTimeout. */
const TEST_TIMEOUT_MS = 30_000;
const CONCURRENCY_TEST_TIMEOUT_MS = 120_000;

function it(name: string, fn: () => Promise<void>, timeoutMs = TEST_TIMEOUT_MS): void {
  jestIt(name, fn, timeoutMs);
}

/** How long a test waits for something that must happen "eventually". */
const EVENTUALLY_MS = 15_000;
/** How long a test watches for something that must not happen. */
const QUIET_MS = 600;

function suffix(): string {
  return randomBytes(5).toString('hex');
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = EVENTUALLY_MS,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

export function newEvent(type = 'test.happened', data: unknown = {}, metadata: Record<string, unknown> = {}): NewEvent {
  return { id: randomUUID(), type, data, metadata };
}

export function newEvents(count: number, type = 'test.happened'): NewEvent[] {
  return Array.from({ length: count }, (_, i) => newEvent(type, { i }));
}

/**
 * Pages through $all after `afterPosition` until every id in `ids` has been read (or the
 * deadline passes), returning everything read, in the order read.
 */
export async function readAllUntil(
  store: EventStore,
  ids: Iterable<string>,
  options: ReadAllOptions = {},
  timeoutMs = EVENTUALLY_MS,
): Promise<RecordedEvent[]> {
  const missing = new Set(ids);
  const read: RecordedEvent[] = [];
  let position = options.afterPosition ?? 0n;
  const deadline = Date.now() + timeoutMs;
  while (missing.size > 0) {
    const page = await store.readAll({ ...options, afterPosition: position, maxCount: options.maxCount ?? 500 });
    for (const event of page) {
      read.push(event);
      missing.delete(event.id);
    }
    if (page.length > 0) {
      position = page[page.length - 1].position;
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(`readAll after ${String(options.afterPosition ?? 0n)} never returned ${missing.size} event(s), e.g. ${[...missing][0]}`);
    }
    await sleep(20);
  }
  return read;
}

export function expectStrictlyIncreasing(positions: bigint[]): void {
  for (let i = 1; i < positions.length; i++) {
    if (positions[i] <= positions[i - 1]) {
      throw new Error(`position ${positions[i]} at index ${i} does not follow ${positions[i - 1]}`);
    }
  }
}

async function expectWrongExpectedVersion(
  attempt: Promise<unknown>,
  streamId: string,
  expected: ExpectedRevision,
  actual: bigint | 'no_stream',
): Promise<void> {
  const error = await attempt.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WrongExpectedVersionError);
  const wrong = error as WrongExpectedVersionError;
  expect(wrong).toBeInstanceOf(Error);
  expect(wrong.name).toBe('WrongExpectedVersionError');
  expect(wrong.stream_id).toBe(streamId);
  expect(wrong.expected).toBe(expected);
  expect(wrong.actual).toBe(actual);
}

/** A subscription that records what its handler is given. */
interface Recorder {
  subscription: Subscription;
  events: RecordedEvent[];
  batches: number[];
  has: (ids: Iterable<string>) => boolean;
}

function record(store: EventStore, options: Parameters<EventStore['subscribeToAll']>[0]): Recorder {
  const events: RecordedEvent[] = [];
  const batches: number[] = [];
  const subscription = store.subscribeToAll(options, async (batch) => {
    batches.push(batch.length);
    events.push(...batch);
  });
  return {
    subscription,
    events,
    batches,
    has: (ids) => {
      const seen = new Set(events.map((e) => e.id));
      for (const id of ids) if (!seen.has(id)) return false;
      return true;
    },
  };
}

export function describeEventStoreContract(
  name: string,
  factory: EventStoreContractFactory,
  options: EventStoreContractOptions = { eventIdsUniqueAcrossAppends: true },
): void {
  describe(`EventStore contract: ${name}`, () => {
    const run = `contract_${suffix()}`;
    let subject: EventStoreContractSubject;
    let store: EventStore;
    const subscriptions: Subscription[] = [];
    const extraSubjects: EventStoreContractSubject[] = [];

    /** A stream id no other test (or adapter run) uses. */
    const stream = (label = 's') => `${run}-${label}-${suffix()}`;

    const subscribe = (options: Parameters<EventStore['subscribeToAll']>[0]): Recorder => {
      const recorder = record(store, options);
      subscriptions.push(recorder.subscription);
      return recorder;
    };

    beforeEach(async () => {
      subject = await factory();
      store = subject.store;
    });

    afterEach(async () => {
      for (const s of subscriptions.splice(0)) await s.stop();
      for (const s of extraSubjects.splice(0)) await s.cleanup();
      await subject.cleanup();
    });

    describe('append', () => {
      it("appends to a new stream with 'no_stream'", async () => {
        const id = stream();
        const event = newEvent('account.created', { account_id: 'a-1' }, { tenant_id: 't-1' });
        const result = await store.append(id, [event], 'no_stream');

        expect(result.next_expected_revision).toBe(0n);
        expect(result.revisions).toEqual([0n]);
        expect(result.positions).toHaveLength(1);
        expect(result.positions[0]).toBeGreaterThan(0n);

        const read = await store.readStream(id);
        expect(read).toHaveLength(1);
        expect(read[0]).toMatchObject({
          id: event.id,
          stream_id: id,
          revision: 0n,
          position: result.positions[0],
          type: 'account.created',
          data: { account_id: 'a-1' },
          metadata: { tenant_id: 't-1' },
        });
        expect(read[0].created_at).toBeInstanceOf(Date);
        expect(Number.isNaN(read[0].created_at.getTime())).toBe(false);
      });

      it("rejects 'no_stream' on an existing stream with a typed WrongExpectedVersionError", async () => {
        const id = stream();
        await store.append(id, [newEvent()], 'no_stream');

        await expectWrongExpectedVersion(store.append(id, [newEvent()], 'no_stream'), id, 'no_stream', 0n);

        await store.append(id, [newEvent()], 0n);
        await expectWrongExpectedVersion(store.append(id, newEvents(2), 'no_stream'), id, 'no_stream', 1n);
        expect((await store.readStream(id)).map((e) => e.revision)).toEqual([0n, 1n]);
      });

      it('appends at an exact expected revision', async () => {
        const id = stream();
        const first = await store.append(id, newEvents(2), 'no_stream');
        expect(first.next_expected_revision).toBe(1n);

        const second = await store.append(id, [newEvent()], 1n);
        expect(second.next_expected_revision).toBe(2n);
        expect(second.revisions).toEqual([2n]);

        const third = await store.append(id, newEvents(2), second.next_expected_revision);
        expect(third.revisions).toEqual([3n, 4n]);
        expect((await store.readStream(id)).map((e) => e.revision)).toEqual([0n, 1n, 2n, 3n, 4n]);
      });

      it('rejects a mismatched exact revision and writes nothing', async () => {
        const id = stream();
        await store.append(id, newEvents(2), 'no_stream'); // revision 1

        await expectWrongExpectedVersion(store.append(id, [newEvent()], 0n), id, 0n, 1n);
        await expectWrongExpectedVersion(store.append(id, newEvents(3), 5n), id, 5n, 1n);
        expect(await store.readStream(id)).toHaveLength(2);

        const missing = stream('missing');
        await expectWrongExpectedVersion(store.append(missing, [newEvent()], 0n), missing, 0n, 'no_stream');
        expect(await store.readStream(missing)).toEqual([]);
        // The failed append did not create the stream.
        expect((await store.append(missing, [newEvent()], 'no_stream')).next_expected_revision).toBe(0n);
      });

      it("appends with 'any' whether or not the stream exists", async () => {
        const id = stream();
        expect((await store.append(id, [newEvent()], 'any')).revisions).toEqual([0n]);
        expect((await store.append(id, newEvents(2), 'any')).revisions).toEqual([1n, 2n]);
        expect((await store.append(id, [newEvent()], 'any')).next_expected_revision).toBe(3n);
        expect((await store.readStream(id)).map((e) => e.revision)).toEqual([0n, 1n, 2n, 3n]);
      });

      it('gives a multi-event append consecutive revisions and increasing positions', async () => {
        const id = stream();
        const first = await store.append(id, newEvents(3), 'no_stream');
        expect(first.revisions).toEqual([0n, 1n, 2n]);
        expect(first.next_expected_revision).toBe(2n);
        expectStrictlyIncreasing(first.positions);

        const events = newEvents(4);
        const second = await store.append(id, events, 2n);
        expect(second.revisions).toEqual([3n, 4n, 5n, 6n]);
        expect(second.next_expected_revision).toBe(6n);
        expectStrictlyIncreasing([...first.positions, ...second.positions]);

        const read = await store.readStream(id);
        expect(read.map((e) => e.revision)).toEqual([0n, 1n, 2n, 3n, 4n, 5n, 6n]);
        expect(read.map((e) => e.position)).toEqual([...first.positions, ...second.positions]);
        expect(read.slice(3).map((e) => e.id)).toEqual(events.map((e) => e.id));
        expect(read.slice(3).map((e) => e.data)).toEqual([{ i: 0 }, { i: 1 }, { i: 2 }, { i: 3 }]);
      });
    });

    describe('readStream', () => {
      it('reads from a revision with maxCount', async () => {
        const id = stream();
        const events = newEvents(10);
        await store.append(id, events.slice(0, 4), 'no_stream');
        await store.append(id, events.slice(4), 3n);

        const all = await store.readStream(id);
        expect(all.map((e) => e.id)).toEqual(events.map((e) => e.id));
        expect(all.map((e) => e.revision)).toEqual(events.map((_, i) => BigInt(i)));
        expect(all.every((e) => e.stream_id === id)).toBe(true);

        const page = await store.readStream(id, { fromRevision: 3n, maxCount: 4 });
        expect(page.map((e) => e.revision)).toEqual([3n, 4n, 5n, 6n]);
        expect(page.map((e) => e.id)).toEqual(events.slice(3, 7).map((e) => e.id));

        expect((await store.readStream(id, { fromRevision: 8n })).map((e) => e.revision)).toEqual([8n, 9n]);
        expect((await store.readStream(id, { maxCount: 2 })).map((e) => e.revision)).toEqual([0n, 1n]);
        expect(await store.readStream(id, { fromRevision: 10n })).toEqual([]);
      });

      it('reads a missing stream as empty', async () => {
        expect(await store.readStream(stream('missing'))).toEqual([]);
        expect(await store.readStream(stream('missing'), { fromRevision: 5n, maxCount: 3 })).toEqual([]);
      });
    });

    describe('readAll', () => {
      it('returns events after a position in increasing position order, with maxCount', async () => {
        const streams = [stream('a'), stream('b'), stream('c')];
        const appended: { id: string; position: bigint; stream_id: string }[] = [];
        for (let round = 0; round < 3; round++) {
          for (const [i, id] of streams.entries()) {
            const events = newEvents(i + 1);
            const result = await store.append(id, events, 'any');
            events.forEach((e, k) => appended.push({ id: e.id, position: result.positions[k], stream_id: id }));
          }
        }
        expectStrictlyIncreasing(appended.map((a) => a.position));
        const start = appended[0].position - 1n;

        // Paging with a small maxCount reads every event once, in order.
        const paged = await readAllUntil(store, appended.map((a) => a.id), { afterPosition: start, maxCount: 4 });
        expectStrictlyIncreasing(paged.map((e) => e.position));
        expect(paged.every((e) => e.position > start)).toBe(true);
        const mine = paged.filter((e) => streams.includes(e.stream_id));
        expect(mine.map((e) => e.id)).toEqual(appended.map((a) => a.id));
        expect(mine.map((e) => e.position)).toEqual(appended.map((a) => a.position));

        const page = await store.readAll({ afterPosition: start, maxCount: 4 });
        expect(page).toHaveLength(4);
        expectStrictlyIncreasing(page.map((e) => e.position));
        expect(page[0].id).toBe(appended[0].id);

        // Strictly after: the event at the given position is not returned.
        const pivot = appended[5];
        const after = await store.readAll({ afterPosition: pivot.position, maxCount: 1000 });
        expect(after.every((e) => e.position > pivot.position)).toBe(true);
        expect(after.filter((e) => streams.includes(e.stream_id)).map((e) => e.id)).toEqual(
          appended.slice(6).map((a) => a.id),
        );

        // Without afterPosition: from the start of the log.
        const head = await store.readAll({ maxCount: 3 });
        expect(head.length).toBeGreaterThan(0);
        expect(head.length).toBeLessThanOrEqual(3);
        expectStrictlyIncreasing(head.map((e) => e.position));
        expect(head[0].position).toBeLessThanOrEqual(appended[0].position);
        expect(await store.readAll({ afterPosition: 0n, maxCount: 3 })).toEqual(head);
      });

      it('filters by stream prefix', async () => {
        const base = stream('prefix');
        const ids = {
          a1: `${base}-a-1`,
          a2: `${base}-a-2`,
          b1: `${base}-b-1`,
          c1: `${base}-c-1`,
          // LIKE-style wildcards in a prefix match only themselves.
          under: `${base}-u_x`,
          notUnder: `${base}-uzx`,
          percent: `${base}-p%x`,
          notPercent: `${base}-pzzx`,
        };
        const positions = new Map<string, bigint>();
        const eventIds: string[] = [];
        for (const id of [ids.a1, ids.b1, ids.a2, ids.c1, ids.under, ids.notUnder, ids.percent, ids.notPercent, ids.a1]) {
          const event = newEvent();
          const result = await store.append(id, [event], 'any');
          positions.set(event.id, result.positions[0]);
          eventIds.push(event.id);
        }
        const start = positions.get(eventIds[0])! - 1n;
        await readAllUntil(store, eventIds, { afterPosition: start });

        const streamsOf = (events: RecordedEvent[]) => events.map((e) => e.stream_id);

        const onlyA = await store.readAll({ afterPosition: start, streamPrefixes: [`${base}-a-`] });
        expect(streamsOf(onlyA)).toEqual([ids.a1, ids.a2, ids.a1]);
        expectStrictlyIncreasing(onlyA.map((e) => e.position));

        const aAndC = await store.readAll({ afterPosition: start, streamPrefixes: [`${base}-a-`, `${base}-c-`] });
        expect(streamsOf(aAndC)).toEqual([ids.a1, ids.a2, ids.c1, ids.a1]);

        const limited = await store.readAll({ afterPosition: start, streamPrefixes: [`${base}-a-`], maxCount: 2 });
        expect(streamsOf(limited)).toEqual([ids.a1, ids.a2]);
        const rest = await store.readAll({ afterPosition: limited[1].position, streamPrefixes: [`${base}-a-`] });
        expect(streamsOf(rest)).toEqual([ids.a1]);

        expect(streamsOf(await store.readAll({ afterPosition: start, streamPrefixes: [`${base}-u_`] }))).toEqual([ids.under]);
        expect(streamsOf(await store.readAll({ afterPosition: start, streamPrefixes: [`${base}-p%`] }))).toEqual([ids.percent]);
        expect(await store.readAll({ afterPosition: start, streamPrefixes: [`${base}-nothing-`] })).toEqual([]);

        const all = await store.readAll({ afterPosition: start, streamPrefixes: [base] });
        expect(all.map((e) => e.id)).toEqual(eventIds);
      });
    });

    describe('events', () => {
      it('preserves event ids and round-trips data and metadata as JSON', async () => {
        const id = stream();
        const data = {
          amount_minor: '123456789012345678901234567890', // bigint values travel as strings
          currency: 'EUR',
          rate: 1.25,
          negative: -42,
          zero: 0,
          flag: true,
          off: false,
          nothing: null,
          text: 'zł€ 😀 "quoted" \\ back\\slash\nnewline',
          nested: { list: [1, 'two', null, { deep: [true, { deeper: 'yes' }] }], empty: {}, none: [] },
        };
        const metadata = { tenant_id: 't-1', correlation_id: randomUUID(), causation_id: null, actor: { kind: 'api', scopes: ['a', 'b'] } };
        const events = [newEvent('transfer.posted', data, metadata), newEvent('empty', {}, {})];
        const result = await store.append(id, events, 'no_stream');

        const fromStream = await store.readStream(id);
        expect(fromStream.map((e) => e.id)).toEqual(events.map((e) => e.id));
        expect(fromStream.map((e) => e.type)).toEqual(['transfer.posted', 'empty']);
        expect(fromStream[0].data).toEqual(data);
        expect(fromStream[0].metadata).toEqual(metadata);
        expect(fromStream[1].data).toEqual({});
        expect(fromStream[1].metadata).toEqual({});
        expect(typeof fromStream[0].data.amount_minor).toBe('string');
        expect(BigInt(fromStream[0].data.amount_minor)).toBe(123456789012345678901234567890n);

        const fromAll = (await readAllUntil(store, [events[1].id], { afterPosition: result.positions[0] - 1n })).filter(
          (e) => e.stream_id === id,
        );
        expect(fromAll.map((e) => ({ id: e.id, type: e.type, data: e.data, metadata: e.metadata }))).toEqual(
          fromStream.map((e) => ({ id: e.id, type: e.type, data: e.data, metadata: e.metadata })),
        );
      });

      it('rejects bigint values in data (they must be sent as strings) and writes nothing', async () => {
        const id = stream();
        await expect(store.append(id, [newEvent('t', { amount: 1n })], 'no_stream')).rejects.toThrow();
        await expect(store.append(id, [newEvent('t', {}, { amount: 1n })], 'no_stream')).rejects.toThrow();
        expect(await store.readStream(id)).toEqual([]);
      });

      it('refuses the same event id twice within one append, writing nothing', async () => {
        const id = stream();
        const twice = newEvent();
        await expect(store.append(id, [newEvent(), twice, { ...twice }], 'any')).rejects.toThrow();
        expect(await store.readStream(id)).toEqual([]);
      });

      if (!options.eventIdsUniqueAcrossAppends) {
        it('makes a retried append (same events, same expected revision) idempotent', async () => {
          const id = stream();
          const events = newEvents(2);
          const first = await store.append(id, events, 'no_stream');
          const retried = await store.append(id, events, 'no_stream');
          expect(retried.revisions).toEqual(first.revisions);
          expect(retried.positions).toEqual(first.positions);
          expect((await store.readStream(id)).map((e) => e.id)).toEqual(events.map((e) => e.id));
        });
      } else {
        it('rejects a duplicate event id, atomically', async () => {
          const id = stream();
          const event = newEvent();
          await store.append(id, [event], 'no_stream');

          // Again on the same stream, at the right revision.
          await expect(store.append(id, [{ ...event, type: 'again' }], 0n)).rejects.toThrow();
          // On another stream.
          const other = stream('other');
          await expect(store.append(other, [{ ...event }], 'no_stream')).rejects.toThrow();
          // As the last of several events: none of them is written.
          await expect(store.append(id, [newEvent(), newEvent(), { ...event }], 0n)).rejects.toThrow();
          // Twice within one append.
          const twice = newEvent();
          await expect(store.append(other, [twice, { ...twice }], 'any')).rejects.toThrow();

          expect((await store.readStream(id)).map((e) => e.id)).toEqual([event.id]);
          expect(await store.readStream(other)).toEqual([]);
          // The stream is still at revision 0 and takes the next append.
          expect((await store.append(id, [newEvent()], 0n)).revisions).toEqual([1n]);
          expect((await store.append(other, [newEvent()], 'no_stream')).revisions).toEqual([0n]);
        });
      }
    });

    describe('subscribeToAll', () => {
      it('catches up, then delivers live events, until stopped', async () => {
        const id = stream();
        const before = newEvents(3);
        const first = await store.append(id, before, 'no_stream');
        const start = first.positions[0] - 1n;

        const sub = subscribe({ afterPosition: start, batchSize: 2 });
        await eventually('catch-up', () => (sub.has(before.map((e) => e.id)) ? true : undefined));

        const live = newEvents(2);
        await store.append(id, live.slice(0, 1), 2n);
        await store.append(stream('other'), [newEvent()], 'no_stream');
        await store.append(id, live.slice(1), 3n);
        await eventually('live delivery', () => (sub.has(live.map((e) => e.id)) ? true : undefined));

        expectStrictlyIncreasing(sub.events.map((e) => e.position));
        expect(sub.events.every((e) => e.position > start)).toBe(true);
        expect(sub.events.filter((e) => e.stream_id === id).map((e) => e.id)).toEqual([...before, ...live].map((e) => e.id));
        expect(sub.batches.every((n) => n >= 1 && n <= 2)).toBe(true);

        await sub.subscription.stop();
        await expect(sub.subscription.done).resolves.toBeUndefined();
        const seen = sub.events.length;
        const late = newEvent();
        await store.append(id, [late], 4n);
        await readAllUntil(store, [late.id], { afterPosition: start });
        await sleep(QUIET_MS);
        expect(sub.events).toHaveLength(seen);
        expect(sub.events.some((e) => e.id === late.id)).toBe(false);
      });

      it('delivers only the streams matching its prefixes', async () => {
        const base = stream('filtered');
        const wanted = `${base}-yes`;
        const unwanted = `${base}-no`;
        const start = (await store.append(unwanted, [newEvent()], 'no_stream')).positions[0] - 1n;
        const sub = subscribe({ afterPosition: start, streamPrefixes: [`${base}-yes`], batchSize: 3 });
        const expected: string[] = [];
        for (let i = 0; i < 4; i++) {
          const events = newEvents(2);
          await store.append(wanted, events, 'any');
          await store.append(unwanted, [newEvent()], 'any');
          expected.push(...events.map((e) => e.id));
        }
        await eventually('filtered delivery', () => (sub.has(expected) ? true : undefined));
        await sleep(QUIET_MS);
        expect(sub.events.map((e) => e.id)).toEqual(expected);
        expect(sub.batches.every((n) => n >= 1 && n <= 3)).toBe(true);
      });

      it("ends with the handler's error", async () => {
        const id = stream();
        const start = (await store.append(id, [newEvent()], 'no_stream')).positions[0] - 1n;
        const boom = new Error('handler failed');
        let calls = 0;
        const subscription = store.subscribeToAll({ afterPosition: start }, async () => {
          calls++;
          throw boom;
        });
        subscriptions.push(subscription);
        await expect(subscription.done).rejects.toBe(boom);
        await sleep(QUIET_MS);
        expect(calls).toBe(1);
        await subscription.stop(); // still safe to call
      });

      it('stops promptly when idle', async () => {
        const head = await store.headPosition();
        const sub = subscribe({ afterPosition: head });
        await sleep(50);
        const started = Date.now();
        await sub.subscription.stop();
        await sub.subscription.done;
        expect(Date.now() - started).toBeLessThan(2_000);
      });
    });

    describe('readAt, readLastEvent, countEvents', () => {
      it('reads the event at exactly a position, and null where there is none', async () => {
        const id = stream();
        const events = newEvents(2);
        const { positions } = await store.append(id, events, 'no_stream');
        const at = await eventually('the append to be readable', () => store.readAt(positions[1]).then((e) => e ?? undefined));
        expect(at).toMatchObject({ id: events[1].id, stream_id: id, revision: 1n, position: positions[1] });
        expect((await store.readAt(positions[0]))?.id).toBe(events[0].id);
        expect(await store.readAt(0n)).toBeNull();
        expect(await store.readAt(positions[1] + (1n << 100n))).toBeNull();
      });

      it('reads the last event of a stream, and null for a missing stream', async () => {
        const id = stream();
        const events = newEvents(3);
        await store.append(id, events.slice(0, 2), 'no_stream');
        await store.append(id, events.slice(2), 1n);
        expect(await store.readLastEvent(id)).toMatchObject({ id: events[2].id, revision: 2n });
        expect(await store.readLastEvent(stream('missing'))).toBeNull();
      });

      it('counts the events between two positions, up to a cap', async () => {
        const id = stream();
        const { positions } = await store.append(id, newEvents(4), 'no_stream');
        await eventually('the append to be readable', async () => ((await store.headPosition()) >= positions[3] ? true : undefined));
        // Other tests' appends may fall between; at least our own are counted.
        expect(await store.countEvents(positions[0], positions[3], 1000n)).toBeGreaterThanOrEqual(3n);
        expect(await store.countEvents(positions[0], positions[3], 2n)).toBe(2n);
        expect(await store.countEvents(positions[3], positions[3], 1000n)).toBe(0n);
        expect(await store.countEvents(positions[3], positions[0], 1000n)).toBe(0n);
      });
    });

    describe('headPosition', () => {
      it('reaches the last append, never goes back, and everything up to it is readable', async () => {
        const initial = await store.headPosition();
        expect(typeof initial).toBe('bigint');
        expect(initial).toBeGreaterThanOrEqual(0n);

        const id = stream();
        const events = newEvents(3);
        const result = await store.append(id, events, 'no_stream');
        const last = result.positions[2];
        const head = await eventually('head to reach the append', async () => {
          const h = await store.headPosition();
          return h >= last ? h : undefined;
        });
        expect(head).toBeGreaterThanOrEqual(initial);
        expect(await store.headPosition()).toBeGreaterThanOrEqual(head);

        const upToHead = await store.readAll({ afterPosition: result.positions[0] - 1n, maxCount: 3 });
        expect(upToHead.map((e) => e.id)).toEqual(events.map((e) => e.id));
        expect(upToHead.every((e) => e.position <= head)).toBe(true);
      });
    });

    describe('concurrency', () => {
      it('a subscriber sees every event of concurrent appenders exactly once, in order', async () => {
        const APPENDERS = 8;
        const STREAMS = 40;
        const OPERATIONS_PER_APPENDER = 30;
        const HOT_STREAMS = 4; // everyone writes to these too, so expected revisions collide

        const base = stream('race');
        const streamIds = Array.from({ length: STREAMS }, (_, i) => `${base}-${String(i).padStart(2, '0')}`);

        // Started first, reading from the very beginning of the log while the appenders run.
        const everything = subscribe({ afterPosition: 0n, batchSize: 7 });
        const filtered = subscribe({ afterPosition: 0n, streamPrefixes: [base], batchSize: 5 });

        const appended = new Map<string, { stream_id: string; revision: bigint; position: bigint }>();
        let conflicts = 0;

        const appender = async (index: number) => {
          const own = await factory();
          extraSubjects.push(own);
          const known = new Map<string, ExpectedRevision>(); // this appender's (possibly stale) view
          for (let op = 0; op < OPERATIONS_PER_APPENDER; op++) {
            const hot = op % 3 === 0;
            const streamId = hot
              ? streamIds[(op / 3) % HOT_STREAMS]
              : streamIds[(index * 7 + op * 13) % STREAMS];
            const size = 1 + ((index + op) % 3);
            const events = newEvents(size, `race.${index}`);
            // Mostly optimistic concurrency from a stale view; now and then 'any'.
            let expected: ExpectedRevision = op % 11 === 5 ? 'any' : (known.get(streamId) ?? 'no_stream');
            for (let attempt = 0; ; attempt++) {
              try {
                const result = await own.store.append(streamId, events, expected);
                events.forEach((e, k) =>
                  appended.set(e.id, { stream_id: streamId, revision: result.revisions[k], position: result.positions[k] }),
                );
                known.set(streamId, result.next_expected_revision);
                break;
              } catch (error) {
                if (!(error instanceof WrongExpectedVersionError) || attempt > 50) throw error;
                conflicts++;
                // Re-read the stream and retry from what is there now.
                const current = await own.store.readStream(streamId);
                expected = current.length ? current[current.length - 1].revision : 'no_stream';
              }
            }
            if (op % 4 === index % 4) await sleep(1);
          }
        };
        await Promise.all(Array.from({ length: APPENDERS }, (_, i) => appender(i)));

        expect(conflicts).toBeGreaterThan(0);
        expect(appended.size).toBeGreaterThan(300);

        await eventually('the subscribers to see every appended event', () =>
          everything.has(appended.keys()) && filtered.has(appended.keys()) ? true : undefined,
        );
        await sleep(QUIET_MS); // and nothing more (no duplicates arriving late)
        await everything.subscription.stop();
        await filtered.subscription.stop();

        for (const [label, recorder] of [
          ['unfiltered', everything],
          ['filtered', filtered],
        ] as const) {
          const events = recorder.events;
          // Positions strictly increasing over everything delivered, ours or not.
          expectStrictlyIncreasing(events.map((e) => e.position));

          const ours = events.filter((e) => e.stream_id.startsWith(base));
          if (label === 'filtered') expect(ours).toHaveLength(events.length);

          // Every appended event exactly once, and nothing that was not appended.
          const counts = new Map<string, number>();
          for (const e of ours) counts.set(e.id, (counts.get(e.id) ?? 0) + 1);
          expect([...counts.values()].every((n) => n === 1)).toBe(true);
          expect(counts.size).toBe(appended.size);
          for (const id of appended.keys()) expect(counts.get(id)).toBe(1);

          // Delivered as appended: same stream, revision and position.
          for (const e of ours) {
            const a = appended.get(e.id)!;
            expect({ id: e.id, stream_id: e.stream_id, revision: e.revision, position: e.position }).toEqual({ id: e.id, ...a });
          }

          // Per stream: revisions 0, 1, 2, ... in order.
          const revisions = new Map<string, bigint[]>();
          for (const e of ours) {
            const list = revisions.get(e.stream_id) ?? [];
            list.push(e.revision);
            revisions.set(e.stream_id, list);
          }
          for (const [streamId, list] of revisions) {
            expect({ streamId, list }).toEqual({ streamId, list: list.map((_, i) => BigInt(i)) });
          }
        }

        // Each stream reads back exactly what the subscriber saw, and the $all order matches.
        for (const streamId of streamIds) {
          const read = await store.readStream(streamId);
          const seen = everything.events.filter((e) => e.stream_id === streamId);
          expect(read.map((e) => e.id)).toEqual(seen.map((e) => e.id));
        }
        const all = (await readAllUntil(store, appended.keys(), { afterPosition: 0n })).filter((e) => e.stream_id.startsWith(base));
        expect(all.map((e) => e.id)).toEqual(everything.events.filter((e) => e.stream_id.startsWith(base)).map((e) => e.id));
      }, CONCURRENCY_TEST_TIMEOUT_MS);
    });
  });
}
