// Starts one real PostgreSQL for the whole run, unless DATABASE_URL points at one already.
// Test files create their own databases on it (test/support/database.ts). Jest loads this
// file outside its ESM transform, so it uses the compiled code: `npm test` builds first.
import { chmodSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../../dist/libs/database/src/embedded-postgres.js';

export default async function globalSetup() {
  if (process.env.TEST_DATABASE_ADMIN_URL) return;
  if (process.env.DATABASE_URL) {
    process.env.TEST_DATABASE_ADMIN_URL = process.env.DATABASE_URL;
    return;
  }
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'zentra-test-pg-'));
  chmodSync(dataDir, 0o755); // PostgreSQL runs as the postgres user when we are root
  const instance = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'pg') });
  process.env.TEST_DATABASE_ADMIN_URL = instance.url('postgres');
  globalThis.__ZENTRA_PG__ = instance;
  globalThis.__ZENTRA_PG_DIR__ = dataDir;
}
