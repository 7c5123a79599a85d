import { createPool, LedgerConfig, openDatabase, runningInstanceUrl } from '#database/index.js';
import { Pool } from 'pg';

export interface CliDatabase {
  pool: Pool;
  url: string;
  close: () => Promise<void>;
}

/**
 * The service's database, whether or not the service runs: DATABASE_URL; else the embedded
 * instance a running service owns in LEDGER_DATA_DIR; else the CLI starts that embedded
 * PostgreSQL itself for the duration of the command.
 */
export async function connect(config: LedgerConfig, log: (line: string) => void): Promise<CliDatabase> {
  const running = config.databaseUrl ?? runningInstanceUrl(config.dataDir);
  if (running) {
    const pool = createPool(running, 4);
    return { pool, url: running, close: () => pool.end() };
  }
  log(`no running service in ${config.dataDir}: starting its embedded PostgreSQL for this command`);
  const database = await openDatabase(config, log);
  const pool = createPool(database.url, 4);
  return {
    pool,
    url: database.url,
    close: async () => {
      await pool.end();
      await database.stop();
    },
  };
}
