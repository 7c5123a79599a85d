import { cli } from './process.js';

/** `projections verify`: the live read model equals a rebuild from the log. */
export async function expectRebuildIdentical(url: string, projection: string): Promise<void> {
  const verify = await cli(url, ['projections', 'verify', projection, '--json']);
  expect(JSON.parse(verify.stdout)).toMatchObject({ projection, identical: true });
  expect(verify.code).toBe(0);
}
