import { randomBytes } from 'node:crypto';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Pool } from 'pg';
import { createPool, DatabaseHandle, LedgerConfig, openDatabase, resolveMasterKey, runMigrations } from '#database/index.js';
import { EventStore, selectEventStore, SelectedEventStore } from '#event-store/index.js';
import { Projection, Projector } from '#projection-runtime/index.js';
import { resealLegacySecrets } from '#audit/index.js';
import { ALL_MIGRATIONS } from '#schema/index.js';
import { WebhookDispatcher } from '#webhooks/index.js';
import { ALL_PROJECTIONS } from '#projections/index.js';
import { createLogger, lineLog, Logger } from '#telemetry/index.js';
import { createApiApp } from './api-app.js';
import { HoldExpirySweeper } from './holds/hold-expiry.sweeper.js';
import { ReconciliationScheduler } from './reconciliation/reconciliation.scheduler.js';
import { ProcessClock, SYSTEM_CLOCK } from './runtime/clock-skew.js';
import { LedgerRuntime } from './runtime/ledger-runtime.js';

export interface RunningLedger {
  app: NestFastifyApplication;
  runtime: LedgerRuntime;
  url: string;
  adminToken: string;
  adminTokenGenerated: boolean;
  database: DatabaseHandle;
  /** Which event log this process uses, e.g. `event log: EventStoreDB at host:2113`. */
  eventLog: string;
  /** The in-process projector, when LEDGER_PROJECTOR is not off. */
  projector: Projector | null;
  /** Stops accepting, answers in-flight commands, stops the projector and the database. */
  shutdown: () => Promise<void>;
}

/**
 * Starts the whole service: database (embedded or DATABASE_URL), migrations, event store,
 * in-process projector (unless LEDGER_PROJECTOR=off) and the HTTP API.
 */
export async function startLedger(
  config: LedgerConfig,
  log: (line: string) => void,
  /** Which event log: the configuration's (EVENTSTORE_URL) unless given. */
  selectLog: (pool: Pool) => SelectedEventStore = (pool) => selectEventStore(config.eventStoreUrl, pool, { appendBytesMax: config.eventStoreMaxAppendBytes }),
  /** The process's clocks (commands are refused while the wall clock is skewed from PostgreSQL's); a test passes a skewed one. */
  clock: ProcessClock = SYSTEM_CLOCK,
  /** The read models the in-process projector runs; a test passes one at another version. */
  projections: readonly Projection[] = ALL_PROJECTIONS,
  /** Where request lines and the workers' lines go (LEDGER_LOG, LEDGER_LOG_FORMAT); a test passes one that keeps them. */
  logger: Logger = createLogger(config, 'api'),
): Promise<RunningLedger> {
  config = { ...config, masterKey: resolveMasterKey(config) };
  const database = await openDatabase(config, log);
  let pool: Pool | null = null;
  let runtime: LedgerRuntime | null = null;
  let app: NestFastifyApplication | null = null;
  let eventLog: EventStore | null = null;
  try {
    await runMigrations(database.url, ALL_MIGRATIONS);
    // Request queries are cut after LEDGER_STATEMENT_TIMEOUT_MS (503); the in-process projector's
    // transactions lift it for themselves (applyCheckpointed), so a slow batch is not cut.
    pool = createPool(database.url, config.poolSize, { statementTimeoutMs: config.statementTimeoutMs });
    const selected = selectLog(pool);
    log(selected.describe());
    const store = (eventLog = selected.store);
    await selected.connect();
    const adminTokenGenerated = !config.adminToken;
    const adminToken = config.adminToken ?? `zl_admin_${randomBytes(24).toString('base64url')}`;
    runtime = new LedgerRuntime(config, pool, store, adminToken, log, clock);
    await resealLegacySecrets(pool, runtime.masterKey, log);
    // The first comparison of clocks before any command: a skewed process starts, refusing them.
    await runtime.clock.start();
    // Listening first: if the port is taken, no background worker has started yet.
    app = await createApiApp(runtime, logger);
    await app.listen({ port: config.port, host: config.host });
    const projector = config.projectorEnabled ? new Projector(projections, store, pool, database.url, lineLog(logger.child({ component: 'projector' })), { batchSize: config.projectionBatch, lingerMs: config.projectorLingerMs }).start() : null;
    // On a fresh database the projector creates the read models: before the workers that read them.
    if (projector && !(await projector.settled())) log('projector: still waiting for the read models; starting anyway');
    // Webhook deliveries are sent wherever the projector (which queues them) runs.
    const dispatcher = config.projectorEnabled ? new WebhookDispatcher(pool, runtime.masterKey, config.webhooks, { log: lineLog(logger.child({ component: 'webhooks' }), 'warn') }).start() : null;
    // Idle tenants' writers are dropped; their state is a cache of the log.
    const evictor = setInterval(() => runtime!.writers.evictIdle(), 60_000);
    evictor.unref();
    const sweeper = new HoldExpirySweeper(pool, runtime.writers, config.holdSweepIntervalMs, lineLog(logger.child({ component: 'sweeper' }), 'warn')).start();
    const reconciler = new ReconciliationScheduler(pool, store, config.reconcileIntervalMinutes, lineLog(logger.child({ component: 'reconciliation' }), 'warn')).start();
    const address = app.getHttpServer().address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const openPool = pool;
    const openApp = app;
    const openRuntime = runtime;
    return {
      app: openApp,
      runtime: openRuntime,
      url: `http://127.0.0.1:${port}`,
      adminToken,
      adminTokenGenerated,
      database,
      eventLog: selected.describe(),
      projector,
      shutdown: async () => {
        clearInterval(evictor);
        await openApp.close();
        await dispatcher?.stop();
        await sweeper.stop();
        await reconciler.stop();
        await openRuntime.writers.drain();
        await openRuntime.signer.stop();
        await openRuntime.keys.stop();
        await openRuntime.clock.stop();
        await projector?.stop();
        await store.close();
        await openPool.end();
        await database.stop();
      },
    };
  } catch (error) {
    await app?.close().catch(() => undefined);
    await runtime?.signer.stop().catch(() => undefined);
    await runtime?.keys.stop().catch(() => undefined);
    await runtime?.clock.stop().catch(() => undefined);
    await eventLog?.close().catch(() => undefined);
    await pool?.end().catch(() => undefined);
    await database.stop();
    throw error;
  }
}
