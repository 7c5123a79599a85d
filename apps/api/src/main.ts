import 'reflect-metadata';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { register } from 'node:module';
import path from 'node:path';
// Only the configuration and the logger before tracing starts: pg, http and Fastify are loaded
// after it (bootstrap.js, imported below), so that its instrumentations see them load.
import { loadConfig } from '#database/config.js';
import { createLogger, lineLog } from '#telemetry/index.js';
import { startTracing } from '#telemetry/tracing.js';

const SHUTDOWN_TIMEOUT_MS = 30_000;

/** The generated admin token, in LEDGER_DATA_DIR/admin-token (0600, replaced at each start). */
function writeAdminTokenFile(dataDir: string, token: string): string {
  const file = path.join(dataDir, 'admin-token');
  mkdirSync(dataDir, { recursive: true });
  rmSync(file, { force: true });
  writeFileSync(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
  return file;
}

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger(config, 'api');
  const log = lineLog(logger);
  // With OTEL_EXPORTER_OTLP_ENDPOINT unset nothing of the SDK is loaded, not even the ESM hook.
  if (config.otlpEndpoint) register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
  const tracing = await startTracing({ serviceName: 'zentra-ledger-api', otlpEndpoint: config.otlpEndpoint });
  if (tracing) log(`traces: exported over OTLP to ${config.otlpEndpoint}`);
  const { startLedger } = await import('./bootstrap.js');
  const started = Date.now();
  const ledger = await startLedger(config, log, undefined, undefined, undefined, logger);
  const where = config.databaseUrl ? 'DATABASE_URL' : `embedded PostgreSQL in ${config.dataDir}`;
  // The banner: plain lines for a person at a terminal (or with LEDGER_LOG=silent), JSON lines among the others in a log.
  const banner = config.logFormat === 'json' && config.logLevel !== 'silent' ? (line: string) => logger.info(line) : (line: string) => console.log(line);
  // Not a terminal: the output is a log, read by more people than the operator; the token goes to
  // a private file — written before the banner says the service listens, so it is there by then.
  const tokenFile = ledger.adminTokenGenerated && !process.stdout.isTTY ? writeAdminTokenFile(config.dataDir, ledger.adminToken) : null;
  banner(`Zentra Ledger listening on ${ledger.url} (database: ${where}; ${ledger.eventLog}; projector: ${config.projectorEnabled ? 'in-process' : 'off'}; started in ${Date.now() - started} ms)`);
  let bearer = '$LEDGER_ADMIN_TOKEN';
  if (ledger.adminTokenGenerated && tokenFile === null) {
    banner(`Platform admin token (generated; set LEDGER_ADMIN_TOKEN to fix it): ${ledger.adminToken}`);
    bearer = ledger.adminToken;
  } else if (tokenFile !== null) {
    banner(`Platform admin token (generated; set LEDGER_ADMIN_TOKEN to fix it) written to ${tokenFile} (readable by its owner only)`);
    bearer = `$(cat ${tokenFile})`;
  }
  banner(`Try it: curl -s -X POST ${ledger.url}/tenants -H "Authorization: Bearer ${bearer}" -H 'content-type: application/json' -d '{"name":"acme"}'`);
  banner(`API docs: ${ledger.url}/docs`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal}: draining and shutting down`);
    const timer = setTimeout(() => {
      logger.error('shutdown timed out; exiting');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    try {
      await ledger.shutdown();
      await tracing?.shutdown();
      clearTimeout(timer);
      logger.info('stopped cleanly');
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error) => {
  console.error('[zentra] failed to start:', error?.message ?? error);
  process.exit(1);
});
