import { Pool } from 'pg';
import { createTestDatabase, TestDatabase } from './database.js';
import { TestLedger } from './ledger.js';
import { cli } from './process.js';
import { waitFor } from './wait.js';

/** For tests of a migration: data written by a ledger, the migration run by hand, a ledger started again on it. */

/** A fresh database with what `write` wrote through a ledger (shut down since), and what `look` saw then. */
export async function writtenDatabase<W, S>(write: (t: TestLedger) => Promise<W>, look: (t: TestLedger, written: W) => Promise<S>) {
  const db = await createTestDatabase();
  const kept: TestDatabase = { ...db, drop: async () => undefined };
  const first = await TestLedger.start({}, kept);
  try {
    const written = await write(first);
    return { db, kept, written, seen: await look(first, written) };
  } finally {
    await first.ledger.shutdown();
  }
}

/** Runs `check` on a ledger started again on the database, then shuts it down and drops the database. */
export async function restarted(db: TestDatabase, kept: TestDatabase, check: (t: TestLedger) => Promise<void>): Promise<void> {
  const second = await TestLedger.start({}, kept);
  try {
    await check(second);
  } finally {
    await second.ledger.shutdown();
    await db.drop();
  }
}

/** A migration run by hand on `pool`, as the start-up migrator would. */
export function runner(pool: Pool) {
  return { query: (sql: string) => pool.query(sql) } as any;
}

/** Runs `work` with the events table hidden, as on EventStoreDB (the log is not in this database). */
export async function withoutLog(pool: Pool, work: () => Promise<void>): Promise<void> {
  await pool.query(`alter table events rename to events_kept`);
  await pool.query(`create table events (like events_kept)`);
  try {
    await work();
  } finally {
    await pool.query(`drop table events`);
    await pool.query(`alter table events_kept rename to events`);
  }
}

export async function checkpointOf(pool: Pool, projection: string): Promise<string> {
  return (await pool.query(`select position::text as p from projection_checkpoints where name = $1`, [projection])).rows[0].p;
}

/** Waits until `projection` has applied the whole log. */
export async function caughtUp(t: TestLedger, projection: string): Promise<void> {
  await waitFor(`${projection} rebuilt from the log`, async () => {
    const rows = await t.query(`select c.position >= (select max(global_position) from events) as done from projection_checkpoints c where name = $1`, [projection]);
    return rows[0]?.done === true;
  });
}

/** `projections verify`: the live read model equals a rebuild from the log. */
export async function expectRebuildIdentical(url: string, projection: string): Promise<void> {
  const verify = await cli(url, ['projections', 'verify', projection, '--json']);
  expect(JSON.parse(verify.stdout)).toMatchObject({ projection, identical: true });
  expect(verify.code).toBe(0);
}
