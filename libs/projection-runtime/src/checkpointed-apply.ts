import { PoolClient } from 'pg';
import { RecordedEvent } from '#event-store/index.js';
import { namedStatements, Projection } from './projection.js';

export const CHECKPOINT_SQL = {
  ensure: `insert into projection_checkpoints (name) values ($1) on conflict (name) do nothing`,
  read: `select position from projection_checkpoints where name = $1`,
  advance: `update projection_checkpoints
               set position = $2, updated_at = now(), last_event_at = $3, error = null, error_position = null
             where name = $1 and position = $4`,
};

/** Another process advanced this checkpoint: this one no longer owns the projection. */
export class CheckpointMovedError extends Error {
  constructor(name: string, expected: bigint) {
    super(`checkpoint ${name} is no longer at ${expected}: another projector owns it`);
  }
}

/**
 * Applies a batch and advances the checkpoint from `expected` in one transaction. The
 * checkpoint only moves if it still stands where this applier left it, so even a former owner
 * that lost its lock without noticing cannot apply an event twice. `schema`, when given, puts
 * the projection's tables of that schema first on the search path (shadow rebuilds).
 */
export async function applyCheckpointed(
  tx: PoolClient,
  projection: Projection,
  checkpoint: string,
  expected: bigint,
  events: RecordedEvent[],
  schema: string | null = null,
): Promise<bigint> {
  const last = events[events.length - 1];
  // A read model and its checkpoint commit together without waiting for the WAL flush: a crash
  // can only lose the latest such commits, rows and checkpoint alike, and those events are
  // applied again from the log. (Appends to the log itself always wait for the flush.) One round
  // trip for the transaction's settings. The API process's pool cuts request queries after
  // LEDGER_STATEMENT_TIMEOUT_MS; a projection batch (which may wait for a rebuild's swap lock) is
  // maintenance work and must not be cut, so it lifts the timeout for its own transaction.
  await tx.query(`begin; set local synchronous_commit = off; set local statement_timeout = 0${schema ? `; set local search_path to "${schema}", public` : ''}`);
  try {
    const named = namedStatements(tx);
    await projection.apply(named, events);
    const moved = await named.query(CHECKPOINT_SQL.advance, [checkpoint, last.position.toString(), last.created_at, expected.toString()]);
    if (moved.rowCount !== 1) throw new CheckpointMovedError(checkpoint, expected);
    await tx.query('commit');
    return last.position;
  } catch (error) {
    await tx.query('rollback').catch(() => undefined);
    throw error;
  }
}

export async function readCheckpoint(db: Pick<PoolClient, 'query'>, name: string): Promise<bigint> {
  await db.query(CHECKPOINT_SQL.ensure, [name]);
  const { rows } = await db.query(CHECKPOINT_SQL.read, [name]);
  return BigInt(rows[0].position);
}
