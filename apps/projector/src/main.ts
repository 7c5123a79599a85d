import 'reflect-metadata';
import { register } from 'node:module';
// Only the configuration and the logger before tracing starts: pg is loaded after it (below),
// so that its instrumentation sees it load.
import { loadConfig } from '#database/config.js';
import { createLogger, lineLog } from '#telemetry/index.js';
import { startTracing } from '#telemetry/tracing.js';

/**
 * The projector as its own process. It needs a database someone else runs: DATABASE_URL, or
 * the embedded instance a running `npm start` owns in LEDGER_DATA_DIR.
 */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger(config, 'projector');
  if (config.otlpEndpoint) register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
  const tracing = await startTracing({ serviceName: 'zentra-ledger-projector', otlpEndpoint: config.otlpEndpoint });
  const [{ createPool, resolveMasterKey, runMigrations, runningInstanceUrl, whileDatabaseStarts }, { selectEventStore }, { Projector }, { ALL_MIGRATIONS }, { ALL_PROJECTIONS }, { MasterKey }, { WebhookDispatcher }] =
    await Promise.all([
      import('#database/index.js'),
      import('#event-store/index.js'),
      import('#projection-runtime/index.js'),
      import('#schema/index.js'),
      import('#projections/index.js'),
      import('#audit/index.js'),
      import('#webhooks/index.js'),
    ]);
  const url = config.databaseUrl ?? runningInstanceUrl(config.dataDir);
  if (!url) throw new Error(`no database: set DATABASE_URL, or start the service first (no running instance in ${config.dataDir})`);
  // A PostgreSQL restarting as this process starts (kill_postgres in the chaos run) is waited for, not a failed start.
  await whileDatabaseStarts(() => runMigrations(url, ALL_MIGRATIONS), lineLog(logger));
  const pool = createPool(url, 10);
  const selected = selectEventStore(config.eventStoreUrl, pool);
  logger.info(selected.describe());
  await whileDatabaseStarts(() => selected.connect(), lineLog(logger));
  const store = selected.store;
  const projector = new Projector(ALL_PROJECTIONS, store, pool, url, lineLog(logger), { batchSize: config.projectionBatch, lingerMs: config.projectorLingerMs }).start();
  // The projector queues webhook deliveries; it sends them too (several processes share the work).
  // Endpoint secrets are sealed with the master key: without it this process cannot sign, says so, and leaves sending to the API.
  let dispatcher: InstanceType<typeof WebhookDispatcher> | null = null;
  try {
    dispatcher = new WebhookDispatcher(pool, new MasterKey(resolveMasterKey(config)), config.webhooks, { log: lineLog(logger.child({ component: 'webhooks' }), 'warn') }).start();
  } catch (error) {
    logger.warn(`webhook dispatch off: ${(error as Error).message}`);
  }
  logger.info(`running ${ALL_PROJECTIONS.map((p) => p.name).join(', ')}`);
  const stop = async () => {
    await dispatcher?.stop();
    await projector.stop();
    await store.close();
    await pool.end();
    await tracing?.shutdown();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}

main().catch((error) => {
  console.error('[projector] failed:', error?.message ?? error);
  process.exit(1);
});
