/**
 * `npm run sim`: the write-path simulation's long mode (not in `npm test`). SIM_OPS operations
 * (default 1,000,000) in universes of UNIVERSE_OPERATIONS_MAX, from SIM_SEED (default: drawn from
 * the time, and printed, so each run explores new seeds). A universe that breaks an invariant
 * stops the run and prints its own seed: `SIM_SEED=<run seed>` reruns the whole run, and
 * `simulate(<universe seed>, <its operations>)` that universe alone.
 */
import { simulateMany, SimulationReport, UNIVERSE_OPERATIONS_MAX } from './write-path-simulation.js';

const SIM_OPS_DEFAULT = 1_000_000;
/** A run longer than this is a typo, not a plan (about an hour on one core). */
const SIM_OPS_MAX = 100_000_000;

function positiveInteger(name: string, raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0 || value > max) {
    console.error(`${name} must be an integer from 0 to ${max}, got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return value;
}

const operations = positiveInteger('SIM_OPS', process.env.SIM_OPS, SIM_OPS_DEFAULT, SIM_OPS_MAX);
const seed = positiveInteger('SIM_SEED', process.env.SIM_SEED, Date.now() % 2 ** 31, 2 ** 31 - 1);
console.error(`simulating ${operations} operations from SIM_SEED=${seed} (universes of at most ${UNIVERSE_OPERATIONS_MAX})`);
const started = process.hrtime.bigint();
const reports = await simulateMany(seed, operations, (r: SimulationReport) =>
  console.error(`universe seed ${r.seed}: ${r.operations} operations, ${r.acknowledged} acknowledged, ${r.events} events, ${r.violations.length} violations`),
);
const total = (pick: (r: SimulationReport) => number) => reports.reduce((sum, r) => sum + pick(r), 0);
const faults: Record<string, number> = {};
for (const r of reports) for (const [kind, n] of Object.entries(r.faults)) faults[kind] = (faults[kind] ?? 0) + (n ?? 0);
const failed = reports.find((r) => r.violations.length > 0);
console.log(
  JSON.stringify({
    seed,
    universes: reports.length,
    operations: total((r) => r.operations),
    acknowledged: total((r) => r.acknowledged),
    rejected: total((r) => r.rejected),
    unanswered: total((r) => r.unanswered),
    replayed_answers: total((r) => r.replayed_answers),
    restarts: total((r) => r.restarts),
    events: total((r) => r.events),
    faults,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
    failed_universe_seed: failed?.seed ?? null,
    violations: failed?.violations ?? [],
  }),
);
process.exit(failed ? 1 : 0);
