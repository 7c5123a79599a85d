import 'reflect-metadata';
import { createPool, loadConfig, runMigrations, runningInstanceUrl } from '../../../libs/database/src/index.js';
import { eventStoreFromEnv, requirePostgresLog } from '../../../libs/event-store/src/index.js';
import { Projector } from '../../../libs/projection-runtime/src/index.js';
import { ALL_MIGRATIONS } from '../../../libs/schema/src/index.js';
import { ALL_PROJECTIONS } from '../../../projections/index.js';

/**
 * The projector as its own process. It needs a database someone else runs: DATABASE_URL, or
 * the embedded instance a running `npm start` owns in LEDGER_DATA_DIR.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const url = config.databaseUrl ?? runningInstanceUrl(config.dataDir);
  if (!url) throw new Error(`no database: set DATABASE_URL, or start the service first (no running instance in ${config.dataDir})`);
  await runMigrations(url, ALL_MIGRATIONS);
  const pool = createPool(url, 10);
  const store = requirePostgresLog(eventStoreFromEnv(process.env, pool));
  const projector = new Projector(ALL_PROJECTIONS, store, pool, url, (line) => console.log(`[projector] ${line}`)).start();
  console.log(`[projector] running ${ALL_PROJECTIONS.map((p) => p.name).join(', ')}`);
  const stop = async () => {
    await projector.stop();
    await store.close();
    await pool.end();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}

main().catch((error) => {
  console.error('[projector] failed:', error?.message ?? error);
  process.exit(1);
});
