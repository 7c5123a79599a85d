import 'reflect-metadata';
import { loadConfig } from '#database/index.js';
import { startLedger } from './bootstrap.js';

const SHUTDOWN_TIMEOUT_MS = 30_000;

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const log = (line: string) => {
    if (config.logLevel !== 'silent') console.log(`[zentra] ${line}`);
  };
  const started = Date.now();
  const ledger = await startLedger(config, log);
  const where = config.databaseUrl ? 'DATABASE_URL' : `embedded PostgreSQL in ${config.dataDir}`;
  console.log(`Zentra Ledger listening on ${ledger.url} (database: ${where}; ${ledger.eventLog}; projector: ${config.projectorEnabled ? 'in-process' : 'off'}; started in ${Date.now() - started} ms)`);
  if (ledger.adminTokenGenerated) {
    console.log(`Platform admin token (generated; set LEDGER_ADMIN_TOKEN to fix it): ${ledger.adminToken}`);
  }
  console.log(`Try it:\n  curl -s -X POST ${ledger.url}/tenants -H 'Authorization: Bearer ${ledger.adminTokenGenerated ? ledger.adminToken : '$LEDGER_ADMIN_TOKEN'}' -H 'content-type: application/json' -d '{"name":"acme"}'`);
  console.log(`API docs: ${ledger.url}/docs`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`[zentra] ${signal}: draining and shutting down`);
    const timer = setTimeout(() => {
      console.error('[zentra] shutdown timed out; exiting');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    try {
      await ledger.shutdown();
      clearTimeout(timer);
      console.log('[zentra] stopped cleanly');
      process.exit(0);
    } catch (error) {
      console.error('[zentra] shutdown failed', error);
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
