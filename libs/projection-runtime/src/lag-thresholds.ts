/** Beyond these a projection makes /health report `degraded`. */
export const LAG_EVENTS_DEGRADED_DEFAULT = 10_000n;
export const LAG_SECONDS_DEGRADED_DEFAULT = 30;

export interface LagThresholds {
  events: bigint;
  seconds: number;
}

/**
 * LEDGER_LAG_EVENTS_DEGRADED and LEDGER_LAG_SECONDS_DEGRADED from the given environment: whole
 * numbers, 0 or more. Called once, by loadConfig at start (a bad value refuses to start rather
 * than failing every /health call); this file imports nothing, so the configuration can use it
 * without an import cycle.
 */
export function lagThresholds(env: Readonly<Record<string, string | undefined>>): LagThresholds {
  return {
    events: BigInt(wholeNumberFrom(env, 'LEDGER_LAG_EVENTS_DEGRADED') ?? LAG_EVENTS_DEGRADED_DEFAULT),
    seconds: Number(wholeNumberFrom(env, 'LEDGER_LAG_SECONDS_DEGRADED') ?? LAG_SECONDS_DEGRADED_DEFAULT),
  };
}

function wholeNumberFrom(env: Readonly<Record<string, string | undefined>>, name: string): string | null {
  const raw = env[name];
  if (raw === undefined || raw === '') return null;
  if (!/^[0-9]+$/.test(raw)) throw new Error(`${name} must be a whole number (0 or more), got "${raw}"`);
  return raw;
}
