import { randomUUID } from 'node:crypto';
import { Pool, PoolClient } from 'pg';
import { UnavailableError } from '@eventstore/db-client';
import { PostgresEventStore, RecordedEvent, SubscribeOptions, Subscription } from '#event-store/index.js';
import { mapEsdbError } from '#event-store/eventstoredb/errors.js';
import { createTestDatabase, TestDatabase } from '../../../test/support/database.js';
import { waitFor } from '../../../test/support/wait.js';
import { Projection } from './projection.js';
import { Projector } from './projector.js';

/**
 * A poison event is blamed correctly even when an event before it in the same batch only works
 * after its predecessors (here: a child row whose parent is created earlier in the batch).
 */
describe('ProjectionRunner poison events', () => {
  let db: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new Pool({ connectionString: db.url, max: 6 });
  });

  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  const family: Projection = {
    name: 'poison_family',
    version: 1,
    tables: ['poison_parents', 'poison_children'],
    // Created by the runner (a fresh database has no model yet).
    schema: `create table poison_parents (id text primary key);
             create table poison_children (id text primary key, parent text not null references poison_parents (id), size int not null check (size >= 0));`,
    async apply(tx: PoolClient, events: RecordedEvent[]) {
      for (const event of events) {
        if (event.type === 'parent') await tx.query(`insert into poison_parents (id) values ($1)`, [event.data.id]);
        if (event.type === 'child') await tx.query(`insert into poison_children (id, parent, size) values ($1, $2, $3)`, [event.data.id, event.data.parent, event.data.size]);
      }
    },
  };

  it('blames the first event that fails after the ones before it, not one that needs its predecessors', async () => {
    const store = new PostgresEventStore(pool);
    const stream = `family-${randomUUID()}`;
    const event = (type: string, data: unknown) => ({ id: randomUUID(), type, data, metadata: {} });
    const { positions } = await store.append(
      stream,
      [event('parent', { id: 'p1' }), event('child', { id: 'c1', parent: 'p1', size: 1 }), event('child', { id: 'c2', parent: 'p1', size: -1 })],
      'no_stream',
    );
    const projector = new Projector([family], store, pool, db.url).start();
    try {
      const failure = await waitFor('the failure to be recorded', async () => {
        const { rows } = await pool.query(`select error, error_position::text as p, position::text as at from projection_checkpoints where name = 'poison_family'`);
        return rows[0]?.error ? rows[0] : null;
      });
      expect(failure.p).toBe(positions[2].toString());
      expect(failure.error).toContain('check constraint');
      expect(BigInt(failure.at)).toBeLessThan(positions[0]); // nothing of the batch applied, nothing skipped
      expect((await pool.query(`select count(*)::int as n from poison_children`)).rows[0].n).toBe(0);
    } finally {
      await projector.stop();
      await store.close();
    }
  });
});

/**
 * EventStoreDB drops a catch-up subscription when the server restarts, the network blips or the
 * leader changes; the adapter reports that as EventStoreUnavailableError (its errors.ts maps the
 * client's UnavailableError). The runner must take that as transient and subscribe again from its
 * checkpoint, not leave the projection failed until the process restarts.
 */
describe('ProjectionRunner on a dropped subscription', () => {
  let db: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new Pool({ connectionString: db.url, max: 6 });
  });

  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  const counter: Projection = {
    name: 'dropped_counter',
    version: 1,
    tables: ['dropped_counter_rows'],
    schema: `create table dropped_counter_rows (id text primary key);`,
    async apply(tx: PoolClient, events: RecordedEvent[]) {
      for (const event of events) await tx.query(`insert into dropped_counter_rows (id) values ($1)`, [event.id]);
    },
  };

  /** The PostgreSQL log, whose first subscription is dropped the way the EventStoreDB adapter reports it. */
  class DroppingStore extends PostgresEventStore {
    drops = 0;
    override subscribeToAll(options: SubscribeOptions, handler: (events: RecordedEvent[]) => Promise<void>): Subscription {
      if (this.drops > 0) return super.subscribeToAll(options, handler);
      this.drops++;
      const dropped = mapEsdbError(new UnavailableError(undefined, '14 UNAVAILABLE: Connection dropped'), 'subscription to $all');
      return { done: Promise.reject(dropped), stop: async () => undefined };
    }
  }

  it('subscribes again after EventStoreUnavailableError and applies what follows', async () => {
    const store = new DroppingStore(pool);
    const { positions } = await store.append(`dropped-${randomUUID()}`, [{ id: randomUUID(), type: 'x', data: {}, metadata: {} }], 'no_stream');
    const projector = new Projector([counter], store, pool, db.url).start();
    try {
      const checkpoint = await waitFor('the projection to apply the event after the drop', async () => {
        const { rows } = await pool.query(`select position::text as p, error from projection_checkpoints where name = 'dropped_counter'`);
        return rows[0] && BigInt(rows[0].p) >= positions[0] ? rows[0] : null;
      });
      expect(store.drops).toBe(1);
      expect(checkpoint.error).toBeNull();
      expect((await pool.query(`select count(*)::int as n from dropped_counter_rows`)).rows[0].n).toBe(1);
    } finally {
      await projector.stop();
      await store.close();
    }
  });
});

/**
 * EventStoreDB's filtered subscriptions report checkpoints: positions up to which the server has
 * looked and found nothing more for the subscriber. The runner stores them, so a restart does
 * not look through what the filter skipped again.
 */
describe('ProjectionRunner and the log\'s checkpoints', () => {
  let db: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new Pool({ connectionString: db.url, max: 6 });
  });

  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  const noop: Projection = {
    name: 'checkpointed_noop',
    version: 1,
    tables: ['checkpointed_noop_rows'],
    schema: `create table checkpointed_noop_rows (id text primary key);`,
    async apply(tx: PoolClient, events: RecordedEvent[]) {
      for (const event of events) await tx.query(`insert into checkpointed_noop_rows (id) values ($1)`, [event.id]);
    },
  };

  /** The PostgreSQL log, reporting a checkpoint past its last event once the subscriber has it. */
  class CheckpointingStore extends PostgresEventStore {
    skipTo: bigint | null = null;
    readonly subscribedAfter: (bigint | undefined)[] = [];
    override subscribeToAll(options: SubscribeOptions, handler: (events: RecordedEvent[]) => Promise<void>): Subscription {
      this.subscribedAfter.push(options.afterPosition);
      return super.subscribeToAll(options, async (events) => {
        await handler(events);
        if (this.skipTo !== null && events.length > 0 && this.skipTo > events[events.length - 1].position) await options.onCheckpoint?.(this.skipTo);
      });
    }
  }

  it('stores a checkpoint the log reports and resumes after it', async () => {
    const store = new CheckpointingStore(pool);
    const { positions } = await store.append(`skipped-${randomUUID()}`, [{ id: randomUUID(), type: 'x', data: {}, metadata: {} }], 'no_stream');
    store.skipTo = positions[0] + 1000n;
    let projector = new Projector([noop], store, pool, db.url).start();
    try {
      await waitFor('the checkpoint to be stored', async () => {
        const { rows } = await pool.query(`select position::text as p from projection_checkpoints where name = 'checkpointed_noop'`);
        return rows[0]?.p === store.skipTo!.toString();
      });
      await projector.stop();
      projector = new Projector([noop], store, pool, db.url).start();
      await waitFor('a second subscription', () => store.subscribedAfter.length === 2);
      expect(store.subscribedAfter).toEqual([0n, store.skipTo]);
      expect((await pool.query(`select count(*)::int as n from checkpointed_noop_rows`)).rows[0].n).toBe(1);
    } finally {
      await projector.stop();
      await store.close();
    }
  });
});
