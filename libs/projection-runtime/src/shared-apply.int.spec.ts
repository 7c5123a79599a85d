import { randomUUID } from 'node:crypto';
import { Pool, PoolClient } from 'pg';
import { RecordedEvent } from '#event-store/index.js';
import { createTestDatabase, TestDatabase } from '../../../test/support/database.js';
import { CheckpointMovedError } from './checkpointed-apply.js';
import { Projection } from './projection.js';
import { SHARED_APPLY_PROJECTIONS_MAX, SharedApply } from './shared-apply.js';

/** A projection writing each event's `n` into its own table; `poison` events fail in the ones told to refuse them. */
function counting(name: string, refusesPoison = false): Projection {
  return {
    name,
    version: 1,
    tables: [name],
    schema: `create table ${name} (position bigint primary key, n int not null)`,
    async apply(tx: PoolClient, events: RecordedEvent[]) {
      for (const event of events) {
        if (refusesPoison && event.type === 'poison') throw new Error(`${name} cannot apply poison`);
        await tx.query(`insert into ${name} (position, n) values ($1, $2)`, [event.position.toString(), event.data.n]);
      }
    },
  };
}

function batch(from: bigint, types: string[]): RecordedEvent[] {
  return types.map((type, i) => ({
    id: randomUUID(),
    stream_id: 's',
    revision: BigInt(i),
    position: from + BigInt(i) + 1n,
    type,
    data: { n: i },
    metadata: {},
    created_at: new Date(),
  }));
}

describe('SharedApply', () => {
  let db: TestDatabase;
  let pool: Pool;
  const [a, b, c] = [counting('shared_a'), counting('shared_b', true), counting('shared_c')];

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new Pool({ connectionString: db.url, max: 6 });
    for (const p of [a, b, c]) {
      await pool.query(p.schema);
      await pool.query(`insert into projection_checkpoints (name) values ($1)`, [p.name]);
    }
  });

  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  const checkpoints = async () =>
    (await pool.query(`select name, position::text as position, xmin::text as tx from projection_checkpoints where name in ('shared_a', 'shared_b', 'shared_c') order by name`)).rows;

  it('applies one batch for several projections at the same checkpoint in one transaction, every checkpoint moved by it', async () => {
    const shared = new SharedApply(pool);
    const events = batch(0n, ['ok', 'ok', 'ok']);
    const positions = await Promise.all([a, b, c].map((p) => shared.apply(p, 0n, events)));
    expect(positions).toEqual([3n, 3n, 3n]);
    const rows = await checkpoints();
    expect(rows.map((r) => r.position)).toEqual(['3', '3', '3']);
    // One transaction wrote all three checkpoints (and the rows with them).
    expect(new Set(rows.map((r) => r.tx)).size).toBe(1);
    for (const p of [a, b, c]) expect((await pool.query(`select count(*)::int as n from ${p.name}`)).rows[0].n).toBe(3);
  });

  it('an event one projection cannot apply fails that projection alone: the others apply the batch each in its own transaction', async () => {
    const shared = new SharedApply(pool);
    const events = batch(3n, ['ok', 'poison']);
    const results = await Promise.allSettled([a, b, c].map((p) => shared.apply(p, 3n, events)));
    expect(results[0]).toEqual({ status: 'fulfilled', value: 5n });
    expect(results[1]).toMatchObject({ status: 'rejected', reason: { message: 'shared_b cannot apply poison' } });
    expect(results[2]).toEqual({ status: 'fulfilled', value: 5n });
    const rows = await checkpoints();
    expect(rows.map((r) => [r.name, r.position])).toEqual([['shared_a', '5'], ['shared_b', '3'], ['shared_c', '5']]);
    expect(rows[0].tx).not.toBe(rows[2].tx);
    expect((await pool.query(`select count(*)::int as n from shared_b`)).rows[0].n).toBe(3);
  });

  it('more projections than share one transaction: each group of at most SHARED_APPLY_PROJECTIONS_MAX commits together, and every one is applied', async () => {
    const many = Array.from({ length: SHARED_APPLY_PROJECTIONS_MAX + 1 }, (_, i) => counting(`shared_many_${i}`));
    for (const p of many) {
      await pool.query(p.schema);
      await pool.query(`insert into projection_checkpoints (name) values ($1)`, [p.name]);
    }
    const shared = new SharedApply(pool);
    const positions = await Promise.all(many.map((p) => shared.apply(p, 0n, batch(0n, ['ok', 'ok']))));
    expect(positions).toEqual(many.map(() => 2n));
    const { rows } = await pool.query(`select position::text as position, xmin::text as tx from projection_checkpoints where name like 'shared_many_%'`);
    expect(rows.map((r) => r.position)).toEqual(many.map(() => '2'));
    expect(new Set(rows.map((r) => r.tx)).size).toBe(2);
  });

  it('a checkpoint another process moved fails only its projection, with CheckpointMovedError', async () => {
    const shared = new SharedApply(pool);
    // shared_b is still at 3: bring it to 5 as the others, then let "another process" move shared_c on.
    await shared.apply(b, 3n, batch(3n, ['ok', 'ok']));
    await pool.query(`update projection_checkpoints set position = 6 where name = 'shared_c'`);
    const events = batch(5n, ['ok']);
    const results = await Promise.allSettled([a, b, c].map((p) => shared.apply(p, 5n, events)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    expect((results[2] as PromiseRejectedResult).reason).toBeInstanceOf(CheckpointMovedError);
    expect((await checkpoints()).map((r) => r.position)).toEqual(['6', '6', '6']);
    expect((await pool.query(`select count(*)::int as n from shared_c`)).rows[0].n).toBe(5);
  });
});
