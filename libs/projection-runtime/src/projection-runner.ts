import { Pool } from 'pg';
import { EventStore, RecordedEvent, Subscription } from '../../event-store/src/index.js';
import { applyCheckpointed, CheckpointMovedError, readCheckpoint } from './checkpointed-apply.js';
import { OwnershipSession } from './ownership.js';
import { isConnectionError } from '../../database/src/errors.js';
import { namedStatements, Projection } from './projection.js';

/** Events applied per transaction, at most (LEDGER_PROJECTION_BATCH may ask for fewer). */
export const PROJECTION_BATCH_MAX = 500;
/** How often a projector that does not own a projection asks for it again. */
const OWNERSHIP_RETRY_MS = 1000;

const SQL = {
  fail: `update projection_checkpoints set error = $2, error_position = $3, updated_at = now() where name = $1`,
};

const TRANSIENT_RETRY_MS = 1000;
/** deadlock_detected, serialization_failure, lock_not_available, query_canceled (a statement timeout or an operator's cancel: not the event's fault) */
const TRANSIENT_CODES = new Set(['40P01', '40001', '55P03', '57014']);

function isTransient(error: any): boolean {
  return isConnectionError(error) || TRANSIENT_CODES.has(error?.code);
}

export type RunnerStatus = 'waiting_for_ownership' | 'running' | 'failed' | 'stopped';

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

  constructor(
    readonly projection: Projection,
    private readonly store: EventStore,
    private readonly pool: Pool,
    private readonly locks: OwnershipSession,
    private readonly log: (line: string) => void = () => undefined,
    private readonly batchSize = PROJECTION_BATCH_MAX,
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
        return;
      }
      if (!locked) {
        this.retryTimer = setTimeout(() => void this.acquire(), OWNERSHIP_RETRY_MS);
        return;
      }
      this.owned = true;
      // Losing the lock session means losing ownership: stop and compete again.
      this.forgetLostListener = this.locks.onLost(() => void this.restart());
      await this.follow();
    } catch {
      if (!this.stopped) this.retryTimer = setTimeout(() => void this.acquire(), OWNERSHIP_RETRY_MS);
    }
  }

  private async follow(): Promise<void> {
    this.position = await readCheckpoint(this.pool, this.projection.name);
    this.status = 'running';
    this.subscription = this.store.subscribeToAll({ afterPosition: this.position, batchSize: this.batchSize }, (events) => this.applyBatch(events));
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

  private async applyBatch(events: RecordedEvent[]): Promise<void> {
    const tx = await this.pool.connect();
    try {
      this.position = await applyCheckpointed(tx, this.projection, this.projection.name, this.position, events);
    } catch (error) {
      if (!(error instanceof CheckpointMovedError) && !isTransient(error)) await this.recordFailure(events, error);
      throw error;
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
    if (this.subscription) await this.subscription.stop();
    this.subscription = null;
    this.forgetLostListener?.();
    this.forgetLostListener = null;
    if (this.owned) await this.locks.unlock(this.projection.name);
    this.owned = false;
    this.status = 'stopped';
  }
}
