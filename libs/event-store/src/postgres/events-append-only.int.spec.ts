import { randomBytes, randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { createTestDatabase, TestDatabase } from '../../../../test/support/database.js';
import { tamperWithLog } from '../../../../test/support/tamper.js';
import { EVENTS_APPEND_ONLY_ERRCODE } from './append-only.js';
import { PostgresEventStore } from './postgres-event-store.js';

describe('the events table is append-only', () => {
  let db: TestDatabase;
  let pool: Pool;
  let store: PostgresEventStore;
  const stream = `append-only-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    db = await createTestDatabase();
    // The role of the test server is a superuser that owns the table: the trigger must hold even so.
    pool = new Pool({ connectionString: db.url, max: 2 });
    store = new PostgresEventStore(pool);
    await store.append(stream, [0, 1].map((i) => ({ id: randomUUID(), type: 't', data: { i }, metadata: { n: i } })), 'no_stream');
  });

  afterAll(async () => {
    await store?.close();
    await pool?.end();
    await db?.drop();
  });

  const stored = async () => (await pool.query(`select stream_revision::int as r, data, metadata from events where stream_id = $1 order by stream_revision`, [stream])).rows;
  const refusal = (sql: string) => pool.query(sql, [stream]).then(
    () => null,
    (error) => error,
  );

  it.each([
    ['an UPDATE', `update events set data = '{"i": 99}' where stream_id = $1`],
    ['an UPDATE of the metadata alone', `update events set metadata = metadata || '{"hash": "x"}' where stream_id = $1`],
    ['a DELETE', `delete from events where stream_id = $1`],
    ['a DELETE that matches no row', `delete from events where stream_id = $1 || '-none'`],
  ])('refuses %s and leaves the log as it was', async (_what, sql) => {
    const before = await stored();
    const error = await refusal(sql);
    expect(error?.code).toBe(EVENTS_APPEND_ONLY_ERRCODE);
    expect(error?.message).toContain('the event log is append-only');
    expect(await stored()).toEqual(before);
    expect(before).toHaveLength(2);
  });

  it('refuses a TRUNCATE', async () => {
    const error = await pool.query(`truncate events`).then(() => null, (e) => e);
    expect(error?.code).toBe(EVENTS_APPEND_ONLY_ERRCODE);
    expect(error?.message).toContain('TRUNCATE');
    expect(await stored()).toHaveLength(2);
  });

  it('still takes appends after refusing', async () => {
    await store.append(stream, [{ id: randomUUID(), type: 't', data: { i: 2 }, metadata: { n: 2 } }], 1n);
    expect((await stored()).map((e) => e.r)).toEqual([0, 1, 2]);
  });

  it('lets a rewrite through only with the trigger disabled explicitly, in that transaction alone', async () => {
    expect(await tamperWithLog(db.url, `update events set data = '{"i": 42}' where stream_id = $1 and stream_revision = 0`, [stream])).toBe(1);
    expect((await stored())[0].data).toEqual({ i: 42 });
    // Enabled again at commit: the next rewrite is refused.
    expect((await refusal(`delete from events where stream_id = $1`))?.code).toBe(EVENTS_APPEND_ONLY_ERRCODE);
  });
});
