/**
 * A short run of `npm run chaos` (test/chaos): 3 API and 2 projector processes on one database,
 * clients with idempotency keys under kill -9 and SIGSTOP/SIGCONT, checked after every cycle and
 * at the end (the log, the projections, the chain heads).
 */
import { createTestDatabase, TestDatabase } from './support/database.js';
import { runChaos } from './chaos/chaos.js';

const CYCLES = 4;
const CYCLE_MS = 3_000;

describe('chaos under load (real processes, one PostgreSQL)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it(`${CYCLES} seeded cycles of faults lose nothing, duplicate nothing and break no invariant`, async () => {
    const report = await runChaos({ cycles: CYCLES, seed: 2323, cycleMs: CYCLE_MS, databaseUrl: db.url });
    expect({ lost: report.lost, duplicated: report.duplicated, violations: report.violations }).toEqual({ lost: 0, duplicated: 0, violations: [] });
    expect(report.cycles).toBe(CYCLES);
    expect(report.acknowledged).toBeGreaterThan(0);
    expect(Object.values(report.faults).reduce((a, b) => a + b, 0)).toBe(CYCLES);
    // Every kind of operation went through, not only postings.
    for (const answer of ['transactions 201', 'holds 201', 'holds capture 200', 'holds release 200', 'transactions reverse 201']) expect({ answer, seen: (report.answers[answer] ?? 0) > 0 }).toEqual({ answer, seen: true });
  }, 180_000);
});
