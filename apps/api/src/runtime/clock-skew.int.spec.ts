import { performance } from 'node:perf_hooks';
import { Pool } from 'pg';
import { createTestDatabase, TestDatabase } from '../../../../test/support/database.js';
import { waitFor } from '../../../../test/support/wait.js';
import { ClockSkewMonitor, ProcessClock } from './clock-skew.js';

/** Same machine, same clock: a sample of a process that is not skewed is within this of zero. */
const SAME_CLOCK_TOLERANCE_MS = 100;

describe('ClockSkewMonitor against PostgreSQL', () => {
  let db: TestDatabase;
  let pool: Pool;
  let wallOffsetMs = 0;
  let monotonicOffsetMs = 0;
  const clock: ProcessClock = { wallMs: () => Date.now() + wallOffsetMs, monotonicMs: () => performance.now() + monotonicOffsetMs };

  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
    pool = new Pool({ connectionString: db.url, max: 2 });
  });

  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  afterEach(() => {
    wallOffsetMs = 0;
    monotonicOffsetMs = 0;
  });

  it('measures the skew from the database\'s clock, and sees the wall clock set between samples at once', async () => {
    const monitor = new ClockSkewMonitor(pool, 2_000, clock, 60_000);
    expect(monitor.skewMs()).toBeNull(); // nothing measured yet
    await monitor.measure();
    expect(Math.abs(monitor.skewMs()!)).toBeLessThan(SAME_CLOCK_TOLERANCE_MS);
    expect(monitor.refusal()).toBeNull();
    wallOffsetMs = 3_000; // set ahead; the monotonic clock did not move: seen with no new sample
    expect(monitor.skewMs()).toBeGreaterThan(3_000 - SAME_CLOCK_TOLERANCE_MS);
    expect(monitor.refusal()?.message).toContain('ahead of the database');
    expect(monitor.status()).toMatchObject({ ok: false, max_ms: 2_000 });
    await monitor.measure(); // and a sample agrees
    expect(Math.abs(monitor.skewMs()! - 3_000)).toBeLessThan(SAME_CLOCK_TOLERANCE_MS);
    wallOffsetMs = -1_500; // behind, within the allowance
    expect(monitor.refusal()).toBeNull();
    expect(monitor.nowMs()).toBeLessThan(Date.now() - 1_000);
  });

  it('re-measures in the background: a change only a sample can see is found, logged, and cleared when it goes away', async () => {
    const lines: string[] = [];
    const monitor = await new ClockSkewMonitor(pool, 2_000, clock, 50, (line) => lines.push(line)).start();
    try {
      expect(monitor.status().ok).toBe(true);
      // Both clocks jump together (as across a suspend): between samples nothing looks different.
      wallOffsetMs = monotonicOffsetMs = 10_000;
      expect(monitor.refusal()).toBeNull();
      await waitFor('a sample to find the skew', () => monitor.refusal());
      expect(lines).toEqual([expect.stringContaining('clock skewed')]);
      wallOffsetMs = monotonicOffsetMs = 0;
      await waitFor('a sample to find it agrees again', () => monitor.status().ok);
      expect(lines).toEqual([expect.stringContaining('clock skewed'), expect.stringContaining('agrees with the database')]);
    } finally {
      await monitor.stop();
    }
  });
});
