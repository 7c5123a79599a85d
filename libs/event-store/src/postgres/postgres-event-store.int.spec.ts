// Over 300 lines on purpose: the cases share one real database set up once per file.
import { randomBytes, randomUUID } from 'node:crypto';
import { jest } from '@jest/globals';
import { Pool, PoolClient } from 'pg';
import { createPool } from '#database/index.js';
import { createTestDatabase, TestDatabase } from '../../../../test/support/database.js';
import { RecordedEvent } from '../event-store.port.js';
import { describeEventStoreContract, eventually, expectStrictlyIncreasing, readAllUntil, sleep } from '../testing/event-store.contract.js';
import { PostgresEventStore } from './postgres-event-store.js';

/** How long we watch for a read that must not happen (longer than the subscriber's idle poll). */
const QUIET_MS = 600;
/** Per test; set here because Jest ignores a project's testTimeout. */
const TEST_TIMEOUT_MS = 30_000;

describe('PostgresEventStore', () => {
  let db: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = createPool(db.url, 20);
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  describeEventStoreContract('PostgresEventStore', async () => {
    const store = new PostgresEventStore(pool);
    return { store, cleanup: () => store.close() };
  });

  it('concurrent appends with expected revision any keep each stream\'s positions in revision order', async () => {
    const store = new PostgresEventStore(pool);
    const stream = `any-order-${randomBytes(4).toString('hex')}`;
    await Promise.all(
      Array.from({ length: 200 }, (_, i) => store.append(stream, [{ id: randomUUID(), type: 't', data: { i }, metadata: {} }], 'any')),
    );
    const events = await store.readStream(stream);
    expect(events).toHaveLength(200);
    for (let i = 1; i < events.length; i++) expect(events[i].position > events[i - 1].position).toBe(true);
    // And over everything the suite wrote: no stream has a revision at a lower position than the one before it.
    const inversions = await pool.query(
      `select count(*)::int as n from (select global_position, lag(global_position) over (partition by stream_id order by stream_revision) as previous from events) x
        where previous > global_position`,
    );
    expect(inversions.rows[0].n).toBe(0);
    await store.close();
  });

  it('keeps what it appends for the subscribers of its process, with the values a read of the log gives', async () => {
    const writer = new PostgresEventStore(pool);
    const stream = `kept-${randomBytes(4).toString('hex')}`;
    const held = () => (writer as any).tail.held.events as number;
    // No subscriber in this process: nothing is kept (nothing would read it).
    await writer.append(`unread-${randomBytes(4).toString('hex')}`, [{ id: randomUUID(), type: 't', data: {}, metadata: {} }], 'no_stream');
    expect(held()).toBe(0);
    // A subscriber (far ahead, so it reads nothing here) makes the store keep its appends.
    const subscription = writer.subscribeToAll({ afterPosition: 1n << 62n }, async () => undefined);
    const appended = await writer.append(
      stream,
      [
        { id: randomUUID().toUpperCase(), type: 't', data: { amount: '12.50', n: 1.5, big: 12345678901234567890, nested: { b: [1, { c: null }], a: 'é ✓ \\ "q"' } }, metadata: { k: 'v', z: 1, a: true } },
        { id: randomUUID(), type: 'u', data: {}, metadata: {}, serialized: { data: '{"s": "as the writer wrote it",  "x":[ 1 ,2 ]}', metadata: '{"tenant_id":"t"}' } },
      ],
      'no_stream',
    );
    await subscription.stop();
    expect(held()).toBe(2);
    const after = appended.positions[0] - 1n;
    const queries = jest.spyOn(pool, 'query');
    const kept = await writer.readAll({ afterPosition: after, maxCount: 2 });
    expect(queries).not.toHaveBeenCalled();
    queries.mockRestore();
    const reader = new PostgresEventStore(pool); // reads the log itself
    const read = await reader.readAll({ afterPosition: after, maxCount: 2 });
    expect(read).toHaveLength(2);
    expect(kept).toEqual(read);
    expect(kept.map((e) => e.created_at.getTime())).toEqual(read.map((e) => e.created_at.getTime()));
    await writer.close();
    await reader.close();
  });

  describe('a subscriber that lingers once caught up', () => {
    /** Far longer than the appends below take, so they all fall inside one window. */
    const LINGER_MS = 5_000;
    const APPENDS = 5;
    const one = () => [{ id: randomUUID(), type: 't', data: {}, metadata: {} }];

    /**
     * A subscriber that has just handled one batch (a primer event): it is caught up, so it
     * lingers now. A subscriber's first read, right after subscribing, does not wait.
     */
    async function caughtUp(store: PostgresEventStore, lingerMs: number, handle: (events: RecordedEvent[]) => void) {
      const primer = await store.append(`linger-primer-${randomBytes(4).toString('hex')}`, one(), 'no_stream');
      let batches = 0;
      const subscription = store.subscribeToAll({ afterPosition: primer.positions[0] - 1n, lingerMs }, async (events) => {
        if (batches++ > 0) handle(events);
      });
      await eventually('the primer read', () => (batches > 0 ? true : undefined), LINGER_MS * 3);
      return subscription;
    }

    async function batchesOf(lingerMs: number): Promise<bigint[][]> {
      const store = new PostgresEventStore(pool);
      const stream = `linger-${randomBytes(4).toString('hex')}`;
      const batches: bigint[][] = [];
      const subscription = await caughtUp(store, lingerMs, (events) => batches.push(events.filter((e) => e.stream_id === stream).map((e) => e.position)));
      try {
        for (let i = 0; i < APPENDS; i++) {
          // Each append commits (and is announced) on its own; without lingering, after the subscriber has read the one before.
          await store.append(stream, one(), 'any');
          if (lingerMs === 0) await eventually('the append read', () => (batches.flat().length === i + 1 ? true : undefined));
        }
        await eventually('every append read', () => (batches.flat().length === APPENDS ? true : undefined), LINGER_MS * 3);
      } finally {
        await subscription.stop();
        await store.close();
      }
      return batches.filter((b) => b.length > 0);
    }

    it('gets the appends announced within its window as one batch (without lingering: one batch each)', async () => {
      expect(await batchesOf(0)).toHaveLength(APPENDS);
      const lingered = await batchesOf(LINGER_MS);
      expect(lingered).toHaveLength(1);
      expect(lingered[0]).toHaveLength(APPENDS);
    }, TEST_TIMEOUT_MS);

    it('stops at once while lingering', async () => {
      const store = new PostgresEventStore(pool);
      let handled = 0;
      // A window longer than the test's own timeout: only stop() can end it.
      const subscription = await caughtUp(store, TEST_TIMEOUT_MS * 2, () => void handled++);
      try {
        await store.append(`linger-stop-${randomBytes(4).toString('hex')}`, one(), 'no_stream');
        await sleep(QUIET_MS);
        expect(handled).toBe(0);
      } finally {
        await subscription.stop();
        await store.close();
      }
    }, TEST_TIMEOUT_MS);
  });

  it('keeps read pages for the next reader, weighed by the JSON text of their data and metadata', async () => {
    const store = new PostgresEventStore(pool);
    const before = await store.headPosition();
    const big = { note: 'x'.repeat(50_000) };
    await store.append(`tail-${randomBytes(4).toString('hex')}`, [{ id: randomUUID(), type: 't', data: big, metadata: { m: 1 } }], 'no_stream');
    const first = await store.readAll({ afterPosition: before });
    expect(first.map((e) => e.data)).toContainEqual(big);
    const held = (store as any).tail.held as { events: number; bytes: number };
    expect(held.events).toBeGreaterThanOrEqual(1);
    expect(held.bytes).toBeGreaterThan(JSON.stringify(big).length);
    // The next reader of the same stretch gets the same events without a query.
    const queries = jest.spyOn(pool, 'query');
    expect(await store.readAll({ afterPosition: before })).toEqual(first);
    expect(queries).not.toHaveBeenCalled();
    queries.mockRestore();
    await store.close();
  });

  /**
   * A transaction that appends through the SQL function and stays open until told, so a
   * later position can commit before an earlier one.
   */
  describe('events committed out of position order (PostgreSQL)', () => {
    let store: PostgresEventStore;
    const held: PoolClient[] = [];
    const stream = (label: string) => `ooo-${label}-${randomBytes(5).toString('hex')}`;

    beforeEach(() => {
      store = new PostgresEventStore(pool);
    });

    afterEach(async () => {
      for (const client of held.splice(0)) {
        await client.query('rollback').catch(() => undefined);
        client.release();
      }
      await store.close();
    });

    async function openTransaction(): Promise<PoolClient> {
      const client = await pool.connect();
      held.push(client);
      await client.query('begin');
      return client;
    }

    /** `select * from append_events(...)` inside the client's open transaction. */
    async function appendInTransaction(client: PoolClient, streamId: string, ids: string[], expected = -2n): Promise<bigint[]> {
      const result = await client.query(
        `select * from append_events($1, $2, $3::uuid[], $4::text[], $5::jsonb[], $6::jsonb[])`,
        [streamId, expected.toString(), ids, ids.map(() => 'held'), ids.map(() => '{}'), ids.map(() => '{}')],
      );
      return result.rows.map((r) => BigInt(r.out_position)).sort((a, b) => (a < b ? -1 : 1));
    }

    function subscribeFrom(afterPosition: bigint, batchSize = 1): { events: RecordedEvent[]; stop: () => Promise<void> } {
      const events: RecordedEvent[] = [];
      const subscription = store.subscribeToAll({ afterPosition, batchSize }, async (batch) => {
        events.push(...batch);
      });
      return { events, stop: () => subscription.stop() };
    }

    it('does not read past an open transaction until it commits, then reads both in position order', async () => {
      const early = randomUUID();
      const first = await openTransaction();
      const [earlyPosition] = await appendInTransaction(first, stream('early'), [early]);

      const subscriber = subscribeFrom(earlyPosition - 1n);
      const lateId = randomUUID();
      const late = await store.append(stream('late'), [{ id: lateId, type: 'late', data: {}, metadata: {} }], 'no_stream');
      const latePosition = late.positions[0];
      expect(latePosition).toBeGreaterThan(earlyPosition);

      // The later event has committed, but the earlier position is still in flight: not yet.
      await sleep(QUIET_MS);
      expect(await store.readAll({ afterPosition: earlyPosition - 1n })).toEqual([]);
      expect(await store.headPosition()).toBeLessThan(earlyPosition);
      expect(subscriber.events).toEqual([]);

      await first.query('commit');

      // Both, in position order (a read may end early, e.g. at a gap another transaction holds for a moment).
      const read = await readAllUntil(store, [early, lateId], { afterPosition: earlyPosition - 1n });
      expect(read.map((e) => e.position).filter((p) => p === earlyPosition || p === latePosition)).toEqual([earlyPosition, latePosition]);
      await eventually('the subscriber to get both', () => (subscriber.events.length >= 2 ? true : undefined));
      expect(subscriber.events.map((e) => e.position)).toEqual([earlyPosition, latePosition]);
      expect(await store.headPosition()).toBeGreaterThanOrEqual(latePosition);
      await subscriber.stop();
    }, TEST_TIMEOUT_MS);

    it('is not held back by an older transaction that appends nothing (a projection batch), nor by a rolled-back append', async () => {
      const before = await store.headPosition();
      const unrelated = await openTransaction();
      await unrelated.query('select pg_current_xact_id()'); // has a transaction id older than what follows
      try {
        const a = await store.append(stream('a'), [{ id: randomUUID(), type: 'a', data: {}, metadata: {} }], 'no_stream');
        // A refused append (wrong expected version) leaves a gap behind the first event.
        await expect(store.append(stream('a'), [{ id: randomUUID(), type: 'x', data: {}, metadata: {} }], 5n)).rejects.toThrow();
        const bId = randomUUID();
        const b = await store.append(stream('b'), [{ id: bId, type: 'b', data: {}, metadata: {} }], 'no_stream');
        expect(b.positions[0]).toBeGreaterThan(a.positions[0] + 1n);
        // Contiguous with the cursor: readable at once, though the unrelated transaction is older.
        const read = await store.readAll({ afterPosition: a.positions[0] - 1n });
        expect(read.map((e) => e.position)).toEqual([a.positions[0]]);
        expect(await store.readAll({ afterPosition: a.positions[0] })).toEqual([]);
        // Past the gap only once nothing older is in flight (the gap could still be an append).
        await unrelated.query('commit');
        const after = await readAllUntil(store, [bId], { afterPosition: a.positions[0] });
        expect(after.map((e) => e.position)).toEqual([b.positions[0]]);
        expect(before).toBeLessThan(a.positions[0]);
      } finally {
        await unrelated.query('rollback').catch(() => undefined);
      }
    }, TEST_TIMEOUT_MS);

    it('loses nothing when an append waits half-way (on the event id of an undecided append)', async () => {
      // The slow append has its transaction id and positions, then waits; a younger append
      // takes later positions and stays open; the slow one commits. Readers must stop below
      // the young one's position until it commits.
      const contested = randomUUID();
      const blocker = await openTransaction();
      await appendInTransaction(blocker, stream('blocker'), [contested]);

      const before = await store.headPosition();
      const subscriber = subscribeFrom(before);

      const slowIds = [randomUUID(), contested];
      const slow = store.append(
        stream('slow'),
        slowIds.map((id) => ({ id, type: 'slow', data: {}, metadata: {} })),
        'no_stream',
      );
      slow.catch(() => undefined);
      // Wait until the slow append is blocked on the contested id.
      await eventually('the slow append to wait on the blocker', async () => {
        const waiting = await pool.query(
          `select 1 from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query like '%append_events%'`,
        );
        return waiting.rowCount ? true : undefined;
      });

      const youngId = randomUUID();
      const young = await openTransaction();
      const [youngPosition] = await appendInTransaction(young, stream('young'), [youngId]);

      await blocker.query('rollback'); // the slow append goes ahead and commits
      const slowResult = await slow;

      // Whatever readers are shown while the young transaction is open must not lie beyond it.
      await sleep(QUIET_MS);
      const visible = await store.readAll({ afterPosition: before });
      expect(visible.filter((e) => e.position > youngPosition)).toEqual([]);
      expect(subscriber.events.filter((e) => e.position > youngPosition)).toEqual([]);
      expect(await store.headPosition()).toBeLessThan(youngPosition);

      await young.query('commit');

      const ids = [...slowIds, youngId];
      await eventually('the subscriber to get all three', () =>
        ids.every((id) => subscriber.events.some((e) => e.id === id)) ? true : undefined,
      );
      await subscriber.stop();
      expectStrictlyIncreasing(subscriber.events.map((e) => e.position));
      const positions = new Map(subscriber.events.map((e) => [e.id, e.position]));
      expect(ids.map((id) => positions.get(id))).toEqual([...slowResult.positions, youngPosition]);
      const read = await readAllUntil(store, ids, { afterPosition: before });
      expect(read.map((e) => e.id)).toEqual(subscriber.events.map((e) => e.id));
    }, TEST_TIMEOUT_MS);

    it('refuses an append in a transaction that already has a transaction id', async () => {
      // Its positions would come after those of younger transactions: once it committed, a
      // reader could pass a younger one's lower, still uncommitted positions and skip them.
      const client = await openTransaction();
      await client.query('select pg_current_xact_id()');
      const error = await appendInTransaction(client, stream('late-id'), [randomUUID()]).then(
        () => undefined,
        (e: any) => e,
      );
      expect(error?.code).toBe('ZL002');
    }, TEST_TIMEOUT_MS);

    it(
      'keeps positions in transaction id order under concurrent multi-event appends, so readers skip nothing',
      async () => {
        const WRITERS = 10;
        const APPENDS = 30;
        const stop = { now: false };
        const head = await store.headPosition();
        const reader = async () => {
          const seen = new Set<string>();
          let position = head;
          while (!stop.now) {
            const page = await store.readAll({ afterPosition: position, maxCount: 100 });
            for (const e of page) seen.add(e.id);
            if (page.length > 0) position = page[page.length - 1].position;
          }
          return seen;
        };
        const readers = [reader(), reader(), reader()];
        const subscriber = subscribeFrom(head, 100);

        const appended: string[] = [];
        const writer = async (w: number) => {
          for (let i = 0; i < APPENDS; i++) {
            const size = (w + i) % 3 === 0 ? 150 : 1 + (i % 4);
            const events = Array.from({ length: size }, () => ({ id: randomUUID(), type: 'load', data: { w, i }, metadata: {} }));
            await store.append(i % 2 ? stream(`load-${w}`) : `load-${w}-${head}`, events, 'any');
            appended.push(...events.map((e) => e.id));
          }
        };
        await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));

        // No event has a lower position than an event of an older transaction.
        const inversions = await pool.query(
          `select count(*)::int as n from (
             select transaction_id::text::bigint as xid,
                    max(transaction_id::text::bigint) over (order by global_position rows between unbounded preceding and 1 preceding) as older
             from events where global_position > $1) e
           where older > xid`,
          [head.toString()],
        );
        expect(inversions.rows[0].n).toBe(0);

        // A fresh read finds everything (the readers above never reread what they passed).
        const all = await readAllUntil(store, appended, { afterPosition: head });
        expect(all).toHaveLength(appended.length);
        const last = all[all.length - 1].position;
        await eventually('the subscriber to reach the last event', () =>
          subscriber.events.some((e) => e.position === last) ? true : undefined,
        );
        stop.now = true;
        const seenByReaders = await Promise.all(readers);
        expect(subscriber.events.map((e) => e.id)).toEqual(all.map((e) => e.id));
        expectStrictlyIncreasing(subscriber.events.map((e) => e.position));
        // Whatever a reader got to, it saw every event below it.
        for (const seen of seenByReaders) {
          const reached = maxPosition(all, seen);
          const skipped = all.filter((e) => !seen.has(e.id) && e.position <= reached);
          expect(skipped.map((e) => e.position)).toEqual([]);
        }
        await subscriber.stop();
      },
      60_000,
    );
  });
});

/** The highest position among the events a reader saw. */
function maxPosition(all: RecordedEvent[], seen: Set<string>): bigint {
  let max = 0n;
  for (const e of all) if (seen.has(e.id) && e.position > max) max = e.position;
  return max;
}
