import { createHash } from 'node:crypto';
import { Pool, PoolClient } from 'pg';
import { inTransaction } from '#database/database.js';
import { EventStore, RecordedEvent } from '#event-store/index.js';
import { bulkApplied, finishShadow } from './bulk-rebuild.js';
import { applyCheckpointed, CHECKPOINT_SQL, readCheckpoint } from './checkpointed-apply.js';
import { namedStatements, Projection } from './projection.js';
import { builtVersion, createTables, existingLiveTables, quote, VERSION_SQL } from './versions.js';

/** Events read and applied per shadow transaction. */
export const REBUILD_BATCH = 2000;
/** The shadow is close enough to swap when it is this few positions behind the live model. */
export const SWAP_DISTANCE_MAX = 5000n;

export interface RebuildProgress {
  projection: string;
  position: bigint;
  head: bigint;
  applied: number;
  events_per_second: number;
  eta_seconds: number | null;
}

/** The rebuild was stopped (its process is shutting down or lost the projection); the shadow is dropped. */
export class RebuildStoppedError extends Error {
  constructor(name: string) {
    super(`rebuild of ${name} stopped`);
  }
}

/** A batch of the log the shadow could not take: `position` is its first event's, `code` the database's. */
export class RebuildApplyError extends Error {
  readonly code: string | undefined;

  constructor(
    override readonly cause: unknown,
    readonly position: bigint,
  ) {
    super(String((cause as Error)?.message ?? cause));
    this.code = (cause as { code?: string })?.code;
  }
}

/** The checkpoint a rebuild of `name` keeps for its shadow tables (/health reads it for progress). */
export function rebuildCheckpoint(name: string): string {
  return `${name}@rebuild`;
}

/** Fresh tables in their own schema, created by the projection's own statements (its current version). */
export async function createShadow(pool: Pool, projection: Projection, schema: string, checkpoint: string): Promise<void> {
  await pool.query(`drop schema if exists ${quote(schema)} cascade`);
  await pool.query(`create schema ${quote(schema)}`);
  await inTransaction(pool, async (tx) => {
    await createTables(tx, projection, schema);
    // Filled without WAL (a crash loses nothing: a rebuild never resumes a shadow, it starts
    // over); finishShadow makes them logged before they are swapped in.
    for (const table of projection.tables) await tx.query(`alter table ${quote(schema)}.${quote(table)} set unlogged`);
    await tx.query(`delete from projection_checkpoints where name = $1`, [checkpoint]);
    await tx.query(CHECKPOINT_SQL.ensure, [checkpoint]);
  });
}

export async function dropShadow(pool: Pool, schema: string, checkpoint: string): Promise<void> {
  await pool.query(`drop schema if exists ${quote(schema)} cascade`);
  await pool.query(`delete from projection_checkpoints where name = $1`, [checkpoint]);
}

/** Applies the log into the shadow from its checkpoint up to `until` (or the head). */
async function catchUp(
  pool: Pool,
  store: EventStore,
  projection: Projection,
  schema: string,
  checkpoint: string,
  until: bigint | null,
  onBatch: (position: bigint, applied: number) => void,
  signal?: AbortSignal,
): Promise<bigint> {
  let position = await readCheckpoint(pool, checkpoint);
  const tx = await pool.connect();
  try {
    for (;;) {
      if (signal?.aborted) throw new RebuildStoppedError(projection.name);
      let events: RecordedEvent[] = await store.readAll({ afterPosition: position, maxCount: REBUILD_BATCH });
      if (until !== null) events = events.filter((e) => e.position <= until);
      if (events.length === 0) return position;
      try {
        position = await applyCheckpointed(tx, projection, checkpoint, position, events, schema);
      } catch (error) {
        throw new RebuildApplyError(error, events[0].position);
      }
      onBatch(position, events.length);
    }
  } finally {
    tx.release();
  }
}

/**
 * Rebuilds a projection from position 0 into shadow tables (created by its current `schema`)
 * while the live model keeps serving, then swaps them in one transaction with the checkpoint and
 * the version: reads block for the moment of the swap and never see an empty or half-built
 * model; writes (commands) never stop. Two callers:
 * - `projections rebuild` (CLI), while the owner's runner keeps the live model up to date: the
 *   shadow catches up to within SWAP_DISTANCE_MAX of it, and the swap brings it exactly there;
 * - the owner's runner itself, on start, when the live model is at another version: nothing
 *   moves the live model meanwhile, so the shadow catches up to the head and is swapped in where
 *   it stands; the runner then follows the log from there.
 * `signal` stops it between batches (RebuildStoppedError), the shadow dropped.
 */
export async function rebuildProjection(
  pool: Pool,
  store: EventStore,
  projection: Projection,
  onProgress: (progress: RebuildProgress) => void = () => undefined,
  signal?: AbortSignal,
): Promise<{ position: bigint; applied: number; seconds: number }> {
  const schema = `rebuild_${projection.name}`;
  const checkpoint = rebuildCheckpoint(projection.name);
  const started = Date.now();
  let applied = 0;
  let lastReport = 0;
  // Filled by the projection's bulk form (bulk-rebuild.ts), then completed by its live apply.
  const bulk = bulkApplied(projection);
  await createShadow(pool, bulk, schema, checkpoint);
  const report = async (position: bigint, batch: number) => {
    applied += batch;
    if (Date.now() - lastReport < 1000) return;
    lastReport = Date.now();
    const head = await store.headPosition();
    const rate = applied / ((Date.now() - started) / 1000);
    onProgress({
      projection: projection.name,
      position,
      head,
      applied,
      events_per_second: Math.round(rate),
      eta_seconds: rate > 0 ? Math.round(Number(head - position) / rate) : null,
    });
  };
  try {
    const catchUpLive = async (form: Projection) => {
      for (;;) {
        const position = await catchUp(pool, store, form, schema, checkpoint, null, (p, n) => void report(p, n), signal);
        const live = await livePosition(pool, projection.name);
        if (live - position <= SWAP_DISTANCE_MAX) break;
      }
    };
    await catchUpLive(bulk);
    if (signal?.aborted) throw new RebuildStoppedError(projection.name);
    await finishShadow(pool, projection, schema);
    await catchUpLive(projection);
    if (signal?.aborted) throw new RebuildStoppedError(projection.name);
    const position = await swap(pool, store, projection, schema, checkpoint, (n) => (applied += n));
    return { position, applied, seconds: (Date.now() - started) / 1000 };
  } catch (error) {
    await dropShadow(pool, schema, checkpoint).catch(() => undefined);
    throw error;
  }
}

/** The live checkpoint, 0 when the model has none (not built yet). */
export async function livePosition(db: Pick<PoolClient, 'query'>, name: string): Promise<bigint> {
  const { rows } = await db.query(CHECKPOINT_SQL.read, [name]);
  return rows.length ? BigInt(rows[0].position) : 0n;
}

/**
 * In one transaction: lock the live tables (waiting for an in-flight live batch to commit),
 * bring the shadow exactly to the live checkpoint if the live model is ahead, replace the live
 * tables with the shadow ones (and drop those a previous version had that this one has not),
 * and set the checkpoint to where the shadow stands and the version to the projection's. A live
 * runner that was behind finds its checkpoint moved and resumes from the new one. A live model
 * may not exist yet (then this creates it).
 */
export async function swap(pool: Pool, store: EventStore, projection: Projection, schema: string, checkpoint: string, count: (n: number) => void): Promise<bigint> {
  return inTransaction(pool, async (tx) => {
    const previous = (await builtVersion(tx, projection.name))?.tables ?? [];
    const replaced = await existingLiveTables(tx, [...new Set([...projection.tables, ...previous])]);
    for (const table of replaced) await tx.query(`lock table public.${quote(table)} in access exclusive mode`);
    const { rows } = await tx.query(`select position from projection_checkpoints where name = $1 for update`, [projection.name]);
    const live = rows.length ? BigInt(rows[0].position) : 0n;
    const shadowRows = await tx.query(`select position, last_event_at from projection_checkpoints where name = $1`, [checkpoint]);
    let position = BigInt(shadowRows.rows[0].position);
    let lastEventAt: Date | null = shadowRows.rows[0].last_event_at;
    while (position < live) {
      const events = (await store.readAll({ afterPosition: position, maxCount: REBUILD_BATCH })).filter((e) => e.position <= live);
      if (events.length === 0) break;
      await tx.query(`set local search_path to ${quote(schema)}, public`);
      await projection.apply(namedStatements(tx), events);
      await tx.query('set local search_path to public');
      position = events[events.length - 1].position;
      lastEventAt = events[events.length - 1].created_at;
      count(events.length);
    }
    for (const table of replaced) await tx.query(`drop table public.${quote(table)}`);
    // Already logged (finishShadow) when the shadow was finished: a no-op that makes sure no live table is unlogged.
    for (const table of projection.tables) await tx.query(`alter table ${quote(schema)}.${quote(table)} set logged`);
    for (const table of projection.tables) await tx.query(`alter table ${quote(schema)}.${quote(table)} set schema public`);
    await tx.query(
      `insert into projection_checkpoints (name, position, last_event_at) values ($1, $2, $3)
       on conflict (name) do update set position = excluded.position, last_event_at = excluded.last_event_at, updated_at = now(), error = null, error_position = null`,
      [projection.name, position.toString(), lastEventAt],
    );
    await tx.query(VERSION_SQL.record, [projection.name, projection.version, projection.tables, position.toString()]);
    await tx.query(`delete from projection_checkpoints where name = $1`, [checkpoint]);
    await tx.query(`drop schema ${quote(schema)} cascade`);
    return position;
  });
}

/** SHA-256 over every table's rows in a canonical order (the row's text form). */
async function contentHash(db: Pick<PoolClient, 'query'>, schema: string, projection: Projection): Promise<string> {
  const hash = createHash('sha256');
  for (const table of projection.tables) {
    const { rows } = await db.query(
      `select count(*)::text as n, encode(sha256(convert_to(coalesce(string_agg(t::text, E'\\n' order by t::text), ''), 'UTF8')), 'hex') as h
         from ${quote(schema)}.${quote(table)} t`,
    );
    hash.update(`${table}:${rows[0].n}:${rows[0].h}\n`);
  }
  return hash.digest('hex');
}

export interface VerifyResult {
  projection: string;
  position: string;
  live_hash: string;
  rebuilt_hash: string;
  identical: boolean;
}

/**
 * The determinism proof: hashes the live model at its checkpoint (one snapshot), rebuilds the
 * projection from scratch into scratch tables up to exactly that position, hashes those, and
 * compares. Same log, same read model, byte for byte.
 */
export async function verifyProjection(pool: Pool, store: EventStore, projection: Projection): Promise<VerifyResult> {
  const schema = `verify_${projection.name}`;
  const checkpoint = `${projection.name}@verify`;
  const snapshot = await pool.connect();
  let position: bigint;
  let liveHash: string;
  try {
    await snapshot.query('begin isolation level repeatable read');
    const live = await snapshot.query(CHECKPOINT_SQL.read, [projection.name]);
    if (live.rows.length === 0) throw new Error(`${projection.name} is not built yet: no live model to verify`);
    position = BigInt(live.rows[0].position);
    liveHash = await contentHash(snapshot, 'public', projection);
    await snapshot.query('commit');
  } finally {
    snapshot.release();
  }
  await createShadow(pool, projection, schema, checkpoint);
  try {
    await catchUp(pool, store, projection, schema, checkpoint, position, () => undefined);
    const rebuiltHash = await contentHash(pool, schema, projection);
    return { projection: projection.name, position: position.toString(), live_hash: liveHash, rebuilt_hash: rebuiltHash, identical: liveHash === rebuiltHash };
  } finally {
    await dropShadow(pool, schema, checkpoint);
  }
}
