import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { createPool } from '#database/index.js';
import { AppendResult, ExpectedRevision, NewEvent, PostgresEventStore } from '#event-store/index.js';
import { createTestDatabase, TestDatabase } from '../../../test/support/database.js';
import { CommandEnvelope } from './command-envelope.js';
import { TenantWriter } from './tenant-writer.js';
import { TEST_METADATA as meta } from './testing/envelopes.js';

const ONE_MIB = 1024 * 1024;

/**
 * The PostgreSQL log with an EventStoreDB server's MaxAppendSize at its default, 1 MiB: an append
 * whose bytes, counted as the server counts them (Event.SizeOnDisk: UTF-8 data and metadata,
 * twice the type), exceed it is refused, as Streams.Append.cs refuses it.
 */
class LimitedStore extends PostgresEventStore {
  readonly appendBytesMax = ONE_MIB;
  readonly sizes: number[] = [];
  override async append(streamId: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    const size = events.reduce((sum, e) => sum + Buffer.byteLength(JSON.stringify(e.data)) + Buffer.byteLength(JSON.stringify(e.metadata)) + 2 * e.type.length, 0);
    this.sizes.push(size);
    if (size > this.appendBytesMax) throw new Error(`Maximum Append Size of ${this.appendBytesMax} Exceeded.`);
    return super.append(streamId, events, expected);
  }
}

describe('TenantWriter on a log with its own append limit', () => {
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

  it("sizes its groups below the store's appendBytesMax, so every command of a burst is accepted", async () => {
    const store = new LimitedStore(pool);
    const tenant = randomUUID();
    const writer = new TenantWriter(tenant, store);
    const blob = 'é'.repeat(60 * 1024); // 120 KiB in UTF-8, 60 KiB as a string's length
    const envelopes: CommandEnvelope[] = Array.from({ length: 24 }, () => ({
      tenant_id: tenant,
      command: { type: 'open_account', customer: 'c', currency: 'USD', account_type: 'x', normal_balance: 'credit', allow_negative: true, metadata: { blob } },
      idempotency_key: null,
      request_hash: null,
      metadata: meta,
    }));
    const outcomes = await Promise.all(writer.submitMany(envelopes));
    expect(outcomes.map((o) => o.kind)).toEqual(envelopes.map(() => 'accepted'));
    expect(store.sizes.length).toBeGreaterThan(1);
    expect(Math.max(...store.sizes)).toBeLessThanOrEqual(ONE_MIB);
    await store.close();
  });
});
