import { EventStore, RecordedEvent } from '#event-store/index.js';
import { CommandEnvelope, CommandOutcome } from './command-envelope.js';
import { newWriterStats, SnapshotPolicy, TenantWriter, WriterStats } from './tenant-writer.js';
import { UNCHECKED_CLOCK, WriterClock } from './writer-clock.js';
import { WRITER_RECORDS_MAX_DEFAULT } from './writer-records-max.js';

/** A tenant's writer unused this long is dropped (its state is rebuilt from the log when needed). */
export const WRITER_IDLE_MS_DEFAULT = 10 * 60_000;
/** At most this many tenants keep a writer (and its cached state) in one process. */
export const WRITERS_MAX = 1000;

/**
 * One writer per tenant in this process; tenants proceed in parallel. Writers hold a cache of
 * their tenant's state, so memory is bounded by dropping idle ones (least recently used first).
 */
export class WriterRegistry {
  private readonly writers = new Map<string, TenantWriter>();
  private accepting = true;
  /** Lost races and turns of this process's writers since start. */
  readonly stats: WriterStats = newWriterStats();

  constructor(
    private readonly store: EventStore,
    /** Told the last event of every accepted command (read-your-writes, chain-head signing). */
    private readonly onAppended: (tenantId: string, last: RecordedEvent) => void = () => undefined,
    /** Records each writer keeps in memory (LEDGER_WRITER_RECORDS_MAX, from the configuration); see TenantWriter. */
    private readonly recordsMax = WRITER_RECORDS_MAX_DEFAULT,
    /** Every writer's clock: stamps `occurred_at` and refuses commands while skewed. */
    private readonly clock: WriterClock = UNCHECKED_CLOCK,
    /** Where writers snapshot their state and how often (LEDGER_WRITER_SNAPSHOT_EVENTS); null: never. */
    private readonly snapshots: SnapshotPolicy | null = null,
    /** Whether writers take turns with other processes' writers of their tenant (LEDGER_WRITER_LOCK); see TenantWriter. */
    private readonly excludeWhenContended = true,
  ) {}

  async submit(envelope: CommandEnvelope): Promise<CommandOutcome> {
    return this.observe(envelope.tenant_id, await this.writerFor(envelope.tenant_id).submit(envelope));
  }

  /** One tenant's commands, queued together and decided in order (the batch API). */
  submitMany(tenantId: string, envelopes: CommandEnvelope[]): Promise<CommandOutcome>[] {
    return this.writerFor(tenantId)
      .submitMany(envelopes)
      .map((promise) => promise.then((outcome) => this.observe(tenantId, outcome)));
  }

  private writerFor(tenantId: string): TenantWriter {
    if (!this.accepting) throw new Error('writer registry is shutting down');
    let writer = this.writers.get(tenantId);
    if (!writer) {
      if (this.writers.size >= WRITERS_MAX) this.evictIdle(0, 1);
      writer = new TenantWriter(tenantId, this.store, this.recordsMax, this.clock, undefined, this.snapshots, this.excludeWhenContended, this.stats);
      this.writers.set(tenantId, writer);
    }
    return writer;
  }

  /** Drops up to `count` writers idle for longer than `idleMs`, least recently used first; returns how many. */
  evictIdle(idleMs = WRITER_IDLE_MS_DEFAULT, count = Infinity): number {
    const now = Date.now();
    const idle = [...this.writers.entries()]
      .filter(([, w]) => w.isIdle && now - w.lastUsedAt >= idleMs)
      .sort(([, a], [, b]) => a.lastUsedAt - b.lastUsedAt)
      .slice(0, count);
    for (const [tenantId, writer] of idle) {
      this.writers.delete(tenantId);
      // Its state goes: keep it as a snapshot, so the tenant's next command starts from there.
      void writer.snapshot();
    }
    return idle.length;
  }

  get size(): number {
    return this.writers.size;
  }

  private observe(tenantId: string, outcome: CommandOutcome): CommandOutcome {
    if (outcome.kind === 'accepted' && outcome.events.length > 0) this.onAppended(tenantId, outcome.events[outcome.events.length - 1]);
    return outcome;
  }

  /** Stop taking commands, wait for the queued ones to be answered, then snapshot every writer's state. */
  async drain(): Promise<void> {
    this.accepting = false;
    await Promise.all([...this.writers.values()].map((w) => w.idle()));
    await Promise.all([...this.writers.values()].map((w) => w.snapshot()));
  }
}
