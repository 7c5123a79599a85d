import { sampleOf, skewNowMs } from './clock-skew.js';

describe('clock skew arithmetic', () => {
  it('takes the database as having read its clock halfway through the round trip', () => {
    // Sent at 1,000 and answered at 1,040 by this clock, the database saying 1,520: this process is 500 ms behind.
    const sample = sampleOf({ wall_ms: 1_000, monotonic_ms: 10 }, { wall_ms: 1_040, monotonic_ms: 50 }, 1_520);
    expect(sample).toEqual({ skew_ms: -500, wall_ms: 1_020, monotonic_ms: 30 });
  });

  it('keeps the sampled skew while both clocks run together, and sees a wall clock set forward or back at once', () => {
    const sample = { skew_ms: 12, wall_ms: 5_000, monotonic_ms: 100 };
    expect(skewNowMs(sample, 5_000, 100)).toBe(12);
    expect(skewNowMs(sample, 8_000, 3_100)).toBe(12); // three seconds later, nothing changed
    expect(skewNowMs(sample, 68_000, 3_100)).toBe(60_012); // set a minute ahead meanwhile
    expect(skewNowMs(sample, 5_100, 3_100)).toBe(-2_888); // or set back (to 100 ms after the sample, 3 s later)
  });
});
