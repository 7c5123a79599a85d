import { chmodSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../../libs/database/src/embedded-postgres';

/**
 * Starts one real PostgreSQL for the whole run, unless DATABASE_URL points at one already.
 * Test files create their own databases on it (see test/support/database.ts).
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.TEST_DATABASE_ADMIN_URL) return;
  if (process.env.DATABASE_URL) {
    process.env.TEST_DATABASE_ADMIN_URL = process.env.DATABASE_URL;
    return;
  }
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'zentra-test-pg-'));
  chmodSync(dataDir, 0o755); // PostgreSQL runs as the postgres user when we are root
  const instance = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'pg') });
  process.env.TEST_DATABASE_ADMIN_URL = instance.url('postgres');
  (globalThis as any).__ZENTRA_PG__ = instance;
  (globalThis as any).__ZENTRA_PG_DIR__ = dataDir;
}
