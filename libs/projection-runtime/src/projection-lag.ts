import { Pool } from 'pg';
import { EventStore } from '../../event-store/src/index.js';

export interface ProjectionLag {
  position: string;
  lag_events: string;
  lag_seconds: number;
  status: 'ok' | 'lagging' | 'failed';
  error: { message: string; position: string } | null;
}

/** Beyond these a projection makes /health report `degraded`. */
export const LAG_EVENTS_DEGRADED_DEFAULT = 10_000n;
export const LAG_SECONDS_DEGRADED_DEFAULT = 30;

export interface LagThresholds {
  events: bigint;
  seconds: number;
}

export function lagThresholds(env: NodeJS.ProcessEnv = process.env): LagThresholds {
  return {
    events: env.LEDGER_LAG_EVENTS_DEGRADED ? BigInt(env.LEDGER_LAG_EVENTS_DEGRADED) : LAG_EVENTS_DEGRADED_DEFAULT,
    seconds: env.LEDGER_LAG_SECONDS_DEGRADED ? Number(env.LEDGER_LAG_SECONDS_DEGRADED) : LAG_SECONDS_DEGRADED_DEFAULT,
  };
}

const SQL = {
  checkpoints: `select name, position, error, error_position from projection_checkpoints where name = any($1)`,
  oldestUnapplied: `select extract(epoch from (clock_timestamp() - created_at)) as seconds
                      from events where global_position > $1 order by global_position limit 1`,
};

/**
 * How far each projection is behind the log: in events (positions) and in seconds (age of
 * the oldest event it has not applied yet).
 */
export async function projectionLag(
  pool: Pool,
  store: EventStore,
  names: readonly string[],
  thresholds: LagThresholds = lagThresholds(),
): Promise<Record<string, ProjectionLag>> {
  const head = await store.headPosition();
  const { rows } = await pool.query(SQL.checkpoints, [names]);
  const byName = new Map(rows.map((r) => [r.name, r]));
  const result: Record<string, ProjectionLag> = {};
  for (const name of names) {
    const row = byName.get(name);
    const position = row ? BigInt(row.position) : 0n;
    const lagEvents = head > position ? head - position : 0n;
    let lagSeconds = 0;
    if (lagEvents > 0n) {
      const oldest = await pool.query(SQL.oldestUnapplied, [position.toString()]);
      lagSeconds = oldest.rows.length ? Math.max(0, Math.floor(Number(oldest.rows[0].seconds))) : 0;
    }
    const failed = Boolean(row?.error);
    const lagging = lagEvents > thresholds.events || lagSeconds > thresholds.seconds;
    result[name] = {
      position: position.toString(),
      lag_events: lagEvents.toString(),
      lag_seconds: lagSeconds,
      status: failed ? 'failed' : lagging ? 'lagging' : 'ok',
      error: failed ? { message: row.error, position: String(row.error_position) } : null,
    };
  }
  return result;
}
