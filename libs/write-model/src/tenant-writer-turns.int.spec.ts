import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { Pool } from 'pg';
import { createPool } from '#database/index.js';
import { AppendResult, ExpectedRevision, NewEvent, PostgresEventStore, WrongExpectedVersionError } from '#event-store/index.js';
import { STREAM_LOCK_CLASS, STREAM_LOCK_WAIT_MS, streamLockKey } from '#event-store/postgres/stream-locks.js';
import { createTestDatabase, TestDatabase } from '../../../test/support/database.js';
import { ledgerStream } from './command-envelope.js';
import { WRITER_BACKOFF_CONFLICTS_MAX } from './tenant-writer.js';
import { WriterRegistry } from './writer-registry.js';
import { OPEN_ACCOUNT as openAccount, testEnvelope as envelope } from './testing/envelopes.js';


/** The PostgreSQL log as one process has it (its own pool), counting its appends that lost a race. */
class CountingStore extends PostgresEventStore {
  conflicts = 0;
  override async append(streamId: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    try {
      return await super.append(streamId, events, expected);
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) this.conflicts++;
      throw error;
    }
  }
}

const COMMANDS_PER_PROCESS = 150;
const CLIENTS_PER_PROCESS = 8;

describe('writers of one tenant in several processes take turns (real PostgreSQL, one pool and store per "process")', () => {
  let db: TestDatabase;
  const pools: Pool[] = [];
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end()));
    await db.drop();
  });
  const poolOf = (max: number) => {
    const pool = createPool(db.url, max);
    pools.push(pool);
    return pool;
  };
  /** One "process": its own pool, store and writers (`turns`: LEDGER_WRITER_LOCK). */
  const process = (turns = true) => {
    const store = new CountingStore(poolOf(5));
    return { store, writers: new WriterRegistry(store, undefined, undefined, undefined, null, turns) };
  };

  /** Postings from CLIENTS_PER_PROCESS clients of each process, each posting 1 minor unit from a to b. */
  async function race(processes: ReturnType<typeof process>[], tenant: string, a: string, b: string) {
    const outcomes = await Promise.all(
      processes.flatMap((p, index) =>
        Array.from({ length: CLIENTS_PER_PROCESS }, async (_, client) => {
          const kinds: string[] = [];
          for (let i = client; i < COMMANDS_PER_PROCESS; i += CLIENTS_PER_PROCESS) {
            const posting = { type: 'post_transaction' as const, entries: [{ account_id: a, direction: 'debit' as const, amount: 1n }, { account_id: b, direction: 'credit' as const, amount: 1n }], description: null, reference: null, metadata: {} };
            const outcome = await p.writers.submit(envelope(tenant, posting, `p${index}-${i}`)).catch((error: unknown) => ({ kind: `error ${(error as Error).name}` }));
            kinds.push(outcome.kind);
          }
          return kinds;
        }),
      ),
    );
    return outcomes.flat();
  }

  it('no command fails and the writers stop losing races once they have seen each other', async () => {
    const tenant = randomUUID();
    const [one, two] = [process(), process()];
    const a = await one.writers.submit(envelope(tenant, openAccount));
    const b = await two.writers.submit(envelope(tenant, openAccount));
    // One's cache is now behind two's append: its next append loses that race, and from then on it takes turns.
    await one.writers.submit(envelope(tenant, openAccount));
    expect(one.store.conflicts).toBe(1);
    const accountOf = (outcome: any) => String(outcome.events[0].data.account_id);
    const kinds = await race([one, two], tenant, accountOf(a), accountOf(b));
    expect(kinds.filter((k) => k !== 'accepted')).toEqual([]);
    expect(kinds).toHaveLength(2 * COMMANDS_PER_PROCESS);
    // Each writer loses at most its first race (how it learns of the other), and a few more
    // while the other has not yet seen it: nothing like one per group, as without turns.
    expect(one.store.conflicts + two.store.conflicts).toBeLessThanOrEqual(4);
    expect(one.writers.stats.turns + two.writers.stats.turns).toBeGreaterThan(0);
    const { rows } = await pools[0].query(`select count(distinct metadata->>'idempotency_key')::int as keys, count(*)::int as events from events where stream_id = $1 and type = 'ledger.entry.posted'`, [ledgerStream(tenant)]);
    expect(rows[0]).toEqual({ keys: 2 * COMMANDS_PER_PROCESS, events: 2 * COMMANDS_PER_PROCESS });
    await Promise.all([one.store.close(), two.store.close()]);
  });

  it('without turns (LEDGER_WRITER_LOCK=off) the writers never take the exclusion: they race, and the expected revision alone keeps the log right', async () => {
    const tenant = randomUUID();
    const [one, two] = [process(false), process(false)];
    const a = await one.writers.submit(envelope(tenant, openAccount));
    const b = await one.writers.submit(envelope(tenant, openAccount));
    const accountOf = (outcome: any) => String(outcome.events[0].data.account_id);
    const kinds = await race([one, two], tenant, accountOf(a), accountOf(b));
    expect(kinds.filter((k) => k !== 'accepted')).toEqual([]);
    // How many races they lose depends on timing (the bench `processes` shows the thrash); that they never take turns does not.
    expect([one.writers.stats.turns, two.writers.stats.turns]).toEqual([0, 0]);
    expect(one.store.conflicts + two.store.conflicts).toBe(one.writers.stats.conflicts + two.writers.stats.conflicts);
    await Promise.all([one.store.close(), two.store.close()]);
  });

  it('a writer whose exclusion is held elsewhere (a paused process) still decides, after STREAM_LOCK_WAIT_MS, then backs off', async () => {
    const tenant = randomUUID();
    const p = process();
    await p.writers.submit(envelope(tenant, openAccount)); // the writer exists and is warm
    // Another process's writer holding the tenant's exclusion and never letting go.
    const holder = new PostgresEventStore(poolOf(1));
    const release = await holder.exclude(ledgerStream(tenant));
    expect(release).not.toBeNull();
    // Another writer appends: the warm writer's next append loses the race, so it then wants the exclusion.
    const competitor = process(false);
    await competitor.writers.submit(envelope(tenant, openAccount));
    const started = Date.now();
    const outcome = await p.writers.submit(envelope(tenant, openAccount));
    expect(outcome.kind).toBe('accepted');
    expect(Date.now() - started).toBeGreaterThanOrEqual(STREAM_LOCK_WAIT_MS - 100); // it did wait for the exclusion, then went on without it
    expect(p.store.conflicts).toBe(1);
    expect(p.writers.stats).toMatchObject({ turns: 0, turnsMissed: 1 });
    // Still contended, the holder still stuck: the writer does not wait for it again on every group (WRITER_TURN_BACKOFF_MS).
    await competitor.writers.submit(envelope(tenant, openAccount));
    expect((await p.writers.submit(envelope(tenant, openAccount))).kind).toBe('accepted');
    expect(p.store.conflicts).toBe(2);
    expect(p.writers.stats).toMatchObject({ turns: 0, turnsMissed: 1 });
    await release!();
    await Promise.all([holder.close(), p.store.close(), competitor.store.close()]);
  });

  it('a writer backing off that keeps losing races with one group asks for its turn again instead of failing it', async () => {
    const tenant = randomUUID();
    const stream = ledgerStream(tenant);
    const probe = poolOf(1);
    const competitor = process(false);
    let racing = false;
    /** This "process"'s log, where a competitor appends first whenever it appends without the tenant's exclusion held. */
    class Raced extends CountingStore {
      override async append(streamId: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
        if (racing && streamId === stream) {
          const client = await probe.connect();
          try {
            await client.query('begin');
            const { rows } = await client.query(`select pg_try_advisory_xact_lock(${STREAM_LOCK_CLASS}, ${streamLockKey(stream)}) as free`);
            await client.query('rollback');
            if (rows[0].free) await competitor.writers.submit(envelope(tenant, openAccount));
          } finally {
            client.release();
          }
        }
        return super.append(streamId, events, expected);
      }
    }
    const store = new Raced(poolOf(5));
    const writers = new WriterRegistry(store);
    await writers.submit(envelope(tenant, openAccount));
    // Its turn missed once (a holder that then lets go): it backs off, deciding without turns.
    const holder = new PostgresEventStore(poolOf(1));
    const release = await holder.exclude(stream);
    await competitor.writers.submit(envelope(tenant, openAccount));
    expect((await writers.submit(envelope(tenant, openAccount))).kind).toBe('accepted');
    expect(writers.stats).toMatchObject({ turns: 0, turnsMissed: 1 });
    await release!();
    // Now the competitor appends before every append it makes without the exclusion: racing, it
    // would lose until its retries ran out; it loses a few, then takes its turn and appends.
    racing = true;
    const conflictsBefore = store.conflicts;
    expect((await writers.submit(envelope(tenant, openAccount))).kind).toBe('accepted');
    expect(store.conflicts - conflictsBefore).toBe(WRITER_BACKOFF_CONFLICTS_MAX);
    expect(writers.stats.turns).toBe(1);
    await Promise.all([holder.close(), store.close(), competitor.store.close()]);
  });

  it('an exclusion dies with the process holding it: a kill -9 frees it at once', async () => {
    const stream = ledgerStream(randomUUID());
    // A process that takes the stream's lock as the store does, says so, and waits to be killed.
    const script = `
      const { Client } = require('pg');
      const client = new Client({ connectionString: process.env.URL });
      client.connect().then(() => client.query('begin; select pg_advisory_xact_lock(${0x5a4c01}, ${streamLockKey(stream)})')).then(() => console.log('held'));
      setInterval(() => undefined, 1000);`;
    const child = spawn(globalThis.process.execPath, ['-e', script], { env: { ...globalThis.process.env, URL: db.url }, cwd: globalThis.process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('held') && resolve()));
    const store = new PostgresEventStore(poolOf(1));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    // Held by the killed process until PostgreSQL saw its connection close: had now, not after a timeout.
    const release = await store.exclude(stream);
    expect(release).not.toBeNull();
    await release!();
    await store.close();
  });
});
