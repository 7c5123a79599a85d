/**
 * A short run of `npm run chaos` (test/chaos): 3 API and 2 projector processes on one database,
 * clients with idempotency keys under kill -9 and SIGSTOP/SIGCONT of our processes, kill -9 of
 * PostgreSQL's postmaster and a skewed clock, checked after every cycle and at the end (the log,
 * the projections, the chain heads). It starts its own embedded PostgreSQL (not the jest run's:
 * killing that one would break the test files running beside it).
 */
import { runChaos } from './chaos/chaos.js';

/** One round of the fault deck: every kind once. */
const CYCLES = 6;
const CYCLE_MS = 3_000;

describe('chaos under load (real processes, one PostgreSQL)', () => {
  it(`${CYCLES} seeded cycles of faults lose nothing, duplicate nothing and break no invariant`, async () => {
    const report = await runChaos({ cycles: CYCLES, seed: 2323, cycleMs: CYCLE_MS });
    expect({ lost: report.lost, duplicated: report.duplicated, violations: report.violations }).toEqual({ lost: 0, duplicated: 0, violations: [] });
    expect(report.cycles).toBe(CYCLES);
    expect(report.acknowledged).toBeGreaterThan(0);
    expect(report.faults).toEqual({ kill_api: 1, kill_projector: 1, pause_api: 1, pause_projector: 1, kill_postgres: 1, skew_clock: 1 });
    expect(report.postgres_restarts).toBe(1);
    // Every kind of operation went through, not only postings.
    for (const answer of ['transactions 201', 'holds 201', 'holds capture 200', 'holds release 200', 'transactions reverse 201']) expect({ answer, seen: (report.answers[answer] ?? 0) > 0 }).toEqual({ answer, seen: true });
  }, 180_000);
});
