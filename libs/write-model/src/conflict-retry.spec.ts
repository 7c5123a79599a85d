import { WrongExpectedVersionError } from '#event-store/index.js';
import { retryOnConflict, WriterContendedError } from './conflict-retry.js';

const conflict = () => new WrongExpectedVersionError('ledger-t', 4n, 5n);

/** An attempt that loses the race `losses` times, then answers `done`. */
function racing(losses: number) {
  let attempts = 0;
  return {
    attempts: () => attempts,
    attempt: async () => {
      attempts++;
      if (attempts <= losses) throw conflict();
      return 'done';
    },
  };
}

describe('retryOnConflict', () => {
  it('answers the first attempt that wins, without catching up', async () => {
    const race = racing(0);
    let conflicts = 0;
    await expect(retryOnConflict('t', 3, race.attempt, () => conflicts++)).resolves.toBe('done');
    expect(race.attempts()).toBe(1);
    expect(conflicts).toBe(0);
  });

  it('after each lost race marks the cache behind and tries again, up to the retry limit', async () => {
    const race = racing(3);
    const seen: number[] = [];
    await expect(retryOnConflict('t', 3, race.attempt, () => seen.push(race.attempts()))).resolves.toBe('done');
    expect(race.attempts()).toBe(4);
    expect(seen).toEqual([1, 2, 3]); // onConflict ran after each lost attempt, before the next
  });

  it('past the limit fails with WriterContendedError naming the tenant and the attempts', async () => {
    const race = racing(Number.MAX_SAFE_INTEGER);
    const failed = await retryOnConflict('tenant-7', 2, race.attempt, () => undefined).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(WriterContendedError);
    expect(failed).toMatchObject({ tenantId: 'tenant-7', attempts: 3, message: 'tenant tenant-7: another writer appended first on each of 3 attempts' });
    expect(race.attempts()).toBe(3);
  });

  it('with no retries allowed, one lost race is the end', async () => {
    const race = racing(1);
    await expect(retryOnConflict('t', 0, race.attempt, () => undefined)).rejects.toMatchObject({ attempts: 1 });
  });

  it('passes any other error through at once, without retrying', async () => {
    let attempts = 0;
    let conflicts = 0;
    const broken = new Error('connection refused');
    const attempt = async () => {
      attempts++;
      throw broken;
    };
    await expect(retryOnConflict('t', 5, attempt, () => conflicts++)).rejects.toBe(broken);
    expect(attempts).toBe(1);
    expect(conflicts).toBe(0);
  });
});
