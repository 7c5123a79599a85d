import path from 'node:path';

/** Service configuration, read from the environment once at start. */
export interface LedgerConfig {
  port: number;
  host: string;
  databaseUrl: string | null;
  dataDir: string;
  adminToken: string | null;
  projectorEnabled: boolean;
  /** How long a read waits for projections to reach the caller's last write. */
  readYourWritesTimeoutMs: number;
  poolSize: number;
  /** How often expired holds are swept (released with reason `expired`). */
  holdSweepIntervalMs: number;
  logLevel: 'silent' | 'info';
}

function intFrom(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new Error(`${name} must be a non-negative integer, got "${value}"`);
  return parsed;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): LedgerConfig {
  return {
    port: intFrom(env.PORT, 3000, 'PORT'),
    host: env.HOST ?? '0.0.0.0',
    databaseUrl: env.DATABASE_URL || null,
    dataDir: path.resolve(env.LEDGER_DATA_DIR || './.data'),
    adminToken: env.LEDGER_ADMIN_TOKEN || null,
    projectorEnabled: (env.LEDGER_PROJECTOR ?? 'on') !== 'off',
    readYourWritesTimeoutMs: intFrom(env.LEDGER_READ_WAIT_MS, 5000, 'LEDGER_READ_WAIT_MS'),
    poolSize: intFrom(env.LEDGER_DB_POOL_SIZE, 20, 'LEDGER_DB_POOL_SIZE'),
    holdSweepIntervalMs: intFrom(env.LEDGER_HOLD_SWEEP_MS, 1000, 'LEDGER_HOLD_SWEEP_MS'),
    logLevel: env.LEDGER_LOG === 'silent' ? 'silent' : 'info',
  };
}
