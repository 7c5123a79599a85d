import { Pool, PoolClient } from 'pg';
import { inTransaction } from '#database/database.js';
import { Projection } from './projection.js';

/**
 * A read model is disposable: its projection declares a version and the statements that create
 * its tables, and projection_versions records the version each live model was built at. The
 * process that owns a projection (projection-runner.ts) compares the two when it starts:
 * - same version: it follows the log from the checkpoint, as always;
 * - no model at all (a fresh database; no row and none of its tables): its tables are created
 *   empty, at checkpoint 0, with their version, in one transaction, and the runner catches up
 *   from the start of the log like any projection behind. There is no old model to keep
 *   serving, and catching up in place is checkpointed batch by batch: a process killed midway
 *   resumes where it stopped instead of starting over. Reads of the caller's writes wait for it
 *   (read-your-writes), as for any projection behind;
 * - another version, or tables without a row (a database built by the class migrations, whose
 *   models have no recorded version): rebuilt from the log into shadow tables while the old
 *   model keeps answering reads, then swapped in with its checkpoint and version in one
 *   transaction (rebuild.ts). The old model stops moving meanwhile: this code cannot apply
 *   events to another version's tables, so reads of a caller's new writes wait (and answer 503
 *   past LEDGER_READ_WAIT_MS) until the swap.
 */
export type Preparation = 'current' | 'absent' | 'outdated';

export const VERSION_SQL = {
  read: `select version, tables from projection_versions where name = $1`,
  record: `
    insert into projection_versions (name, version, tables, built_position) values ($1, $2, $3, $4)
    on conflict (name) do update
      set version = excluded.version, tables = excluded.tables, built_at = now(), built_position = excluded.built_position`,
  /** Which of these tables exist in public. */
  liveTables: `select t as name from unnest($1::text[]) as t where to_regclass(format('public.%I', t)) is not null`,
  startCheckpoint: `
    insert into projection_checkpoints (name, position) values ($1, 0)
    on conflict (name) do update set position = 0, updated_at = now(), last_event_at = null, error = null, error_position = null`,
};

export interface BuiltVersion {
  version: number;
  tables: string[];
}

export async function builtVersion(db: Pick<PoolClient, 'query'>, name: string): Promise<BuiltVersion | null> {
  const { rows } = await db.query(VERSION_SQL.read, [name]);
  return rows.length ? { version: Number(rows[0].version), tables: rows[0].tables } : null;
}

export async function existingLiveTables(db: Pick<PoolClient, 'query'>, tables: readonly string[]): Promise<string[]> {
  const { rows } = await db.query(VERSION_SQL.liveTables, [tables]);
  return rows.map((r) => r.name as string);
}

export async function preparationOf(pool: Pool, projection: Projection): Promise<Preparation> {
  const built = await builtVersion(pool, projection.name);
  if (built?.version === projection.version) return 'current';
  if (!built && (await existingLiveTables(pool, projection.tables)).length === 0) return 'absent';
  return 'outdated';
}

export function quote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

/** The projection's tables in `schema`, inside the caller's transaction (search_path back to public after). */
export async function createTables(tx: Pick<PoolClient, 'query'>, projection: Projection, schema: string): Promise<void> {
  await tx.query(`set local search_path to ${quote(schema)}, public`);
  await tx.query(projection.schema);
  await tx.query('set local search_path to public');
}

/** A model that does not exist yet: empty tables in public, checkpoint 0, its version; all or nothing. */
export async function createInPlace(pool: Pool, projection: Projection): Promise<void> {
  await inTransaction(pool, async (tx) => {
    await createTables(tx, projection, 'public');
    await tx.query(VERSION_SQL.startCheckpoint, [projection.name]);
    await tx.query(VERSION_SQL.record, [projection.name, projection.version, projection.tables, '0']);
  });
}
