import { BACKOFF_CAP_MS, nextAttemptDelay } from './backoff.js';

describe('nextAttemptDelay', () => {
  const top = () => 0.999999;

  it('doubles the ceiling with each attempt from the base', () => {
    expect([1, 2, 3, 4].map((n) => nextAttemptDelay(n, 1000, () => 1))).toEqual([1000, 2000, 4000, 8000]);
  });

  it('is full jitter: uniform between 0 and the ceiling', () => {
    expect(nextAttemptDelay(3, 1000, () => 0)).toBe(0);
    expect(nextAttemptDelay(3, 1000, () => 0.5)).toBe(2000);
    expect(nextAttemptDelay(3, 1000, top)).toBe(3999);
  });

  it('never exceeds the cap, however many attempts came before', () => {
    expect(nextAttemptDelay(40, 1000, () => 1)).toBe(BACKOFF_CAP_MS);
    expect(nextAttemptDelay(5000, 1000, () => 1)).toBe(BACKOFF_CAP_MS);
    expect(nextAttemptDelay(4, 1000, () => 1, 5000)).toBe(5000);
  });

  it('clamps a random source outside [0, 1]', () => {
    expect(nextAttemptDelay(1, 1000, () => 7)).toBe(1000);
    expect(nextAttemptDelay(1, 1000, () => -1)).toBe(0);
  });

  it('refuses an attempt number below 1 and a negative base', () => {
    expect(() => nextAttemptDelay(0, 1000)).toThrow();
    expect(() => nextAttemptDelay(1.5, 1000)).toThrow();
    expect(() => nextAttemptDelay(1, -1)).toThrow();
  });
});
