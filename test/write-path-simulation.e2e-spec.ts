/**
 * The write-path simulation's short run (the long one is `npm run sim`): the real TenantWriter of
 * two processes over a fault-injecting in-memory log, seeded (test/simulation). No database: it
 * sits with the end-to-end tests because it runs the whole write path, not one unit.
 */
import { ledgerStream } from '#event-store/index.js';
import { simulate } from './simulation/write-path-simulation.js';

/** Operations per seed here; `npm run sim` runs a million. */
const SHORT_RUN_OPERATIONS = 3_000;
const SEEDS = [1, 23, 2026];

describe('write-path simulation (seeded faults, two processes, one log)', () => {
  it.each(SEEDS)(`seed %i: ${SHORT_RUN_OPERATIONS} operations under faults lose nothing, record nothing twice and keep every invariant`, async (seed) => {
    const report = await simulate(seed, SHORT_RUN_OPERATIONS);
    expect(report.violations).toEqual([]);
    expect(report.operations).toBeGreaterThanOrEqual(SHORT_RUN_OPERATIONS);
    // The run really went through every fault and the paths they lead to.
    for (const kind of ['append_failed', 'append_timed_out', 'append_landed_late', 'append_lost_answer', 'read_slow'] as const) expect({ kind, seen: (report.faults[kind] ?? 0) > 0 }).toEqual({ kind, seen: true });
    expect(report.replayed_answers).toBeGreaterThan(0);
    expect(report.restarts).toBeGreaterThan(0);
    expect(report.rejected).toBeGreaterThan(0);
    // ... and every kind of command: a generator that stops placing holds once proved nothing about them.
    for (const type of ['ledger.entry.posted', 'balance.hold.created', 'capture', 'balance.released', 'ledger.entry.reversed']) expect({ type, seen: (report.events_by_type[type] ?? 0) > 0 }).toEqual({ type, seen: true });
  });

  it('reproduces a run exactly from its seed alone', async () => {
    const first = await simulate(7, 1_500);
    const second = await simulate(7, 1_500);
    expect(second).toEqual(first);
    expect(await simulate(8, 1_500)).not.toEqual(first);
  });

  it('catches a command recorded twice (its checks can fail)', async () => {
    let tampered = false;
    const report = await simulate(11, 1_500, undefined, (log, operations) => {
      if (tampered || operations < 500) return;
      const stream = ledgerStream('sim-tenant-0');
      const posted = log.readStreamNow(stream).find((e) => e.type === 'ledger.entry.posted' && e.metadata.idempotency_key);
      if (!posted) return;
      log.appendNow(stream, [{ id: `${posted.id}-again`, type: posted.type, data: posted.data, metadata: posted.metadata }], 'any');
      tampered = true;
    });
    expect(tampered).toBe(true);
    expect(report.violations.some((v) => v.includes('recorded twice'))).toBe(true);
  });
});
