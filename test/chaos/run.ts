/**
 * `npm run chaos`: CHAOS_CYCLES cycles (default 20) of CHAOS_CYCLE_MS each (default 4,000) from
 * CHAOS_SEED (default: drawn from the time, and printed). Ends with one JSON line; exit 1 when
 * anything was lost, duplicated or broke an invariant.
 */
import { runChaos } from './chaos.js';

const CHAOS_CYCLES_MAX = 10_000;
const CHAOS_CYCLE_MS_MAX = 600_000;

function integerSetting(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    console.error(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return value;
}

const cycles = integerSetting('CHAOS_CYCLES', 20, 1, CHAOS_CYCLES_MAX);
const seed = integerSetting('CHAOS_SEED', Date.now() % 2 ** 31, 0, 2 ** 31 - 1);
const cycleMs = integerSetting('CHAOS_CYCLE_MS', 4_000, 500, CHAOS_CYCLE_MS_MAX);
console.error(`chaos: ${cycles} cycles of ${cycleMs} ms from CHAOS_SEED=${seed}`);
const report = await runChaos({ cycles, seed, cycleMs, log: (line) => console.error(line) });
console.log(JSON.stringify(report));
process.exit(report.lost > 0 || report.duplicated > 0 || report.violations.length > 0 ? 1 : 0);
