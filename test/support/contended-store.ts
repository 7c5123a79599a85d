import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { AppendResult, ExpectedRevision, NewEvent, PostgresEventStore, SelectedEventStore } from '#event-store/index.js';
import { WriterRegistry } from '#write-model/index.js';

const LEDGER_STREAM_PREFIX = 'ledger-';

/**
 * The real PostgreSQL log, where another writer (as another process would: its own store, its
 * own writer, the same database) appends to the same tenant stream just before each of the next
 * `contend(n)` appends to a ledger stream. Every such append then really fails its expected
 * revision in PostgreSQL, exactly as when two processes race; nothing is mocked, the order is
 * only made certain so the test does not depend on timing.
 */
export class ContendedEventStore extends PostgresEventStore {
  private remaining = 0;
  /** Appends the competitor made (each one a lost race for this store's writer). */
  competitorAppends = 0;
  private readonly competitorStore: PostgresEventStore;
  private readonly competitor: WriterRegistry;

  constructor(pool: Pool) {
    super(pool);
    this.competitorStore = new PostgresEventStore(pool);
    this.competitor = new WriterRegistry(this.competitorStore);
  }

  /** The next `appends` appends to a ledger stream each lose the race to the competitor. */
  contend(appends: number): void {
    this.remaining = appends;
  }

  override async append(streamId: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    if (this.remaining > 0 && streamId.startsWith(LEDGER_STREAM_PREFIX)) {
      this.remaining--;
      await this.appendFirst(streamId.slice(LEDGER_STREAM_PREFIX.length));
    }
    return super.append(streamId, events, expected);
  }

  /** The competitor opens an account in the tenant's ledger (a command always accepted). */
  private async appendFirst(tenantId: string): Promise<void> {
    const outcome = await this.competitor.submit({
      tenant_id: tenantId,
      command: { type: 'open_account', customer: 'competitor', currency: 'USD', account_type: 'competitor', normal_balance: 'credit', allow_negative: false, metadata: {} },
      idempotency_key: null,
      request_hash: null,
      metadata: { actor: 'competitor', role: 'admin', request_id: randomUUID(), intent_id: null, policy: [] },
    });
    if (outcome.kind !== 'accepted') throw new Error(`competitor refused: ${JSON.stringify(outcome.error)}`);
    this.competitorAppends++;
  }

  override async close(): Promise<void> {
    await this.competitor.drain();
    await this.competitorStore.close();
    await super.close();
  }
}

/** For TestLedger.start's `selectLog`: the service's log is a ContendedEventStore. */
export function contendedLog(onCreated: (store: ContendedEventStore) => void) {
  return (pool: Pool): SelectedEventStore => {
    const store = new ContendedEventStore(pool);
    onCreated(store);
    return { kind: 'postgres', store, describe: () => 'event log: PostgreSQL (events table), contended by a second writer', connect: async () => undefined };
  };
}
