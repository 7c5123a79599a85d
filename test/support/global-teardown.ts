import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const instance = (globalThis as any).__ZENTRA_PG__;
  if (instance) await instance.stop();
  const dir = (globalThis as any).__ZENTRA_PG_DIR__;
  if (dir) rmSync(dir, { recursive: true, force: true });
}
