/**
 * Preloaded (`node --import`) into an API process by the chaos driver, never by the service:
 * shifts this process's wall clock (`Date.now()`, `new Date()`) by the offset in ms written in
 * the file named by CHAOS_CLOCK_OFFSET_FILE, read at start and again on every SIGWINCH (ignored by
 * default, so it never ends the process, as SIGUSR2 would). The
 * monotonic clock (performance.now) is left alone, as it is when a machine's wall clock is set or
 * drifts — which is what the service's clock-skew monitor compares against PostgreSQL's.
 */
import { readFileSync } from 'node:fs';

/** An offset beyond a day is a typo in the driver, not a skew worth simulating. */
const OFFSET_MS_MAX = 86_400_000;

const file = process.env.CHAOS_CLOCK_OFFSET_FILE;
if (file) {
  const RealDate = Date;
  let offsetMs = 0;
  const read = () => {
    const value = Number(readFileSync(file, 'utf8').trim() || '0');
    if (!Number.isSafeInteger(value) || Math.abs(value) > OFFSET_MS_MAX) throw new Error(`${file}: not an offset in ms: ${value}`);
    offsetMs = value;
  };
  class SkewedDate extends RealDate {
    constructor(...args: unknown[]) {
      // Only "now" is shifted; a date made from a given time is that time.
      super(...((args.length === 0 ? [RealDate.now() + offsetMs] : args) as [number]));
    }
    static override now(): number {
      return RealDate.now() + offsetMs;
    }
  }
  globalThis.Date = SkewedDate as DateConstructor;
  read();
  process.on('SIGWINCH', read);
}
