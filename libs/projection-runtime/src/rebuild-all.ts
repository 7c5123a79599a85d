import { Pool, PoolClient } from 'pg';
import { EventStore, RecordedEvent } from '#event-store/index.js';
import { bulkApplied, finishShadow } from './bulk-rebuild.js';
import { applyCheckpointed } from './checkpointed-apply.js';
import { Projection } from './projection.js';
import { createShadow, dropShadow, livePosition, REBUILD_BATCH, RebuildApplyError, rebuildCheckpoint, RebuildProgress, RebuildStoppedError, swap, SWAP_DISTANCE_MAX } from './rebuild.js';

/** Connections a one-pass rebuild applies with at once (each its own projections' transactions); one more is left for reading the log. */
export const REBUILD_CONNECTIONS_MAX = 4;

export interface RebuiltProjection {
  projection: string;
  position: bigint;
  /** Events applied to this projection's shadow (the pass and its swap). */
  applied: number;
  /** Time spent applying them (its own transactions, not the shared read of the log). */
  apply_seconds: number;
  /** Time spent finishing its shadow after the pass: its tables made logged, the indexes its bulk form deferred built (finishShadow). */
  finish_seconds: number;
}

interface Shadow {
  /** As it is applied now: its bulk form during the pass (bulk-rebuild.ts), then `live`. */
  projection: Projection;
  live: Projection;
  schema: string;
  checkpoint: string;
  position: bigint;
  applied: number;
  applyMs: number;
  finishMs: number;
}

/**
 * Rebuilds several projections in one pass over the log: each batch is read once and applied to
 * every shadow, the shadows shared out among up to REBUILD_CONNECTIONS_MAX connections that apply in
 * parallel (while the next batch is being read), each projection in its own transaction with its
 * own checkpoint, exactly as rebuildProjection does for one: by its bulk form (bulk-rebuild.ts)
 * during the pass, then finished (finishShadow) and completed by its live apply. Once every shadow is within
 * SWAP_DISTANCE_MAX of its live model, each is swapped in (rebuildProjection's swap, one
 * transaction per projection). `signal` stops it between batches; on any failure every shadow is
 * dropped and the live models are left as they were.
 */
export async function rebuildProjections(
  pool: Pool,
  store: EventStore,
  projections: readonly Projection[],
  onProgress: (progress: RebuildProgress) => void = () => undefined,
  signal?: AbortSignal,
): Promise<{ projections: RebuiltProjection[]; events: number; seconds: number }> {
  const started = Date.now();
  const shadows: Shadow[] = projections.map((projection) => ({
    projection: bulkApplied(projection),
    live: projection,
    schema: `rebuild_${projection.name}`,
    checkpoint: rebuildCheckpoint(projection.name),
    position: 0n,
    applied: 0,
    applyMs: 0,
    finishMs: 0,
  }));
  let events = 0;
  try {
    for (const shadow of shadows) await createShadow(pool, shadow.projection, shadow.schema, shadow.checkpoint);
    const poolMax = (pool as unknown as { options?: { max?: number } }).options?.max ?? 10;
    const width = Math.max(1, Math.min(shadows.length, REBUILD_CONNECTIONS_MAX, poolMax - 1));
    let lastReport = 0;
    const report = async (position: bigint) => {
      if (Date.now() - lastReport < 1000) return;
      lastReport = Date.now();
      const head = await store.headPosition();
      const rate = events / ((Date.now() - started) / 1000);
      onProgress({ projection: `${shadows.length} projections`, position, head, applied: events, events_per_second: Math.round(rate), eta_seconds: rate > 0 ? Math.round(Number(head - position) / rate) : null });
    };
    const catchUp = async () => {
      for (;;) {
        events += await onePass(pool, store, shadows, width, (position) => void report(position).catch(() => undefined), signal);
        const lives = await Promise.all(shadows.map((shadow) => livePosition(pool, shadow.projection.name)));
        if (shadows.every((shadow, i) => lives[i] - shadow.position <= SWAP_DISTANCE_MAX)) break;
      }
    };
    await catchUp();
    // The bulk pass is done: each shadow is finished (its tables made logged, the indexes its bulk
    // form deferred built: finishShadow), width at a time, and what the log gained meanwhile is applied by
    // the live applies, on complete tables, up to the swap.
    const queue = [...shadows];
    const build = async () => {
      for (let shadow = queue.shift(); shadow; shadow = queue.shift()) {
        if (signal?.aborted) return;
        const finishing = performance.now();
        await finishShadow(pool, shadow.live, shadow.schema);
        shadow.finishMs += performance.now() - finishing;
        shadow.projection = shadow.live;
      }
    };
    await Promise.all(Array.from({ length: width }, build));
    if (!signal?.aborted) await catchUp();
    if (signal?.aborted) throw new RebuildStoppedError(shadows.map((s) => s.projection.name).join(', '));
    const rebuilt: RebuiltProjection[] = [];
    for (const shadow of [...shadows]) {
      const position = await swap(pool, store, shadow.live, shadow.schema, shadow.checkpoint, (n) => (shadow.applied += n));
      // Swapped in: no longer a shadow to drop should a later one fail.
      shadows.splice(shadows.indexOf(shadow), 1);
      rebuilt.push({ projection: shadow.live.name, position, applied: shadow.applied, apply_seconds: shadow.applyMs / 1000, finish_seconds: shadow.finishMs / 1000 });
    }
    return { projections: rebuilt, events, seconds: (Date.now() - started) / 1000 };
  } catch (error) {
    for (const shadow of shadows) await dropShadow(pool, shadow.schema, shadow.checkpoint).catch(() => undefined);
    throw error;
  }
}

/** Reads the log once from where the shadows stand (together) to its head, applying each batch to every shadow over `width` connections; returns the events read. */
async function onePass(pool: Pool, store: EventStore, shadows: Shadow[], width: number, onBatch: (position: bigint) => void, signal?: AbortSignal): Promise<number> {
  let position = shadows.reduce((min, s) => (s.position < min ? s.position : min), shadows[0].position);
  const connections: PoolClient[] = [];
  let read = 0;
  try {
    for (let i = 0; i < width; i++) connections.push(await pool.connect());
    const readFrom = (after: bigint) => store.readAll({ afterPosition: after, maxCount: REBUILD_BATCH });
    let next = readFrom(position);
    for (;;) {
      if (signal?.aborted) throw new RebuildStoppedError(shadows.map((s) => s.projection.name).join(', '));
      const batch: RecordedEvent[] = await next;
      if (batch.length === 0) return read;
      const last = batch[batch.length - 1].position;
      // The next batch is read while this one is applied; a failure below leaves it unobserved, not unhandled.
      next = readFrom(last);
      next.catch(() => undefined);
      // The slowest projections so far go first: each connection takes the next projection when
      // it is free, so a batch takes about as long as its slowest projection or its share of the total.
      const queue = [...shadows].sort((a, b) => b.applyMs - a.applyMs);
      await Promise.all(connections.map((connection) => applyQueued(connection, queue, batch)));
      position = last;
      read += batch.length;
      onBatch(position);
    }
  } finally {
    for (const connection of connections) connection.release();
  }
}

/** Applies the batch to the projections it takes from `queue`, one after another, each from its own checkpoint (a shadow already past part of the batch takes the rest). */
async function applyQueued(tx: PoolClient, queue: Shadow[], batch: RecordedEvent[]): Promise<void> {
  for (let shadow = queue.shift(); shadow; shadow = queue.shift()) {
    const events = batch[0].position > shadow.position ? batch : batch.filter((e) => e.position > shadow.position);
    if (events.length === 0) continue;
    const started = performance.now();
    try {
      shadow.position = await applyCheckpointed(tx, shadow.projection, shadow.checkpoint, shadow.position, events, shadow.schema);
    } catch (error) {
      throw new RebuildApplyError(error, events[0].position);
    }
    shadow.applyMs += performance.now() - started;
    shadow.applied += events.length;
  }
}
