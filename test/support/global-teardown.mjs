import { rmSync } from 'node:fs';

export default async function globalTeardown() {
  const instance = globalThis.__ZENTRA_PG__;
  if (instance) await instance.stop();
  const dir = globalThis.__ZENTRA_PG_DIR__;
  if (dir) rmSync(dir, { recursive: true, force: true });
}
