import { createPool } from '../../../database/src';
import { createTestDatabase, TestDatabase } from '../../../../test/support/database';
import { PostgresEventStore } from './postgres-event-store';

describe('smoke', () => {
  let db: TestDatabase;
  beforeAll(async () => { db = await createTestDatabase(); });
  afterAll(async () => { await db.drop(); });
  it('appends and reads', async () => {
    const pool = createPool(db.url, 5);
    const store = new PostgresEventStore(pool);
    const r = await store.append('s-1', [{ id: '00000000-0000-4000-8000-000000000001', type: 't', data: { a: 1 }, metadata: {} }], 'no_stream');
    expect(r.next_expected_revision).toBe(0n);
    await expect(store.append('s-1', [{ id: '00000000-0000-4000-8000-000000000002', type: 't', data: {}, metadata: {} }], 'no_stream')).rejects.toThrow('wrong expected');
    expect((await store.readAll()).length).toBe(1);
    await store.close(); await pool.end();
  });
});
