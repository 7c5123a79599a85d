import { Pool } from 'pg';
import { RecordedEvent } from '#event-store/index.js';
import { applyCheckpointed, CheckpointMovedError } from './checkpointed-apply.js';
import { namedStatements, Projection } from './projection.js';

/** At most this many projections share one transaction (a process runs about a dozen). */
export const SHARED_APPLY_PROJECTIONS_MAX = 32;

const SQL = {
  // Every checkpoint of the group moves together, each only from where its runner left it: the
  // same guard as CHECKPOINT_SQL.advance, for all of them in one statement.
  advanceAll: `update projection_checkpoints
                  set position = $2, updated_at = now(), last_event_at = $3, error = null, error_position = null
                where name = any($1::text[]) and position = $4`,
};

interface Waiting {
  projection: Projection;
  events: RecordedEvent[];
  resolve: (position: bigint) => void;
  reject: (error: unknown) => void;
}

/**
 * Applies the same batch for several projections of this process in one transaction, with one
 * statement advancing all their checkpoints: a process following the log runs one transaction
 * per batch instead of one per projection. The runners of a process are woken by the same
 * append and read the same page, so their batches arrive within one turn of the event loop: a
 * batch waits for that turn (setImmediate), then goes with every other batch from the same
 * checkpoint to the same last position (the same events: the log is immutable).
 *
 * All or nothing, then each alone: if the shared transaction fails for any reason (an event one
 * projection cannot apply, a checkpoint another process moved, a dropped connection), it is
 * rolled back and each projection applies its batch in its own transaction, exactly as without
 * sharing, so a poison event or a lost ownership stays with its own projection.
 */
export class SharedApply {
  private readonly waiting = new Map<string, Waiting[]>();

  constructor(private readonly pool: Pool) {}

  /** Applies `events` to `projection` from checkpoint `expected`; resolves with its new position. */
  apply(projection: Projection, expected: bigint, events: RecordedEvent[]): Promise<bigint> {
    const key = `${expected}:${events[events.length - 1].position}:${events.length}`;
    return new Promise<bigint>((resolve, reject) => {
      let group = this.waiting.get(key);
      if (!group) {
        const created: Waiting[] = [];
        this.waiting.set(key, created);
        setImmediate(() => {
          // A full group has already left the map (a later batch under its key started another).
          if (this.waiting.get(key) === created) this.waiting.delete(key);
          void this.flush(created, expected);
        });
        group = created;
      }
      group.push({ projection, events, resolve, reject });
      if (group.length >= SHARED_APPLY_PROJECTIONS_MAX) this.waiting.delete(key);
    });
  }

  private async flush(batches: Waiting[], expected: bigint): Promise<void> {
    if (batches.length > 1 && (await this.applyTogether(batches, expected))) return;
    await Promise.all(batches.map((batch) => this.applyAlone(batch, expected)));
  }

  private async applyAlone(batch: Waiting, expected: bigint): Promise<void> {
    const tx = await this.pool.connect().catch((error) => {
      batch.reject(error);
      return null;
    });
    if (!tx) return;
    try {
      batch.resolve(await applyCheckpointed(tx, batch.projection, batch.projection.name, expected, batch.events));
    } catch (error) {
      batch.reject(error);
    } finally {
      tx.release();
    }
  }

  /** True when every batch committed together (each then answered); false when nothing did (nobody answered yet). */
  private async applyTogether(batches: Waiting[], expected: bigint): Promise<boolean> {
    const last = batches[0].events[batches[0].events.length - 1];
    let tx;
    try {
      tx = await this.pool.connect();
    } catch {
      return false;
    }
    try {
      // As in applyCheckpointed: read models commit without waiting for the WAL flush, and are maintenance work no statement timeout cuts.
      await tx.query('begin; set local synchronous_commit = off; set local statement_timeout = 0');
      const named = namedStatements(tx);
      for (const batch of batches) await batch.projection.apply(named, batch.events);
      const names = batches.map((b) => b.projection.name);
      const moved = await named.query(SQL.advanceAll, [names, last.position.toString(), last.created_at, expected.toString()]);
      if (moved.rowCount !== batches.length) throw new CheckpointMovedError(names.join(', '), expected);
      await tx.query('commit');
    } catch {
      await tx.query('rollback').catch(() => undefined);
      return false;
    } finally {
      tx.release();
    }
    for (const batch of batches) batch.resolve(last.position);
    return true;
  }
}
