export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

type Probe<T> = () => Promise<T | null | undefined | false> | T | null | undefined | false;

/** Polls `probe` until it returns something truthy; fails the test with `what` after the timeout. */
export async function waitFor<T>(what: string, probe: Probe<T>, timeoutMs = 20_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}
