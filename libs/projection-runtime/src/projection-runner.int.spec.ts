import { randomUUID } from 'node:crypto';
import { Pool, PoolClient } from 'pg';
import { PostgresEventStore, RecordedEvent } from '#event-store/index.js';
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
