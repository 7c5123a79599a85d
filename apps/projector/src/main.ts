import 'reflect-metadata';
import { createPool, loadConfig, resolveMasterKey, runMigrations, runningInstanceUrl } from '#database/index.js';
import { selectEventStore } from '#event-store/index.js';
import { Projector } from '#projection-runtime/index.js';
import { ALL_MIGRATIONS } from '#schema/index.js';
import { ALL_PROJECTIONS } from '#projections/index.js';
import { MasterKey } from '#audit/index.js';
import { WebhookDispatcher } from '#webhooks/index.js';

/**
 * The projector as its own process. It needs a database someone else runs: DATABASE_URL, or
 * the embedded instance a running `npm start` owns in LEDGER_DATA_DIR.
 */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const url = config.databaseUrl ?? runningInstanceUrl(config.dataDir);
  if (!url) throw new Error(`no database: set DATABASE_URL, or start the service first (no running instance in ${config.dataDir})`);
  await runMigrations(url, ALL_MIGRATIONS);
  const pool = createPool(url, 10);
  const selected = selectEventStore(config.eventStoreUrl, pool);
  console.log(`[projector] ${selected.describe()}`);
  await selected.connect();
  const store = selected.store;
  const projector = new Projector(ALL_PROJECTIONS, store, pool, url, (line) => console.log(`[projector] ${line}`), config.projectionBatch).start();
  // The projector queues webhook deliveries; it sends them too (several processes share the work).
  // Endpoint secrets are sealed with the master key: without it this process cannot sign, says so, and leaves sending to the API.
  let dispatcher: WebhookDispatcher | null = null;
  try {
    dispatcher = new WebhookDispatcher(pool, new MasterKey(resolveMasterKey(config)), config.webhooks, { log: (line) => console.log(`[projector] ${line}`) }).start();
  } catch (error) {
    console.log(`[projector] webhook dispatch off: ${(error as Error).message}`);
  }
  console.log(`[projector] running ${ALL_PROJECTIONS.map((p) => p.name).join(', ')}`);
  const stop = async () => {
    await dispatcher?.stop();
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
