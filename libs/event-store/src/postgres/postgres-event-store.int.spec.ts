import { randomBytes, randomUUID } from 'node:crypto';
import { Pool, PoolClient } from 'pg';
import { createPool } from '../../../database/src/index.js';
import { createTestDatabase, TestDatabase } from '../../../../test/support/database.js';
import { RecordedEvent } from '../event-store.port.js';
import { describeEventStoreContract, eventually, expectStrictlyIncreasing, readAllUntil, sleep } from '../testing/event-store.contract.js';
import { PostgresEventStore } from './postgres-event-store.js';

/** How long we watch for a read that must not happen (longer than the subscriber's idle poll). */
const QUIET_MS = 600;

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

    function subscribeFrom(afterPosition: bigint): { events: RecordedEvent[]; stop: () => Promise<void> } {
      const events: RecordedEvent[] = [];
      const subscription = store.subscribeToAll({ afterPosition, batchSize: 1 }, async (batch) => {
        events.push(...batch);
      });
      return { events, stop: () => subscription.stop() };
    }

    it('does not read past an open transaction until it commits, then reads both in position order', async () => {
      const early = randomUUID();
      const first = await openTransaction();
      const [earlyPosition] = await appendInTransaction(first, stream('early'), [early]);

      const subscriber = subscribeFrom(earlyPosition - 1n);
      const late = await store.append(stream('late'), [{ id: randomUUID(), type: 'late', data: {}, metadata: {} }], 'no_stream');
      const latePosition = late.positions[0];
      expect(latePosition).toBeGreaterThan(earlyPosition);

      // The later event has committed, but the earlier position is still in flight: not yet.
      await sleep(QUIET_MS);
      expect(await store.readAll({ afterPosition: earlyPosition - 1n })).toEqual([]);
      expect(await store.headPosition()).toBeLessThan(earlyPosition);
      expect(subscriber.events).toEqual([]);

      await first.query('commit');

      const read = await readAllUntil(store, [early], { afterPosition: earlyPosition - 1n });
      expect(read.map((e) => e.position)).toEqual([earlyPosition, latePosition]);
      await eventually('the subscriber to get both', () => (subscriber.events.length >= 2 ? true : undefined));
      expect(subscriber.events.map((e) => e.position)).toEqual([earlyPosition, latePosition]);
      expect(await store.headPosition()).toBeGreaterThanOrEqual(latePosition);
      await subscriber.stop();
    });

    it('never skips an event whose transaction got its position before a committed one with an older transaction id', async () => {
      // A transaction that gets its transaction id early but its positions late (here: it
      // waits on the unique event id of a third, undecided append) must not let readers
      // jump over the positions a younger, still open transaction took meanwhile.
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
      console.log("DBG", { youngPosition, slow: slowResult.positions, before });

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
    });
  });
});
