import { randomUUID } from 'node:crypto';
import { jest } from '@jest/globals';
import { Pool } from 'pg';
import { createPool } from '#database/index.js';
import { PostgresEventStore, RecordedEvent } from '#event-store/index.js';
import { createTestDatabase, TestDatabase } from '../../../test/support/database.js';
import { ledgerStream } from './command-envelope.js';
import { PlannedReplay } from './group-plan.js';
import { AppendedGroup, OriginalEvents } from './original-events.js';

function replayOf(key: string, first_revision: bigint, event_count: number): PlannedReplay {
  return {
    kind: 'replay',
    pending: {
      envelope: { tenant_id: 't', command: { type: 'expire_hold', hold_id: 'h' }, idempotency_key: key, request_hash: `hash-${key}`, metadata: { actor: 'a', role: 'admin', request_id: 'r', intent_id: null, policy: [] } },
      resolve: () => undefined,
      reject: () => undefined,
    },
    record: { request_hash: `hash-${key}`, first_revision, event_count },
  };
}

describe('OriginalEvents (real PostgreSQL log)', () => {
  let db: TestDatabase;
  let pool: Pool;
  let store: PostgresEventStore;
  let stream: string;
  /** Revisions 0: key a; 1 and 2: key b (one command); 3: key c. */
  let logged: RecordedEvent[];

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = createPool(db.url, 3);
    store = new PostgresEventStore(pool);
    stream = ledgerStream(randomUUID());
    const event = (key: string, n: number) => ({ id: randomUUID(), type: 'account.created', data: { n }, metadata: { idempotency_key: key, request_hash: `hash-${key}` } });
    await store.append(stream, [event('a', 0), event('b', 1), event('b', 2), event('c', 3)], 'no_stream');
    logged = await store.readStream(stream);
  });
  afterAll(async () => {
    await store.close();
    await pool.end();
    await db.drop();
  });

  const ids = (events: readonly RecordedEvent[] | undefined) => events?.map((e) => e.id);
  const nothingAppended: AppendedGroup = { events: [], firstRevision: 4n };

  it("without a lookup, reads a replay's original events back by revision, and recalls nothing in bulk", async () => {
    const originals = new OriginalEvents(store, stream, null);
    expect(ids(await originals.of({ request_hash: 'hash-b', first_revision: 1n, event_count: 2 }, nothingAppended))).toEqual(ids(logged.slice(1, 3)));
    expect((await originals.recall([replayOf('b', 1n, 2)], nothingAppended, 3n, new Map())).size).toBe(0);
  });

  it('answers from the append itself when the first command was in this group, without reading', async () => {
    const originals = new OriginalEvents(store, stream, store);
    const reads = jest.spyOn(store, 'readStream');
    const appended: AppendedGroup = { events: logged.slice(3), firstRevision: 3n };
    expect(ids(await originals.of({ request_hash: 'hash-c', first_revision: 3n, event_count: 1 }, appended))).toEqual([logged[3].id]);
    expect(reads).not.toHaveBeenCalled();
    reads.mockRestore();
  });

  it("finds the group's earlier replays in one lookup by key, less the keys recalled already and those appended in this group", async () => {
    const originals = new OriginalEvents(store, stream, store);
    const lookups = jest.spyOn(store, 'findInStream');
    const a = replayOf('a', 0n, 1);
    const b = replayOf('b', 1n, 2);
    const c = replayOf('c', 3n, 1);
    const recalledByKey = new Map([['a', [logged[0]]]]);
    const found = await originals.recall([a, b, b, c], { events: logged.slice(3), firstRevision: 3n }, 3n, recalledByKey);
    expect(lookups.mock.calls).toEqual([[stream, { source: 'metadata', field: 'idempotency_key' }, ['b'], 3n]]);
    expect(ids(found.get(a))).toEqual([logged[0].id]);
    expect(ids(found.get(b))).toEqual(ids(logged.slice(1, 3)));
    expect(found.has(c)).toBe(false);
    expect(ids(recalledByKey.get('b'))).toEqual(ids(logged.slice(1, 3)));
    lookups.mockRestore();
  });

  it('leaves a replay whose events the lookup did not find whole to be read back by revision', async () => {
    const originals = new OriginalEvents(store, stream, store);
    const partial = replayOf('b', 1n, 3); // more events than carry the key up to revision 3
    expect((await originals.recall([partial], nothingAppended, 3n, new Map())).has(partial)).toBe(false);
  });
});
