import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { createPool } from '#database/index.js';
import { ContendedEventStore } from '../../../test/support/contended-store.js';
import { createTestDatabase, TestDatabase } from '../../../test/support/database.js';
import { ledgerStream } from './command-envelope.js';
import { CONFLICT_RETRIES_MAX, TenantWriter, WriterContendedError } from './tenant-writer.js';
import { OPEN_ACCOUNT as openAccount, testEnvelope as envelope } from './testing/envelopes.js';


describe('TenantWriter under optimistic-concurrency contention (real PostgreSQL, a second writer)', () => {
  let db: TestDatabase;
  let pool: Pool;
  beforeAll(async () => {
    db = await createTestDatabase();
    pool = createPool(db.url, 5);
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  const streamEvents = async (tenant: string) =>
    (await pool.query<{ type: string; actor: string }>(`select type, metadata->>'actor' as actor from events where stream_id = $1 order by stream_revision`, [ledgerStream(tenant)])).rows;

  it('absorbs as many lost races as its retry limit allows', async () => {
    const store = new ContendedEventStore(pool);
    const tenant = randomUUID();
    const writer = new TenantWriter(tenant, store, undefined, undefined, 3);
    store.contend(3);
    const outcome = await writer.submit(envelope(tenant, openAccount, 'k1'));
    expect(outcome.kind).toBe('accepted');
    expect(store.competitorAppends).toBe(3);
    expect((await streamEvents(tenant)).map((e) => e.actor)).toEqual(['competitor', 'competitor', 'competitor', 'test']);
    await store.close();
  });

  it('past its retry limit it fails with WriterContendedError, appends nothing, and the same key then goes through once', async () => {
    const store = new ContendedEventStore(pool);
    const tenant = randomUUID();
    const writer = new TenantWriter(tenant, store, undefined, undefined, 2);
    store.contend(Number.MAX_SAFE_INTEGER);
    const failed = await writer.submit(envelope(tenant, openAccount, 'k1')).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(WriterContendedError);
    expect(failed).toMatchObject({ tenantId: tenant, attempts: 3 });
    expect(store.competitorAppends).toBe(3); // the first attempt and two retries, each lost
    expect((await streamEvents(tenant)).every((e) => e.actor === 'competitor')).toBe(true);

    // The race is over: the same command with the same key is decided afresh, once.
    store.contend(0);
    const retried = await writer.submit(envelope(tenant, openAccount, 'k1'));
    expect(retried).toMatchObject({ kind: 'accepted', replayed: false });
    const again = await writer.submit(envelope(tenant, openAccount, 'k1'));
    expect(again).toMatchObject({ kind: 'accepted', replayed: true });
    expect((await streamEvents(tenant)).filter((e) => e.actor === 'test')).toHaveLength(1);
    await store.close();
  });

  it('gives up after CONFLICT_RETRIES_MAX retries by default', async () => {
    const store = new ContendedEventStore(pool);
    const tenant = randomUUID();
    const writer = new TenantWriter(tenant, store);
    store.contend(Number.MAX_SAFE_INTEGER);
    const failed = await writer.submit(envelope(tenant, openAccount)).catch((error: unknown) => error);
    expect(failed).toMatchObject({ attempts: CONFLICT_RETRIES_MAX + 1 });
    expect(failed).toBeInstanceOf(WriterContendedError);
    expect(store.competitorAppends).toBe(CONFLICT_RETRIES_MAX + 1);
    await store.close();
  });
});
