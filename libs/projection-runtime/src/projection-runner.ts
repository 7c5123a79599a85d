import { Pool } from 'pg';
import { EventStore, EventStoreUnavailableError, RecordedEvent, Subscription } from '#event-store/index.js';
import { applyCheckpointed, CheckpointMovedError, readCheckpoint } from './checkpointed-apply.js';
import { OwnershipSession } from './ownership.js';
import { isConnectionError } from '#database/errors.js';
import { namedStatements, Projection } from './projection.js';
import { RebuildApplyError, rebuildProjection, RebuildStoppedError } from './rebuild.js';
import { SharedApply } from './shared-apply.js';
import { createInPlace, preparationOf } from './versions.js';
import { inBatchSpan } from './batch-span.js';

/** Events applied per transaction, at most (LEDGER_PROJECTION_BATCH may ask for fewer). */
export const PROJECTION_BATCH_MAX = 500;
/** How often a projector that does not own a projection asks for it again. */
const OWNERSHIP_RETRY_MS = 1000;

const SQL = {
  fail: `update projection_checkpoints set error = $2, error_position = $3, updated_at = now() where name = $1`,
  skip: `update projection_checkpoints set position = $2, updated_at = now() where name = $1 and position = $3`,
};
/** How often a rebuild on start writes its progress to the process log. */
const REBUILD_LOG_INTERVAL_MS = 10_000;

const TRANSIENT_RETRY_MS = 1000;
/** deadlock_detected, serialization_failure, lock_not_available, query_canceled (a statement timeout or an operator's cancel: not the event's fault) */
const TRANSIENT_CODES = new Set(['40P01', '40001', '55P03', '57014']);

/** A database that went away, a lock conflict, or a log that cannot be reached (a dropped subscription, a server restart, a leader change). */
function isTransient(error: any): boolean {
  return isConnectionError(error) || TRANSIENT_CODES.has(error?.code) || error instanceof EventStoreUnavailableError;
}

export type RunnerStatus = 'waiting_for_ownership' | 'rebuilding' | 'running' | 'failed' | 'stopped';

/**
 * Runs one projection: owns it through a session advisory lock (so of several projector
 * processes exactly one applies it, and another takes over when the owner dies), follows the
 * log from the stored checkpoint, and applies each batch with the checkpoint in one
 * transaction. An event it cannot apply stops this projection only and is recorded.
 */
export class ProjectionRunner {
  status: RunnerStatus = 'stopped';
  lastError: string | null = null;
  private owned = false;
  private forgetLostListener: (() => void) | null = null;
  private subscription: Subscription | null = null;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | null = null;
  /** Position of the last event applied (the checkpoint this runner expects to find). */
  private position = 0n;
  /** Stops a rebuild on start between batches (stop()). */
  private rebuild: { abort: AbortController; done: Promise<void> } | null = null;
  private settle: () => void = () => undefined;
  /**
   * Settles once this runner's first round is over: it owns the projection and its model exists
   * (current, just created, or the old one serving while the new one is rebuilt), or another
   * process owns it, or it stopped. The API starts its background work after it.
   */
  readonly settled: Promise<void> = new Promise((resolve) => (this.settle = resolve));

  constructor(
    readonly projection: Projection,
    private readonly store: EventStore,
    private readonly pool: Pool,
    private readonly locks: OwnershipSession,
    private readonly log: (line: string) => void = () => undefined,
    private readonly batchSize = PROJECTION_BATCH_MAX,
    /** The process's runners at the same checkpoint apply each batch in one transaction (null: each in its own). */
    private readonly shared: SharedApply | null = null,
    /** Once caught up, how long the log's next appends gather before a batch (SubscribeOptions.lingerMs). */
    private readonly lingerMs = 0,
  ) {}

  start(): void {
    this.stopped = false;
    void this.acquire();
  }

  private async acquire(): Promise<void> {
    if (this.stopped) return;
    this.status = 'waiting_for_ownership';
    try {
      const locked = await this.locks.tryLock(this.projection.name);
      if (this.stopped) {
        // stop() ran while we were asking: give the lock back rather than keep it unowned.
        if (locked) await this.locks.unlock(this.projection.name);
        this.settle();
        return;
      }
      if (!locked) {
        this.settle();
        this.retryTimer = setTimeout(() => void this.acquire(), OWNERSHIP_RETRY_MS);
        return;
      }
      this.owned = true;
      // Losing the lock session means losing ownership: stop and compete again.
      this.forgetLostListener = this.locks.onLost(() => void this.restart());
    } catch {
      this.settle();
      if (!this.stopped) this.retryTimer = setTimeout(() => void this.acquire(), OWNERSHIP_RETRY_MS);
      return;
    }
    if (!(await this.prepare())) return;
    await this.follow().catch((error) => this.retryLater(`following the log failed: ${String(error?.message ?? error)}`));
  }

  /**
   * The owner's first step (versions.ts): create a model that does not exist, or rebuild one
   * built at another version, before following the log. False when it could not (recorded,
   * logged; a transient error is tried again).
   */
  private async prepare(): Promise<boolean> {
    try {
      const preparation = await preparationOf(this.pool, this.projection);
      if (preparation === 'absent') {
        await createInPlace(this.pool, this.projection);
        this.log(`projection ${this.projection.name}: created at version ${this.projection.version}; catching up from the start of the log`);
      }
      this.settle();
      if (preparation === 'outdated' && !this.stopped) await this.rebuildOnStart();
      return !this.stopped;
    } catch (error: any) {
      this.settle();
      if (this.stopped || error instanceof RebuildStoppedError) return false;
      if (isTransient(error)) {
        await this.retryLater(String(error?.message ?? error));
        return false;
      }
      this.status = 'failed';
      this.lastError = String(error?.message ?? error);
      this.log(`projection ${this.projection.name} stopped: ${this.lastError}`);
      // Recorded on the live model (which stays as it was): /health shows the projection failed.
      const position = error instanceof RebuildApplyError ? error.position.toString() : null;
      await this.pool.query(SQL.fail, [this.projection.name, `rebuild to version ${this.projection.version} failed: ${this.lastError}`, position]).catch(() => undefined);
      return false;
    }
  }

  private async rebuildOnStart(): Promise<void> {
    this.status = 'rebuilding';
    const name = this.projection.name;
    this.log(`projection ${name}: the live model is not at version ${this.projection.version}; rebuilding it from the log into shadow tables (the old one answers reads until the swap)`);
    let logged = Date.now();
    const abort = new AbortController();
    const progress = (p: { position: bigint; head: bigint; events_per_second: number; eta_seconds: number | null }) => {
      if (Date.now() - logged < REBUILD_LOG_INTERVAL_MS) return;
      logged = Date.now();
      this.log(`projection ${name}: rebuilding, position ${p.position}/${p.head}, ${p.events_per_second} events/s, ETA ${p.eta_seconds ?? '?'} s`);
    };
    const run = rebuildProjection(this.pool, this.store, this.projection, progress, abort.signal);
    this.rebuild = { abort, done: run.then(() => undefined, () => undefined) };
    try {
      const result = await run;
      this.log(`projection ${name}: rebuilt at version ${this.projection.version} and swapped in at position ${result.position} (${result.applied} events in ${result.seconds.toFixed(1)} s)`);
    } finally {
      this.rebuild = null;
    }
  }

  private async retryLater(reason: string): Promise<void> {
    if (this.stopped) return;
    this.log(`projection ${this.projection.name}: ${reason}; retrying in ${TRANSIENT_RETRY_MS} ms`);
    await this.stop();
    this.retryTimer = setTimeout(() => this.start(), TRANSIENT_RETRY_MS);
  }

  private async follow(): Promise<void> {
    this.position = await readCheckpoint(this.pool, this.projection.name);
    this.status = 'running';
    this.subscription = this.store.subscribeToAll(
      { afterPosition: this.position, batchSize: this.batchSize, lingerMs: this.lingerMs, onCheckpoint: (position) => this.skipTo(position) },
      (events) => this.applyBatch(events),
    );
    this.subscription.done.catch(async (error) => {
      if (this.stopped) return;
      if (error instanceof CheckpointMovedError) {
        this.log(`projection ${this.projection.name}: ${error.message}; competing for ownership again`);
        await this.restart();
        return;
      }
      if (isTransient(error)) {
        // A dropped connection or a deadlock is not the event's fault: let go and try again.
        this.log(`projection ${this.projection.name}: ${String(error?.message ?? error)}; retrying in ${TRANSIENT_RETRY_MS} ms`);
        await this.stop();
        this.retryTimer = setTimeout(() => this.start(), TRANSIENT_RETRY_MS);
        return;
      }
      this.status = 'failed';
      this.lastError = String(error?.message ?? error);
      this.log(`projection ${this.projection.name} stopped: ${this.lastError}`);
    });
  }

  /**
   * The log looked up to `position` and found nothing more for this projection (an EventStoreDB
   * filtered subscription's checkpoint): the checkpoint moves there, so a restart does not look
   * through the skipped events again. Only from where this runner left it, as with a batch.
   */
  private async skipTo(position: bigint): Promise<void> {
    const moved = await this.pool.query(SQL.skip, [this.projection.name, position.toString(), this.position.toString()]);
    if (moved.rowCount !== 1) throw new CheckpointMovedError(this.projection.name, this.position);
    this.position = position;
  }

  private applyBatch(events: RecordedEvent[]): Promise<void> {
    return inBatchSpan(this.projection.name, events, () => this.applyBatchNow(events));
  }

  private async applyBatchNow(events: RecordedEvent[]): Promise<void> {
    try {
      this.position = this.shared ? await this.shared.apply(this.projection, this.position, events) : await this.applyAlone(events);
    } catch (error) {
      if (!(error instanceof CheckpointMovedError) && !isTransient(error)) await this.recordFailure(events, error);
      throw error;
    }
  }

  private async applyAlone(events: RecordedEvent[]): Promise<bigint> {
    const tx = await this.pool.connect();
    try {
      return await applyCheckpointed(tx, this.projection, this.projection.name, this.position, events);
    } finally {
      tx.release();
    }
  }

  /**
   * Finds the first event of the batch that fails after the ones before it (applied one by one in
   * one transaction, so an event that needs an earlier one of the batch is not blamed), rolls it
   * all back and records the culprit (never skipped).
   */
  private async recordFailure(events: RecordedEvent[], error: any): Promise<void> {
    let culprit = events[0];
    let message = String(error?.message ?? error);
    const tx = await this.pool.connect();
    try {
      await tx.query('begin');
      try {
        const named = namedStatements(tx);
        for (const event of events) {
          try {
            await this.projection.apply(named, [event]);
          } catch (single: any) {
            culprit = event;
            message = String(single?.message ?? single);
            break;
          }
        }
      } finally {
        await tx.query('rollback');
      }
      await this.pool.query(SQL.fail, [this.projection.name, message, culprit.position.toString()]);
      this.log(`projection ${this.projection.name} cannot apply event ${culprit.id} at position ${culprit.position}: ${message}`);
    } catch {
      /* the database is unreachable; the runner reports the original error */
    } finally {
      tx.release();
    }
  }

  private async restart(): Promise<void> {
    await this.stop();
    this.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.rebuild) {
      this.rebuild.abort.abort();
      await this.rebuild.done;
    }
    if (this.subscription) await this.subscription.stop();
    this.subscription = null;
    this.forgetLostListener?.();
    this.forgetLostListener = null;
    if (this.owned) await this.locks.unlock(this.projection.name);
    this.owned = false;
    this.status = 'stopped';
  }
}
