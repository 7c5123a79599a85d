import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { createPool } from '../../database/src/index.js';
import { PostgresEventStore } from '../../event-store/src/index.js';
import { createTestDatabase, TestDatabase } from '../../../test/support/database.js';
import { CommandEnvelope } from './command-envelope.js';
import { WriterRegistry } from './writer-registry.js';

const meta = { actor: 'test', role: 'admin', request_id: 'r', intent_id: null, policy: [] };

function envelope(tenantId: string, command: CommandEnvelope['command'], key: string | null = null): CommandEnvelope {
  return { tenant_id: tenantId, command, idempotency_key: key, request_hash: key ? `hash-${key}` : null, metadata: meta };
}

describe('WriterRegistry', () => {
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

  it('drops idle writers and rebuilds their state from the log on the next command', async () => {
    const store = new PostgresEventStore(pool);
    const writers = new WriterRegistry(store);
    const tenant = randomUUID();
    const open = async () => {
      const outcome = await writers.submit(
        envelope(tenant, { type: 'open_account', customer: 'c', currency: 'USD', account_type: 'x', normal_balance: 'credit', allow_negative: true, metadata: {} }),
      );
      if (outcome.kind !== 'accepted') throw new Error('refused');
      return outcome.events[0].data.account_id as string;
    };
    const a = await open();
    const b = await open();
    const post = { type: 'post_transaction' as const, entries: [{ account_id: a, direction: 'debit' as const, amount: 5n }, { account_id: b, direction: 'credit' as const, amount: 5n }], description: null, reference: null, metadata: {} };
    expect((await writers.submit(envelope(tenant, post, 'k1'))).kind).toBe('accepted');
    expect(writers.size).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 10)); // the writer finishes its drain loop
    expect(writers.evictIdle(60_000)).toBe(0); // not idle long enough
    expect(writers.evictIdle(0)).toBe(1);
    expect(writers.size).toBe(0);

    // A fresh writer knows the accounts, the balances and the idempotency key from the log.
    const again = await writers.submit(envelope(tenant, post, 'k1'));
    expect(again).toMatchObject({ kind: 'accepted', replayed: true });
    const more = await writers.submit(envelope(tenant, post));
    expect(more.kind).toBe('accepted');
    if (more.kind === 'accepted') expect(more.events[0].data.entries[1].balance_after.posted).toBe('10');
    await store.close();
  });

  it('a command whose decision throws fails alone; the rest of its group commits', async () => {
    const store = new PostgresEventStore(pool);
    const writers = new WriterRegistry(store);
    const tenant = randomUUID();
    const opened = await writers.submit(
      envelope(tenant, { type: 'open_account', customer: 'c', currency: 'USD', account_type: 'x', normal_balance: 'credit', allow_negative: true, metadata: {} }),
    );
    if (opened.kind !== 'accepted') throw new Error('refused');
    const a = opened.events[0].data.account_id as string;
    const open = envelope(tenant, { type: 'open_account', customer: 'd', currency: 'USD', account_type: 'x', normal_balance: 'credit', allow_negative: true, metadata: {} });
    // One entry only: the edge refuses this shape, so reaching the domain is a programming error that throws.
    const broken = envelope(tenant, { type: 'post_transaction', entries: [{ account_id: a, direction: 'debit', amount: 1n }], description: null, reference: null, metadata: {} });
    const [first, bad, last] = await Promise.allSettled(writers.submitMany(tenant, [open, broken, open]));
    expect(first).toMatchObject({ status: 'fulfilled', value: { kind: 'accepted' } });
    expect(bad).toMatchObject({ status: 'rejected' });
    expect(last).toMatchObject({ status: 'fulfilled', value: { kind: 'accepted' } });
    // Both good commands are in the log, in order, right after the first account.
    const stream = await store.readStream(`ledger-${tenant}`);
    expect(stream.map((e) => e.type)).toEqual(['account.created', 'account.created', 'account.created']);
    await store.close();
  });
});
