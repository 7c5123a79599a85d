import { promises as fs, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Pool, PoolClient } from 'pg';
import { LedgerConfig } from './config.js';
import { EmbeddedPostgresInstance, startEmbeddedPostgres } from './embedded-postgres.js';
import { writePrivateFile } from './private-paths.js';

/**
 * Where the service's PostgreSQL is: DATABASE_URL when set, otherwise an embedded cluster
 * in LEDGER_DATA_DIR that this process starts (and stops on shutdown).
 */
export interface DatabaseHandle {
  url: string;
  embedded: EmbeddedPostgresInstance | null;
  stop: () => Promise<void>;
}

export const INSTANCE_FILE = 'instance.json';

export async function openDatabase(config: LedgerConfig, log: (line: string) => void = () => undefined): Promise<DatabaseHandle> {
  if (config.databaseUrl) return { url: config.databaseUrl, embedded: null, stop: async () => undefined };
  await fs.mkdir(config.dataDir, { recursive: true });
  const embedded = await startEmbeddedPostgres({ dataDir: path.join(config.dataDir, 'pg'), log });
  await ensureDatabase(embedded.url('postgres'), 'ledger');
  const url = embedded.url('ledger');
  // Lets the CLI find a running instance without being told the port.
  const instanceFile = path.join(config.dataDir, INSTANCE_FILE);
  writePrivateFile(instanceFile, JSON.stringify({ pid: process.pid, port: embedded.port, url })); // the URL holds the password
  return {
    url,
    embedded,
    stop: async () => {
      await embedded.stop();
      await fs.rm(instanceFile, { force: true });
    },
  };
}

/** The running embedded instance's URL, if a service process owns one in this data dir. */
export function runningInstanceUrl(dataDir: string): string | null {
  const file = path.join(dataDir, INSTANCE_FILE);
  if (!existsSync(file)) return null;
  const instance = JSON.parse(readFileSync(file, 'utf8'));
  try {
    process.kill(instance.pid, 0);
    return instance.url;
  } catch {
    return null;
  }
}

export async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const pool = new Pool({ connectionString: adminUrl, max: 1 });
  try {
    const exists = await pool.query('select 1 from pg_database where datname = $1', [name]);
    if (exists.rowCount === 0) await pool.query(`create database "${name.replace(/"/g, '""')}"`);
  } finally {
    await pool.end();
  }
}

export interface PoolOptions {
  /**
   * PostgreSQL's statement_timeout for every connection of the pool (sent at connect, no extra
   * round trip); 0 or absent = none. The API's pool has one; the CLI's, the projector process's
   * and the migration runner's have none, so rebuilds, replays and migrations are never cut.
   */
  statementTimeoutMs?: number;
}

export function createPool(url: string, max: number, options: PoolOptions = {}): Pool {
  const statementTimeout = options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {};
  const pool = new Pool({ connectionString: url, max, connectionTimeoutMillis: 5000, idleTimeoutMillis: 30_000, ...statementTimeout });
  // An idle client losing its connection must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  // Nor one that is checked out (held between queries, a transaction's, a lock's): pg-pool listens
  // to a client's errors only while it is idle, and an 'error' nobody listens to kills the process
  // (a PostgreSQL restart did: docs/reliability.md). Its next query fails as a connection error,
  // and on release the pool drops it (it is no longer queryable).
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

/** Runs `work` in one transaction on one connection of the pool: committed when it returns, rolled back when it throws. */
export async function inTransaction<T>(pool: Pool, work: (tx: PoolClient) => Promise<T>): Promise<T> {
  const tx = await pool.connect();
  try {
    await tx.query('begin');
    const result = await work(tx);
    await tx.query('commit');
    return result;
  } catch (error) {
    await tx.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    tx.release();
  }
}
