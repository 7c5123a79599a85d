import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { createPool } from '#database/index.js';
import { EventStore, PostgresEventStore, ReadStreamOptions, RecordedEvent } from '#event-store/index.js';
import { applyCheckpointed, Projection, readCheckpoint } from '#projection-runtime/index.js';
import { CommandEnvelope, ledgerStream, REPLAY_PAGE, replayTenant, stateHash, WriterRegistry } from '#write-model/index.js';
import { accountsProjection } from '#projections/accounts/accounts.projection.js';
import { trialBalanceProjection } from '#projections/trial-balance/trial-balance.projection.js';
import { createTestDatabase, TestDatabase } from '../../../../test/support/database.js';
import { projectedBalances } from '#projections/reconciliation/projected-balances.js';
import { runDriftCheck } from './drift-check.js';

const meta = { actor: 'test', role: 'admin', request_id: 'r', intent_id: null, policy: [] };

/** The PostgreSQL log, noting every stream event it hands out: which revisions, how many times. */
function countingReads(store: EventStore) {
  const revisionsRead: bigint[] = [];
  const readStream = async (streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> => {
    const events = await store.readStream(streamId, options);
    revisionsRead.push(...events.map((e) => e.revision));
    return events;
  };
  const counting = new Proxy(store, {
    get: (target, property) => {
      if (property === 'readStream') return readStream;
      const value = Reflect.get(target, property);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { store: counting, revisionsRead };
}

describe('runDriftCheck with the read models at different checkpoints', () => {
  let db: TestDatabase;
  let pool: Pool;
  let store: PostgresEventStore;
  let writers: WriterRegistry;

  beforeAll(async () => {
    db = await createTestDatabase({ readModels: [accountsProjection, trialBalanceProjection] });
    pool = createPool(db.url, 5);
    store = new PostgresEventStore(pool);
    writers = new WriterRegistry(store);
  });
  afterAll(async () => {
    await store.close();
    await pool.end();
    await db.drop();
  });

  async function submit(tenantId: string, command: CommandEnvelope['command']) {
    const outcome = await writers.submit({ tenant_id: tenantId, command, idempotency_key: null, request_hash: null, metadata: meta });
    if (outcome.kind !== 'accepted') throw new Error(`refused: ${JSON.stringify(outcome)}`);
    return outcome.events;
  }

  async function tenantWithAccounts() {
    const tenantId = randomUUID();
    const open = async () =>
      (await submit(tenantId, { type: 'open_account', customer: 'c', currency: 'USD', account_type: 'x', normal_balance: 'credit', allow_negative: true, metadata: {} }))[0].data
        .account_id as string;
    return { tenantId, a: await open(), b: await open() };
  }

  async function transfer(tenantId: string, from: string, to: string, amount: bigint) {
    const entries = [
      { account_id: from, direction: 'debit' as const, amount },
      { account_id: to, direction: 'credit' as const, amount },
    ];
    await submit(tenantId, { type: 'post_transaction', entries, description: null, reference: null, metadata: {} });
  }

  /** Applies everything the log holds now to one read model, as its runner would. */
  async function catchUp(projection: Projection) {
    const client = await pool.connect();
    try {
      let position = await readCheckpoint(client, projection.name);
      for (;;) {
        const events = await store.readAll({ afterPosition: position, maxCount: 500 });
        if (events.length === 0) return;
        position = await applyCheckpointed(client, projection, projection.name, position, events);
      }
    } finally {
      client.release();
    }
  }

  it.each([
    ['accounts ahead of the trial balance', accountsProjection, trialBalanceProjection],
    ['the trial balance ahead of accounts', trialBalanceProjection, accountsProjection],
  ])('with %s: reads each event of the stream once and compares each read model at its own checkpoint', async (_name, ahead, behind) => {
    const { tenantId, a, b } = await tenantWithAccounts();
    for (let i = 1; i <= 5; i++) await transfer(tenantId, a, b, BigInt(i));
    await catchUp(ahead);
    await catchUp(behind);
    const behindAt = await store.headPosition();
    for (let i = 1; i <= 4; i++) await transfer(tenantId, b, a, BigInt(10 * i));
    await catchUp(ahead);
    const aheadAt = await store.headPosition();
    // Events after both checkpoints: the replay must stop at the higher one, not the stream's end.
    await transfer(tenantId, a, b, 1_000n);

    const { store: counting, revisionsRead } = countingReads(store);
    const report = await runDriftCheck(pool, counting, projectedBalances, tenantId);

    expect(report.status).toBe('balanced');
    expect(report.trial_balance).toEqual([{ currency: 'USD', posted_balanced: true, pending_balanced: true, projected_agrees: true }]);
    const accountsAt = ahead === accountsProjection ? aheadAt : behindAt;
    expect(report.checked_position).toBe(accountsAt.toString());
    const fresh = await replayTenant(store, tenantId, { position: accountsAt });
    expect(report.state_hash).toBe(stateHash(fresh.state));
    expect(report.stream_revision).toBe(fresh.state.revision.toString());
    expect(report.chain_head).toBe(fresh.state.chain_head);

    // 2 accounts opened, 5 + 4 + 1 postings: revisions 0..11, each read once.
    expect([...revisionsRead].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0))).toEqual(Array.from({ length: 12 }, (_, i) => BigInt(i)));
  });

  it('continues across a page boundary, reading each event once', async () => {
    const { tenantId, a, b } = await tenantWithAccounts();
    // Submitted together, the writer commits them in groups: REPLAY_PAGE + 20 events in a few seconds.
    const postings = REPLAY_PAGE + 18;
    for (let done = 0; done < postings; done += 1_000) {
      await Promise.all(Array.from({ length: Math.min(1_000, postings - done) }, () => transfer(tenantId, a, b, 1n)));
    }
    const positionOf = async (revision: number) => (await store.readStream(ledgerStream(tenantId), { fromRevision: BigInt(revision), maxCount: 1 }))[0].position;
    const lower = await positionOf(REPLAY_PAGE - 10);
    const higher = await positionOf(REPLAY_PAGE + 10);

    const { store: counting, revisionsRead } = countingReads(store);
    const first = await replayTenant(counting, tenantId, { position: lower });
    const continued = await replayTenant(counting, tenantId, { position: higher }, undefined, first);

    expect(continued.events).toBe(REPLAY_PAGE + 11);
    expect(stateHash(continued.state)).toBe(stateHash((await replayTenant(store, tenantId, { position: higher })).state));
    expect(revisionsRead).toEqual(Array.from({ length: REPLAY_PAGE + 20 }, (_, i) => BigInt(i)));
  }, 120_000);

  it('a continued replay equals a fresh one, and refuses to go back', async () => {
    const { tenantId, a, b } = await tenantWithAccounts();
    await transfer(tenantId, a, b, 7n);
    const middle = await store.headPosition();
    await transfer(tenantId, b, a, 3n);
    const end = await store.headPosition();

    const first = await replayTenant(store, tenantId, { position: middle });
    expect(first.unread.map((e) => e.position)).toEqual([end]);
    const continued = await replayTenant(store, tenantId, { position: end }, undefined, first);
    const fresh = await replayTenant(store, tenantId, { position: end });
    expect(continued.events).toBe(4);
    expect(continued.position).toBe(end);
    expect(stateHash(continued.state)).toBe(stateHash(fresh.state));
    await expect(replayTenant(store, tenantId, { position: middle }, undefined, continued)).rejects.toThrow('cannot continue');
  });
});
