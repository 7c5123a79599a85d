import { RESTART_WINDOW_MS, RESTARTS_PER_WINDOW_MAX, restartAllowed } from './embedded-postgres.js';

describe('the supervisor restart budget', () => {
  const now = 1_000_000;

  it(`allows up to ${RESTARTS_PER_WINDOW_MAX} restarts within ${RESTART_WINDOW_MS} ms, then refuses`, () => {
    const times: number[] = [];
    for (let i = 0; i < RESTARTS_PER_WINDOW_MAX; i++) {
      expect(restartAllowed(times, now)).toBe(true);
      times.push(now - i);
    }
    expect(restartAllowed(times, now)).toBe(false);
  });

  it('forgets restarts older than the window', () => {
    const old = Array.from({ length: RESTARTS_PER_WINDOW_MAX }, () => now - RESTART_WINDOW_MS);
    expect(restartAllowed(old, now)).toBe(true);
    expect(restartAllowed(old, now - 1)).toBe(false);
  });
});
