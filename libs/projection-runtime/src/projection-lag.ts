import { Pool } from 'pg';
import { EventStore } from '#event-store/index.js';
import { countEventsBehind } from './lag-counts.js';
import { LagThresholds } from './lag-thresholds.js';
import { rebuildCheckpoint } from './rebuild.js';

export interface ProjectionLag {
  position: string;
  lag_events: string;
  lag_seconds: number;
  status: 'ok' | 'lagging' | 'rebuilding' | 'failed';
  error: { message: string; position: string } | null;
  /** A rebuild into shadow tables under way (version change on start, or `projections rebuild`): where it stands. */
  rebuild: { position: string; lag_events: string } | null;
}

/**
 * A rebuild's checkpoint moves with every batch it applies; one that has not moved for this long
 * belongs to a rebuild that died (kill -9) and is not reported. The next rebuild starts over.
 */
export const REBUILD_IDLE_SECONDS_MAX = 60;

const SQL = {
  checkpoints: `select name, position, error, error_position, extract(epoch from (clock_timestamp() - updated_at)) as idle_seconds
                  from projection_checkpoints where name = any($1)`,
};

/**
 * Lag is counted up to this multiple of the degraded threshold (100,000 events by default) and
 * reported as that beyond it: on EventStoreDB counting means reading the events.
 */
const LAG_COUNT_CAP_FACTOR = 10n;

/**
 * How far each projection is behind the log: in events (counted by the log: EventStoreDB's
 * positions are offsets, not counts; countEventsBehind remembers counts between calls so that
 * each is not a read of the whole backlog) and in seconds (age of the oldest event it has not
 * applied yet). Projections at the same checkpoint share one count.
 */
export async function projectionLag(
  pool: Pool,
  store: EventStore,
  names: readonly string[],
  /** When a projection counts as lagging (LEDGER_LAG_*_DEGRADED, from the configuration). */
  thresholds: LagThresholds,
): Promise<Record<string, ProjectionLag>> {
  const head = await store.headPosition();
  const { rows } = await pool.query(SQL.checkpoints, [[...names, ...names.map(rebuildCheckpoint)]]);
  const byName = new Map(rows.map((r) => [r.name, r]));
  const result: Record<string, ProjectionLag> = {};
  const cap = (thresholds.events > 0n ? thresholds.events : 1n) * LAG_COUNT_CAP_FACTOR;
  const positionOf = (name: string) => (byName.has(name) ? BigInt(byName.get(name).position) : 0n);
  const rebuilding = names.map(rebuildCheckpoint).filter((name) => byName.has(name) && Number(byName.get(name).idle_seconds) <= REBUILD_IDLE_SECONDS_MAX);
  const counted = await countEventsBehind(store, [...names, ...rebuilding].map(positionOf), head, cap);
  const behind = new Map<bigint, Promise<{ events: bigint; seconds: number | null }>>();
  const measure = async (position: bigint) => {
    if (head <= position) return { events: 0n, seconds: 0 };
    const events = counted.get(position)!;
    const [oldest] = await store.readAll({ afterPosition: position, maxCount: 1 });
    // No readable event yet (the next position is a gap an older transaction still holds): unknown.
    const seconds = oldest ? Math.max(0, Math.floor((Date.now() - new Date(oldest.created_at).getTime()) / 1000)) : null;
    return { events, seconds };
  };
  for (const name of names) {
    const row = byName.get(name);
    const position = positionOf(name);
    if (!behind.has(position)) behind.set(position, measure(position));
    const { events: lagEvents, seconds } = await behind.get(position)!;
    // Unknown age: at least as long as the projection has not moved.
    const lagSeconds = seconds ?? (row ? Math.max(0, Math.floor(Number(row.idle_seconds))) : 0);
    const failed = Boolean(row?.error);
    const lagging = lagEvents > thresholds.events || lagSeconds > thresholds.seconds;
    const shadow = rebuilding.includes(rebuildCheckpoint(name)) ? positionOf(rebuildCheckpoint(name)) : null;
    result[name] = {
      position: position.toString(),
      lag_events: lagEvents.toString(),
      lag_seconds: lagSeconds,
      status: failed ? 'failed' : shadow !== null ? 'rebuilding' : lagging ? 'lagging' : 'ok',
      error: failed ? { message: row.error, position: String(row.error_position) } : null,
      rebuild: shadow === null ? null : { position: shadow.toString(), lag_events: (head <= shadow ? 0n : counted.get(shadow)!).toString() },
    };
  }
  return result;
}
