import { createHash } from 'node:crypto';
import { Pool, PoolClient } from 'pg';
import { EventStore, RecordedEvent } from '../../event-store/src/index.js';
import { applyCheckpointed, readCheckpoint } from './checkpointed-apply.js';
import { namedStatements, Projection } from './projection.js';

/** Events read and applied per shadow transaction. */
export const REBUILD_BATCH = 2000;
/** The shadow is close enough to swap when it is this few positions behind the live model. */
const SWAP_DISTANCE_MAX = 5000n;

export interface RebuildProgress {
  projection: string;
  position: bigint;
  head: bigint;
  applied: number;
  events_per_second: number;
  eta_seconds: number | null;
}

function quote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

/** Fresh tables shaped like the live ones (columns, keys, indexes) in their own schema. */
async function createShadow(pool: Pool, projection: Projection, schema: string, checkpoint: string): Promise<void> {
  await pool.query(`drop schema if exists ${quote(schema)} cascade`);
  await pool.query(`create schema ${quote(schema)}`);
  for (const table of projection.tables) {
    await pool.query(`create table ${quote(schema)}.${quote(table)} (like public.${quote(table)} including all)`);
  }
  await pool.query(`delete from projection_checkpoints where name = $1`, [checkpoint]);
}

async function dropShadow(pool: Pool, schema: string, checkpoint: string): Promise<void> {
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
): Promise<bigint> {
  let position = await readCheckpoint(pool, checkpoint);
  const tx = await pool.connect();
  try {
    for (;;) {
      let events: RecordedEvent[] = await store.readAll({ afterPosition: position, maxCount: REBUILD_BATCH });
      if (until !== null) events = events.filter((e) => e.position <= until);
      if (events.length === 0) return position;
      position = await applyCheckpointed(tx, projection, checkpoint, position, events, schema);
      onBatch(position, events.length);
    }
  } finally {
    tx.release();
  }
}

/**
 * Rebuilds a projection from position 0 into shadow tables while the live model keeps serving
 * and keeping up, then swaps them in one transaction: reads block for the moment of the swap
 * and never see an empty or half-built model; writes (commands) never stop.
 */
export async function rebuildProjection(
  pool: Pool,
  store: EventStore,
  projection: Projection,
  onProgress: (progress: RebuildProgress) => void = () => undefined,
): Promise<{ position: bigint; applied: number; seconds: number }> {
  const schema = `rebuild_${projection.name}`;
  const checkpoint = `${projection.name}@rebuild`;
  const started = Date.now();
  let applied = 0;
  let lastReport = 0;
  await createShadow(pool, projection, schema, checkpoint);
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
    for (;;) {
      const position = await catchUp(pool, store, projection, schema, checkpoint, null, (p, n) => void report(p, n));
      const live = await readCheckpoint(pool, projection.name);
      if (live - position <= SWAP_DISTANCE_MAX) break;
    }
    const position = await swap(pool, store, projection, schema, checkpoint, (n) => (applied += n));
    return { position, applied, seconds: (Date.now() - started) / 1000 };
  } catch (error) {
    await dropShadow(pool, schema, checkpoint).catch(() => undefined);
    throw error;
  }
}

/**
 * In one transaction: lock the live tables (waiting for an in-flight live batch to commit),
 * bring the shadow exactly to the live checkpoint, replace the live tables with the shadow ones
 * and set the checkpoint to where the shadow stands. A live runner that was behind finds its
 * checkpoint moved and resumes from the new one.
 */
async function swap(pool: Pool, store: EventStore, projection: Projection, schema: string, checkpoint: string, count: (n: number) => void): Promise<bigint> {
  const tx: PoolClient = await pool.connect();
  try {
    await tx.query('begin');
    for (const table of projection.tables) await tx.query(`lock table public.${quote(table)} in access exclusive mode`);
    const { rows } = await tx.query(`select position from projection_checkpoints where name = $1 for update`, [projection.name]);
    const live = rows.length ? BigInt(rows[0].position) : 0n;
    const shadowRows = await tx.query(`select position from projection_checkpoints where name = $1`, [checkpoint]);
    let position = BigInt(shadowRows.rows[0].position);
    while (position < live) {
      const events = (await store.readAll({ afterPosition: position, maxCount: REBUILD_BATCH })).filter((e) => e.position <= live);
      if (events.length === 0) break;
      await tx.query(`set local search_path to ${quote(schema)}, public`);
      await projection.apply(namedStatements(tx), events);
      await tx.query('set local search_path to public');
      position = events[events.length - 1].position;
      count(events.length);
    }
    for (const table of projection.tables) {
      await tx.query(`drop table public.${quote(table)}`);
      await tx.query(`alter table ${quote(schema)}.${quote(table)} set schema public`);
    }
    await tx.query(`update projection_checkpoints set position = $2, updated_at = now(), error = null, error_position = null where name = $1`, [
      projection.name,
      position.toString(),
    ]);
    await tx.query(`delete from projection_checkpoints where name = $1`, [checkpoint]);
    await tx.query(`drop schema ${quote(schema)} cascade`);
    await tx.query('commit');
    return position;
  } catch (error) {
    await tx.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    tx.release();
  }
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
    position = await readCheckpoint(snapshot, projection.name);
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
